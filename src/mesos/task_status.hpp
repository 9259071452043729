#pragma once

// Mesos v1 TaskState and TaskStatus as plain data (mesos.proto), shared by the scheduler
// (UPDATE events it acts on) and the embedded cluster and executor (updates they send).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesos/resource.hpp"

namespace steward::mesos {

enum class TaskState {
  staging,
  starting,
  running,
  killing,
  finished,
  failed,
  killed,
  error,
  lost,
  dropped,
  unreachable,
  gone,
  gone_by_operator,
  unknown,
};

std::string_view to_string(TaskState s);  // "TASK_RUNNING"
std::optional<TaskState> parse_task_state(std::string_view name);
// FINISHED, FAILED, KILLED, ERROR, DROPPED, GONE, GONE_BY_OPERATOR. LOST is not always
// terminal (the task may come back with its agent), UNREACHABLE never is.
bool is_terminal(TaskState s);

struct TaskStatus {
  enum class Source { master, agent, executor };

  std::string task_id;
  TaskState state = TaskState::staging;
  std::string message;
  Source source = Source::master;
  std::string reason;  // "REASON_..." as sent; empty when absent
  std::string agent_id;
  std::string executor_id;
  double timestamp = 0;  // seconds since the epoch
  std::string uuid;      // Base64 as sent; empty: not to be acknowledged
  std::optional<bool> healthy;
  // Readiness and other checks: the exit code of a COMMAND check, or a TCP/HTTP success.
  std::optional<int> check_exit_code;
  std::optional<bool> check_succeeded;  // TCP, or HTTP with a 2xx/3xx status
  std::optional<int> check_http_status;
  std::vector<Label> labels;
  std::vector<std::string> ip_addresses;
  friend bool operator==(const TaskStatus&, const TaskStatus&) = default;

  bool needs_ack() const { return !uuid.empty(); }
};

}  // namespace steward::mesos
