#pragma once

// `steward run SPEC`: the service's scheduler, in the foreground, against the embedded cluster
// (started in the background when none is running) or any Mesos master (--master).
// `steward uninstall NAME` (or `steward run --uninstall SPEC`): kill, release, deregister, wipe.

#include <iosfwd>
#include <string>

#include "cli/spec_input.hpp"
#include "sdk/service_runner.hpp"

namespace steward::cli {

struct RunOptions : sdk::ServeOptions {
  SpecInput input;
  std::string name;  // uninstall: the service, when no spec is given
};

int run_service(const RunOptions& options, std::ostream& out, std::ostream& err);
int run_uninstall(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
