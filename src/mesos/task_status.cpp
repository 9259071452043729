#include "mesos/task_status.hpp"

#include <utility>

namespace steward::mesos {

namespace {

constexpr std::pair<TaskState, std::string_view> kStates[] = {
    {TaskState::staging, "TASK_STAGING"},
    {TaskState::starting, "TASK_STARTING"},
    {TaskState::running, "TASK_RUNNING"},
    {TaskState::killing, "TASK_KILLING"},
    {TaskState::finished, "TASK_FINISHED"},
    {TaskState::failed, "TASK_FAILED"},
    {TaskState::killed, "TASK_KILLED"},
    {TaskState::error, "TASK_ERROR"},
    {TaskState::lost, "TASK_LOST"},
    {TaskState::dropped, "TASK_DROPPED"},
    {TaskState::unreachable, "TASK_UNREACHABLE"},
    {TaskState::gone, "TASK_GONE"},
    {TaskState::gone_by_operator, "TASK_GONE_BY_OPERATOR"},
    {TaskState::unknown, "TASK_UNKNOWN"},
};

}  // namespace

std::string_view to_string(TaskState s) {
  for (const auto& [state, name] : kStates) {
    if (state == s) return name;
  }
  return "TASK_UNKNOWN";
}

std::optional<TaskState> parse_task_state(std::string_view name) {
  for (const auto& [state, text] : kStates) {
    if (text == name) return state;
  }
  return std::nullopt;
}

bool is_terminal(TaskState s) {
  switch (s) {
    case TaskState::finished:
    case TaskState::failed:
    case TaskState::killed:
    case TaskState::error:
    case TaskState::dropped:
    case TaskState::gone:
    case TaskState::gone_by_operator:
      return true;
    default:
      return false;
  }
}

}  // namespace steward::mesos
