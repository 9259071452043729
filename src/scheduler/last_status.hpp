#pragma once

// What the scheduler keeps in memory of a task's latest status: the parts its loops decide
// on. The whole status is in the state store, persisted before it was kept here, and read
// from there by the few answers that show it (GET /v1/pod/NAME/info, debug taskStatuses).
// A whole TaskStatus held about 460 bytes of heap in six allocations (ids, the update's
// uuid, addresses); at 10,000 tasks that was 4.6 MB of a footprint whose target is 50.

#include <optional>
#include <string>

#include "mesos/task_status.hpp"

namespace steward::scheduler {

struct LastStatus {
  LastStatus() = default;
  explicit LastStatus(const mesos::TaskStatus& s)
      : task_id(s.task_id),
        state(s.state),
        check_exit_code(s.check_exit_code),
        check_succeeded(s.check_succeeded) {}

  std::string task_id;
  mesos::TaskState state = mesos::TaskState::staging;
  // The last readiness check result (an update without one keeps the one before).
  std::optional<int> check_exit_code;
  std::optional<bool> check_succeeded;
};

}  // namespace steward::scheduler
