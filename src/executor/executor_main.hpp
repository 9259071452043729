#pragma once

// `steward executor`: the process an agent starts for each executor id. It subscribes to
// its agent's executor API (and subscribes again, for up to MESOS_RECOVERY_TIMEOUT seconds,
// when the cluster daemon restarts), runs the pod executor, and exits once no task is left
// and every update is acknowledged.

#include <iosfwd>

namespace steward::executor {

// Reads its settings from the environment the agent gave it. Exit code 0 when done.
int run_executor(std::ostream& log);

}  // namespace steward::executor
