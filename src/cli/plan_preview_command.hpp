#pragma once

#include <iosfwd>

#include "cli/spec_input.hpp"

namespace steward::cli {

struct PlanPreviewOptions {
  SpecInput input;
  bool json = false;
  bool deploy_completed = false;  // show what an update would run (`update` plan if defined)
};

// Prints every plan the spec generates. Exit codes: 0, or 2 for an invalid spec.
int run_plan_preview(const PlanPreviewOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
