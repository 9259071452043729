#pragma once

#include <iosfwd>

#include "cli/spec_input.hpp"

namespace steward::cli {

struct ValidateOptions {
  SpecInput input;
  bool json = false;
};

// Exit codes: 0 valid, 2 invalid (or unusable options).
int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
