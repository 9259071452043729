#include "cluster/simulated_runtime.hpp"

#include <algorithm>

namespace steward::cluster {

using mesos::TaskState;

SimulatedRuntime::SimulatedRuntime(Defer defer, StatusSink on_status, ExitSink on_exit)
    : defer_(std::move(defer)), on_status_(std::move(on_status)), on_exit_(std::move(on_exit)) {}

void SimulatedRuntime::report(const std::string& task_id, TaskState state, std::string message,
                              std::string reason) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  ++it->second.unacked;
  mesos::TaskStatus s;
  s.task_id = task_id;
  s.state = state;
  s.source = mesos::TaskStatus::Source::executor;
  s.executor_id = it->second.executor_id;
  s.message = std::move(message);
  s.reason = std::move(reason);
  s.ip_addresses = {"127.0.0.1"};
  std::string agent = it->second.agent_id;
  std::string framework = it->second.framework_id;
  defer_([sink = on_status_, agent, framework, s]() { sink(agent, framework, s); });
}

void SimulatedRuntime::launch(const LaunchRequest& request) {
  const std::uint64_t group = ++groups_;
  for (const mesos::TaskInfo& info : request.tasks) {
    tasks_[info.task_id] = {
        request.agent_id, request.framework.id, request.executor.executor_id, group, true, 0};
    by_executor_[request.framework.id + "/" + request.executor.executor_id].insert(info.task_id);
    report(info.task_id, TaskState::starting, "");
    report(info.task_id, TaskState::running, "");
  }
}

void SimulatedRuntime::end_task(const std::string& task_id, TaskState state, std::string message,
                                std::string reason) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || !it->second.live) return;
  it->second.live = false;
  report(task_id, state, std::move(message), std::move(reason));
  if (state == TaskState::failed || state == TaskState::killed) {
    // Group failure policy: the rest of the group is killed.
    const std::uint64_t group = it->second.group;
    for (const std::string& id :
         by_executor_[it->second.framework_id + "/" + it->second.executor_id]) {
      Task& task = tasks_.at(id);
      if (task.group == group && task.live) {
        task.live = false;
        report(id, TaskState::killed, "Killed because another task of its group ended");
      }
    }
  }
}

void SimulatedRuntime::kill_task(const std::string&, const std::string&, const std::string&,
                                 const std::string& task_id, std::optional<std::int64_t>) {
  end_task(task_id, TaskState::killed, "Killed by the scheduler");
}

void SimulatedRuntime::shutdown_executor(const std::string&, const std::string& framework_id,
                                         const std::string& executor_id) {
  for (const std::string& id : by_executor_[framework_id + "/" + executor_id]) {
    Task& task = tasks_.at(id);
    if (task.live) {
      task.live = false;
      report(id, TaskState::killed, "Executor shut down", "REASON_EXECUTOR_TERMINATED");
    }
  }
  maybe_exit(framework_id, executor_id);
}

void SimulatedRuntime::acknowledged(const std::string&, const std::string& framework_id,
                                    const std::string& executor_id, const std::string& task_id,
                                    const std::string&) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  if (it->second.unacked > 0) --it->second.unacked;
  maybe_exit(framework_id, executor_id);
}

void SimulatedRuntime::maybe_exit(const std::string& framework_id, const std::string& executor_id) {
  auto ids = by_executor_.find(framework_id + "/" + executor_id);
  if (ids == by_executor_.end() || ids->second.empty()) return;
  for (const std::string& id : ids->second) {
    const Task& task = tasks_.at(id);
    if (task.live || task.unacked > 0) return;
  }
  std::string agent;
  for (const std::string& id : ids->second) {
    agent = tasks_.at(id).agent_id;
    tasks_.erase(id);
  }
  by_executor_.erase(ids);
  defer_([sink = on_exit_, agent, framework_id, executor_id]() {
    sink(agent, framework_id, executor_id);
  });
}

bool SimulatedRuntime::finish(const std::string& task_id, bool failed) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || !it->second.live) return false;
  if (failed)
    end_task(task_id, TaskState::failed, "Command exited with status 1");
  else
    end_task(task_id, TaskState::finished, "Command exited with status 0");
  return true;
}

void SimulatedRuntime::adopt(const std::string& agent_id, const std::string& framework_id,
                             const std::string& executor_id, const std::string& task_id,
                             std::uint64_t group) {
  tasks_[task_id] = {agent_id, framework_id, executor_id, group, true, 0};
  by_executor_[framework_id + "/" + executor_id].insert(task_id);
  groups_ = std::max(groups_, group);
}

bool SimulatedRuntime::has_task(const std::string& task_id) const {
  auto it = tasks_.find(task_id);
  return it != tasks_.end() && it->second.live;
}

}  // namespace steward::cluster
