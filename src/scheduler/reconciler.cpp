#include "scheduler/reconciler.hpp"

#include <algorithm>

namespace steward::scheduler {

void Reconciler::start(const std::vector<mesos::Call::TaskRef>& tasks, double now) {
  started_ = true;
  pending_.clear();
  for (const auto& t : tasks)
    pending_[t.task_id] = t.agent_id;
  next_explicit_ = now;
  backoff_ = options_.base_backoff_seconds;
  next_implicit_.reset();
  if (pending_.empty()) next_implicit_ = now + options_.implicit_delay_seconds;
}

void Reconciler::answered(const std::string& task_id, double now) {
  if (pending_.erase(task_id) == 0) return;
  if (pending_.empty() && !next_implicit_) next_implicit_ = now + options_.implicit_delay_seconds;
}

std::optional<Reconciler::Request> Reconciler::poll(double now) {
  if (!started_) return std::nullopt;
  if (!pending_.empty()) {
    if (now < next_explicit_) return std::nullopt;
    Request r;
    for (const auto& [task, agent] : pending_)
      r.tasks.push_back({task, agent});
    next_explicit_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.max_backoff_seconds);
    return r;
  }
  if (next_implicit_ && now >= *next_implicit_) {
    next_implicit_ = now + options_.implicit_period_seconds;
    Request r;
    r.implicit = true;
    return r;
  }
  return std::nullopt;
}

}  // namespace steward::scheduler
