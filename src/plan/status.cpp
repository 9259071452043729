#include "plan/status.hpp"

#include <algorithm>

namespace steward::plan {

namespace {

constexpr std::pair<Status, std::string_view> kNames[] = {
    {Status::error, "ERROR"},       {Status::waiting, "WAITING"},
    {Status::pending, "PENDING"},   {Status::prepared, "PREPARED"},
    {Status::starting, "STARTING"}, {Status::started, "STARTED"},
    {Status::complete, "COMPLETE"}, {Status::in_progress, "IN_PROGRESS"},
    {Status::delayed, "DELAYED"}};

bool any(const std::vector<Status>& v, Status s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string_view to_string(Status s) {
  for (const auto& [status, name] : kNames) {
    if (status == s) return name;
  }
  return "ERROR";
}

std::optional<Status> parse_status(std::string_view name) {
  for (const auto& [status, text] : kNames) {
    if (text == name) return status;
  }
  return std::nullopt;
}

bool is_running(Status s) {
  return s == Status::prepared || s == Status::starting || s == Status::started ||
         s == Status::in_progress;
}

Status aggregate(const std::vector<Status>& children, const std::vector<Status>& candidates,
                 bool interrupted, bool has_errors) {
  if (has_errors || any(children, Status::error)) return Status::error;
  if (std::all_of(children.begin(), children.end(),
                  [](Status s) { return s == Status::complete; })) {
    return Status::complete;
  }
  if (interrupted) return Status::waiting;
  if (!candidates.empty() && std::all_of(candidates.begin(), candidates.end(),
                                         [](Status s) { return s == Status::delayed; })) {
    return Status::delayed;
  }
  if (any(children, Status::prepared)) return Status::in_progress;
  if (any(candidates, Status::waiting)) return Status::waiting;
  if (any(candidates, Status::in_progress)) return Status::in_progress;
  if (any(children, Status::complete) &&
      (any(candidates, Status::pending) || any(candidates, Status::starting) ||
       any(candidates, Status::started))) {
    return Status::in_progress;
  }
  if (any(candidates, Status::pending)) return Status::pending;
  if (any(children, Status::waiting)) return Status::waiting;
  if (any(candidates, Status::starting)) return Status::starting;
  if (any(candidates, Status::started)) return Status::started;
  if (any(candidates, Status::delayed)) return Status::delayed;
  return Status::error;
}

}  // namespace steward::plan
