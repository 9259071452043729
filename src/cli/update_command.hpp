#pragma once

// `steward update NAME --spec SPEC [--env K=V] [--dry-run]`: loads the spec here (templates and
// environment as `steward run` would), sends it to the running scheduler as a new target, and
// prints what changes, which pods restart, deploy or are decommissioned, or why it was refused.
// Exit codes: 0 accepted (or nothing to change, or a dry run that would be accepted), 1 refused
// or the request failed, 2 an invalid spec or usage.

#include <iosfwd>

#include "cli/service_client.hpp"
#include "cli/spec_input.hpp"

namespace steward::cli {

struct UpdateOptions {
  ServiceTarget target;  // target.service: NAME
  SpecInput input;
  bool dry_run = false;
};

int run_update(const UpdateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
