#pragma once

// The spec a command reads, with the template values from the environment, --env-file and
// --env: shared by every command that takes a SPEC argument.

#include <iosfwd>
#include <string>
#include <vector>

#include "spec/spec_loader.hpp"

namespace steward::cli {

struct SpecInput {
  std::string spec_path;
  std::vector<std::string> env;        // K=V
  std::vector<std::string> env_files;  // files of K=V lines
  bool strict = false;
};

// Loads the spec; problems with --env / --env-file come first in the diagnostics.
spec::LoadResult load_spec_input(const SpecInput& input);

// Prints every diagnostic and, when there are errors, the count; true when there were none.
bool report(const Diagnostics& diagnostics, const std::string& spec_path, std::ostream& err);

}  // namespace steward::cli
