#include "scheduler/launch_backoff.hpp"

#include <algorithm>

namespace steward::scheduler {

void LaunchBackoff::running(const std::string& task, double now) {
  auto it = entries_.find(task);
  if (it != entries_.end() && it->second.running_since < 0) it->second.running_since = now;
}

void LaunchBackoff::stopped(const std::string& task) {
  auto it = entries_.find(task);
  if (it != entries_.end()) it->second.running_since = -1;
}

double LaunchBackoff::failed(const std::string& task, double now) {
  Entry& e = entries_[task];
  if (e.running_since >= 0 && now - e.running_since >= options_.reset_seconds) e.failures = 0;
  e.running_since = -1;
  e.failures++;
  e.delay = e.failures == 1 ? options_.initial_seconds
                            : std::min(options_.max_seconds, e.delay * options_.factor);
  e.delay = std::min(e.delay, options_.max_seconds);
  e.ready_at = now + e.delay;
  return e.ready_at;
}

void LaunchBackoff::clear(const std::string& task) {
  entries_.erase(task);
}

double LaunchBackoff::ready_at(const std::string& task) const {
  auto it = entries_.find(task);
  return it == entries_.end() ? 0 : it->second.ready_at;
}

double LaunchBackoff::running_for(const std::string& task, double now) const {
  auto it = entries_.find(task);
  return it == entries_.end() || it->second.running_since < 0 ? 0 : now - it->second.running_since;
}

int LaunchBackoff::failures(const std::string& task) const {
  auto it = entries_.find(task);
  return it == entries_.end() ? 0 : it->second.failures;
}

}  // namespace steward::scheduler
