#include "cluster/save_failures.hpp"

#include <algorithm>
#include <cmath>

namespace steward::cluster {

std::optional<std::string> SaveFailures::failed(double now, const std::string& error) {
  delay_ = log_.failing() ? std::min(kLongestRetry, delay_ * 2) : kFirstRetry;
  tried_at_ = now;
  next_try_ = now + delay_;
  switch (log_.failed(now, error)) {
    case FailureLog::Say::began:
      return "cannot write the checkpoint: " + error +
             "; executors hear of no acknowledgement until it is written (trying again, at "
             "most every " +
             std::to_string(std::llround(kLongestRetry)) + " s)";
    case FailureLog::Say::still:
      return "still cannot write the checkpoint after " + log_.tries_over(now) + ": " + error;
    case FailureLog::Say::nothing:
      break;
  }
  return std::nullopt;
}

std::optional<std::string> SaveFailures::succeeded(double now) {
  if (!log_.failing()) return std::nullopt;
  std::string line = "checkpoint written again; it had failed " + log_.tries_over(now);
  log_.succeeded();
  return line;
}

nlohmann::json SaveFailures::status() const {
  if (!log_.failing()) return {{"ok", true}};
  return {{"ok", false},
          {"failing_since", log_.since()},
          {"failed_tries", log_.failures()},
          {"error", log_.error()}};
}

}  // namespace steward::cluster
