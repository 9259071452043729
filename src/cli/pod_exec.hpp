#pragma once

// `steward pod exec POD TASK -- CMD...`: runs a command in a task's sandbox, with the task's
// environment and user, on this machine (the embedded cluster), streaming its output. The
// operator's way in to repair a volume, usually of a paused pod.

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/service_client.hpp"

namespace steward::cli {

struct PodExecOptions {
  ServiceTarget target;
  std::string pod;
  std::string task;  // "server" or "hello-0-server"
  std::vector<std::string> command;
};

// The command's exit status; 1 when the task cannot be found here.
int run_pod_exec(const PodExecOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
