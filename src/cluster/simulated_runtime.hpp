#pragma once

// Agents that account resources and report task states without starting any process: the
// scale benchmarks run thousands of them. A launched task reports STARTING then RUNNING;
// it ends FINISHED or FAILED when asked (finish()), KILLED when killed. It follows the
// default executor's group rules: a FAILED or KILLED task kills the rest of its group, a
// FINISHED one does not, and an executor ends when its tasks have ended and every update
// is acknowledged.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "cluster/agent_runtime.hpp"
#include "mesos/task_status.hpp"

namespace steward::cluster {

class SimulatedRuntime : public AgentRuntime {
 public:
  using Defer = std::function<void(std::function<void()>)>;
  using StatusSink = std::function<void(const std::string& agent_id,
                                        const std::string& framework_id, mesos::TaskStatus)>;
  using ExitSink = std::function<void(const std::string& agent_id, const std::string& framework_id,
                                      const std::string& executor_id)>;

  // `defer` runs a report later on the loop; the sinks hand it to the master.
  SimulatedRuntime(Defer defer, StatusSink on_status, ExitSink on_exit);

  void launch(const LaunchRequest& request) override;
  void kill_task(const std::string& agent_id, const std::string& framework_id,
                 const std::string& executor_id, const std::string& task_id,
                 std::optional<std::int64_t> grace_ns) override;
  void shutdown_executor(const std::string& agent_id, const std::string& framework_id,
                         const std::string& executor_id) override;
  void acknowledged(const std::string& agent_id, const std::string& framework_id,
                    const std::string& executor_id, const std::string& task_id,
                    const std::string& uuid) override;
  bool create_volume(const std::string&, const std::string&, std::string&) override { return true; }
  bool destroy_volume(const std::string&, const std::string&, std::string&) override {
    return true;
  }

  // Ends a running task as FINISHED (exit 0) or FAILED. `task` is a task id, or
  // "framework/task" when several frameworks use that id. False when no such live task.
  bool finish(const std::string& task, bool failed);
  bool has_task(const std::string& task) const;
  // Executors still there (tasks live, or updates not yet acknowledged).
  std::size_t executors() const { return by_executor_.size(); }
  // After a restart: a task the master still holds is running again here.
  void adopt(const std::string& agent_id, const std::string& framework_id,
             const std::string& executor_id, const std::string& task_id, std::uint64_t group);

 private:
  struct Task {
    std::string task_id, agent_id, framework_id, executor_id;
    std::uint64_t group = 0;
    bool live = true;
    int unacked = 0;
  };
  // Tasks are keyed "<framework>/<task id>": frameworks may use the same task ids.
  void report(const std::string& key, mesos::TaskState state, std::string message,
              std::string reason = {});
  void end_task(const std::string& key, mesos::TaskState state, std::string message,
                std::string reason = {});
  std::string find_live(const std::string& task) const;
  void maybe_exit(const std::string& framework_id, const std::string& executor_id);

  Defer defer_;
  StatusSink on_status_;
  ExitSink on_exit_;
  // Hashed: with 10,000 tasks, their long keys compared down a tree on every launch and
  // acknowledgement were 3-4% of the cluster's work in a deploy.
  std::unordered_map<std::string, Task> tasks_;  // "<framework>/<task>"
  std::unordered_map<std::string, std::set<std::string>>
      by_executor_;  // "<framework>/<executor>" -> task keys
  std::uint64_t groups_ = 0;
};

}  // namespace steward::cluster
