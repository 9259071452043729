#include "scheduler/call_failures.hpp"

namespace steward::scheduler {

void CallFailures::failed(const std::string& what, const std::string& error, double now) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
    FailureLog& kind = kinds_[what];
    if (!kind.failing()) ++failing_;
    switch (kind.failed(now, error)) {
      case FailureLog::Say::began:
        line = what + " failed: " + error;
        break;
      case FailureLog::Say::still:
        line = what + " still failing after " + kind.tries_over(now) + ": " + error;
        break;
      case FailureLog::Say::nothing:
        break;
    }
  }
  if (!line.empty()) log_(line);  // outside the lock: a slow log holds no other caller
}

void CallFailures::succeeded(const std::string& what, double now) {
  if (failing_.load(std::memory_order_relaxed) == 0) return;
  std::string line;
  {
    std::lock_guard lock(mutex_);
    auto it = kinds_.find(what);
    if (it == kinds_.end() || !it->second.failing()) return;
    line = what + " goes through again; it had failed " + it->second.tries_over(now);
    it->second.succeeded();
    --failing_;
  }
  log_(line);
}

}  // namespace steward::scheduler
