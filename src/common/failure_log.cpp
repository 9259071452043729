#include "common/failure_log.hpp"

#include <algorithm>
#include <cmath>

namespace steward {

FailureLog::Say FailureLog::failed(double now, const std::string& error) {
  if (failures_++ == 0) since_ = now;
  error_ = error;
  if (failures_ == 1) {
    logged_at_ = now;
    logged_error_ = error;
    return Say::began;
  }
  // A clock set back counts as a minute gone: better a line too many than none for hours.
  if (error != logged_error_ || now - logged_at_ >= kEvery || now < logged_at_) {
    logged_at_ = now;
    logged_error_ = error;
    return Say::still;
  }
  return Say::nothing;
}

bool FailureLog::succeeded() {
  if (failures_ == 0) return false;
  failures_ = 0;
  return true;
}

std::string FailureLog::tries_over(double now) const {
  return std::to_string(failures_) + (failures_ == 1 ? " try" : " tries") + " over " +
         std::to_string(std::llround(std::max(0.0, now - since_))) + " s";
}

}  // namespace steward
