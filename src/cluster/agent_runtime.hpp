#pragma once

// What an agent does with processes. The master decides (launch, kill, shut down, create
// or destroy a volume); a runtime carries it out and reports back through the master's
// status_update() and executor_terminated(), always from the loop thread and never from
// inside the call that asked (so the master is not re-entered).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesos/call.hpp"
#include "mesos/task_info.hpp"

namespace steward::cluster {

struct LaunchRequest {
  std::string agent_id;
  const mesos::FrameworkInfo* framework = nullptr;  // the master's record, for the call only
  mesos::ExecutorInfo executor;
  std::vector<mesos::TaskInfo> tasks;
  bool new_executor = true;
  std::string sandbox;  // the executor's sandbox directory (real agents)
  // Persistent volumes of the executor: container_path (sandbox-relative) -> host directory.
  std::vector<std::pair<std::string, std::string>> volumes;
};

class AgentRuntime {
 public:
  virtual ~AgentRuntime() = default;
  virtual void launch(const LaunchRequest& request) = 0;
  // Kills the task (and, as the default executor does, the rest of its group).
  virtual void kill_task(const std::string& agent_id, const std::string& framework_id,
                         const std::string& executor_id, const std::string& task_id,
                         std::optional<std::int64_t> grace_ns) = 0;
  virtual void shutdown_executor(const std::string& agent_id, const std::string& framework_id,
                                 const std::string& executor_id) = 0;
  // The framework acknowledged an update (an executor exits only when all are).
  virtual void acknowledged(const std::string& agent_id, const std::string& framework_id,
                            const std::string& executor_id, const std::string& task_id,
                            const std::string& uuid) = 0;
  // Makes or deletes a persistent volume's directory; false (with `error`) when it fails.
  virtual bool create_volume(const std::string& agent_id, const std::string& path,
                             std::string& error) = 0;
  virtual bool destroy_volume(const std::string& agent_id, const std::string& path,
                              std::string& error) = 0;
};

}  // namespace steward::cluster
