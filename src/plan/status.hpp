#pragma once

// Statuses of steps, phases and plans, and how a parent's status follows from its children
// (dcos-commons semantics: the order of the rules matters).

#include <optional>
#include <string_view>
#include <vector>

namespace steward::plan {

enum class Status {
  error,
  waiting,  // aggregate only: interrupted
  pending,
  prepared,  // being matched against offers, or its old tasks being killed
  starting,  // operations sent
  started,   // running, readiness not yet passed
  complete,
  in_progress,  // aggregate only
  delayed,      // failed, launch backoff active
};

std::string_view to_string(Status s);  // "IN_PROGRESS"
std::optional<Status> parse_status(std::string_view name);

// PREPARED, STARTING, STARTED or IN_PROGRESS: work is under way.
bool is_running(Status s);

// The status of a phase or plan from its children's statuses, the statuses of the children
// its strategy would work on now ("candidates"), whether it is interrupted, and whether
// errors are attached to it.
Status aggregate(const std::vector<Status>& children, const std::vector<Status>& candidates,
                 bool interrupted, bool has_errors);

}  // namespace steward::plan
