#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace steward::cli {

struct ValidateOptions {
  std::string spec_path;
  std::vector<std::string> env;        // K=V
  std::vector<std::string> env_files;  // files of K=V lines
  bool strict = false;
  bool json = false;
};

// Exit codes: 0 valid, 2 invalid (or unusable options).
int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
