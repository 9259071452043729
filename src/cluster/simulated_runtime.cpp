#include "cluster/simulated_runtime.hpp"

#include <algorithm>

namespace steward::cluster {

using mesos::TaskState;

namespace {
std::string key_of(const std::string& framework_id, const std::string& id) {
  return framework_id + "/" + id;
}
}  // namespace

SimulatedRuntime::SimulatedRuntime(Defer defer, StatusSink on_status, ExitSink on_exit)
    : defer_(std::move(defer)), on_status_(std::move(on_status)), on_exit_(std::move(on_exit)) {}

void SimulatedRuntime::report(const std::string& key, TaskState state, std::string message,
                              std::string reason) {
  auto it = tasks_.find(key);
  if (it == tasks_.end()) return;
  ++it->second.unacked;
  mesos::TaskStatus s;
  s.task_id = it->second.task_id;
  s.state = state;
  s.source = mesos::TaskStatus::Source::executor;
  s.executor_id = it->second.executor_id;
  s.message = std::move(message);
  s.reason = std::move(reason);
  s.ip_addresses = {"127.0.0.1"};
  defer_([sink = on_status_, agent = it->second.agent_id, framework = it->second.framework_id,
          s = std::move(s)]() mutable { sink(agent, framework, std::move(s)); });
}

void SimulatedRuntime::launch(const LaunchRequest& request) {
  const std::uint64_t group = ++groups_;
  for (const mesos::TaskInfo& info : request.tasks) {
    const std::string key = key_of(request.framework->id, info.task_id);
    tasks_[key] = {info.task_id,
                   request.agent_id,
                   request.framework->id,
                   request.executor.executor_id,
                   group,
                   true,
                   0};
    by_executor_[key_of(request.framework->id, request.executor.executor_id)].insert(key);
    report(key, TaskState::starting, "");
    report(key, TaskState::running, "");
  }
}

void SimulatedRuntime::end_task(const std::string& key, TaskState state, std::string message,
                                std::string reason) {
  auto it = tasks_.find(key);
  if (it == tasks_.end() || !it->second.live) return;
  it->second.live = false;
  report(key, state, std::move(message), std::move(reason));
  if (state == TaskState::failed || state == TaskState::killed) {
    // Group failure policy: the rest of the group is killed.
    const std::uint64_t group = it->second.group;
    for (const std::string& other :
         by_executor_[key_of(it->second.framework_id, it->second.executor_id)]) {
      Task& task = tasks_.at(other);
      if (task.group == group && task.live) {
        task.live = false;
        report(other, TaskState::killed, "Killed because another task of its group ended");
      }
    }
  }
}

void SimulatedRuntime::kill_task(const std::string&, const std::string& framework_id,
                                 const std::string&, const std::string& task_id,
                                 std::optional<std::int64_t>) {
  end_task(key_of(framework_id, task_id), TaskState::killed, "Killed by the scheduler");
}

void SimulatedRuntime::shutdown_executor(const std::string&, const std::string& framework_id,
                                         const std::string& executor_id) {
  for (const std::string& key : by_executor_[key_of(framework_id, executor_id)]) {
    Task& task = tasks_.at(key);
    if (task.live) {
      task.live = false;
      report(key, TaskState::killed, "Executor shut down", "REASON_EXECUTOR_TERMINATED");
    }
  }
  maybe_exit(framework_id, executor_id);
}

void SimulatedRuntime::acknowledged(const std::string&, const std::string& framework_id,
                                    const std::string& executor_id, const std::string& task_id,
                                    const std::string&) {
  auto it = tasks_.find(key_of(framework_id, task_id));
  if (it == tasks_.end()) return;
  if (it->second.unacked > 0) --it->second.unacked;
  maybe_exit(framework_id, executor_id);
}

void SimulatedRuntime::maybe_exit(const std::string& framework_id, const std::string& executor_id) {
  auto keys = by_executor_.find(key_of(framework_id, executor_id));
  if (keys == by_executor_.end()) return;
  if (keys->second.empty()) {
    by_executor_.erase(keys);
    return;
  }
  for (const std::string& key : keys->second) {
    const Task& task = tasks_.at(key);
    if (task.live || task.unacked > 0) return;
  }
  std::string agent;
  for (const std::string& key : keys->second) {
    agent = tasks_.at(key).agent_id;
    tasks_.erase(key);
  }
  by_executor_.erase(keys);
  defer_([sink = on_exit_, agent, framework_id, executor_id]() {
    sink(agent, framework_id, executor_id);
  });
}

std::string SimulatedRuntime::find_live(const std::string& task) const {
  // "framework/task" names one exactly; a bare task id must be unambiguous.
  if (auto it = tasks_.find(task); it != tasks_.end() && it->second.live) return task;
  std::string found;
  for (const auto& [key, t] : tasks_) {
    if (t.task_id != task || !t.live) continue;
    if (!found.empty()) return {};
    found = key;
  }
  return found;
}

bool SimulatedRuntime::finish(const std::string& task, bool failed) {
  const std::string key = find_live(task);
  if (key.empty()) return false;
  if (failed)
    end_task(key, TaskState::failed, "Command exited with status 1");
  else
    end_task(key, TaskState::finished, "Command exited with status 0");
  return true;
}

void SimulatedRuntime::adopt(const std::string& agent_id, const std::string& framework_id,
                             const std::string& executor_id, const std::string& task_id,
                             std::uint64_t group) {
  const std::string key = key_of(framework_id, task_id);
  tasks_[key] = {task_id, agent_id, framework_id, executor_id, group, true, 0};
  by_executor_[key_of(framework_id, executor_id)].insert(key);
  groups_ = std::max(groups_, group);
}

bool SimulatedRuntime::has_task(const std::string& task) const {
  return !find_live(task).empty();
}

}  // namespace steward::cluster
