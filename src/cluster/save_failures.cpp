#include "cluster/save_failures.hpp"

#include <algorithm>
#include <cmath>

namespace steward::cluster {

namespace {

std::string seconds_text(double seconds) {
  return std::to_string(std::llround(std::max(0.0, seconds))) + " s";
}

std::string tries_text(std::uint64_t tries) {
  return std::to_string(tries) + (tries == 1 ? " try" : " tries");
}

}  // namespace

std::optional<std::string> SaveFailures::failed(double now, const std::string& error) {
  if (tries_ == 0) {
    since_ = now;
    delay_ = kFirstRetry;
  } else {
    delay_ = std::min(kLongestRetry, delay_ * 2);
  }
  ++tries_;
  next_try_ = now + delay_;
  error_ = error;
  if (tries_ == 1) {
    logged_at_ = now;
    logged_error_ = error;
    return "cannot write the checkpoint: " + error +
           "; executors hear of no acknowledgement until it is written (trying again, at "
           "most every " +
           seconds_text(kLongestRetry) + ")";
  }
  if (error != logged_error_ || now - logged_at_ >= kLogEvery) {
    logged_at_ = now;
    logged_error_ = error;
    return "still cannot write the checkpoint after " + tries_text(tries_) + " over " +
           seconds_text(now - since_) + ": " + error;
  }
  return std::nullopt;
}

std::optional<std::string> SaveFailures::succeeded(double now) {
  if (tries_ == 0) return std::nullopt;
  std::string line = "checkpoint written again, after " + tries_text(tries_) +
                     " that failed over " + seconds_text(now - since_);
  *this = SaveFailures();
  return line;
}

nlohmann::json SaveFailures::status() const {
  if (tries_ == 0) return {{"ok", true}};
  return {{"ok", false}, {"failing_since", since_}, {"failed_tries", tries_}, {"error", error_}};
}

}  // namespace steward::cluster
