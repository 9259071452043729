#pragma once

// What the cluster daemon does while its checkpoint cannot be written (a full disk, a data
// directory gone read-only). Until a save goes through, executors hear of no acknowledgement,
// so the saves are tried again: a tenth of a second after the first failure, then twice as
// long after each one, at most every 5 s; what is logged of it, FailureLog decides. A failed
// save used to be tried again at once, each try logging a line: a full disk got tens of
// thousands of lines a second. Times are seconds on one clock (the daemon's wall clock).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/failure_log.hpp"

namespace steward::cluster {

class SaveFailures {
 public:
  static constexpr double kFirstRetry = 0.1;
  static constexpr double kLongestRetry = 5;

  // Whether a save may be tried at `now`, and how long until one may be (0: now). A clock
  // that went back past the last try does not hold the saves back for as long as it went.
  bool may_try(double now) const { return !log_.failing() || now >= next_try_ || now < tried_at_; }
  double wait(double now) const { return may_try(now) ? 0 : next_try_ - now; }

  // A save tried at `now` failed with `error`: the line to log, when one is due.
  std::optional<std::string> failed(double now, const std::string& error);
  // A save went through: the line to log when it ends a run of failures.
  std::optional<std::string> succeeded(double now);

  bool failing() const { return log_.failing(); }
  std::uint64_t tries() const { return log_.failures(); }  // failed in a row
  // For the cluster's status: {"ok": true} or {"ok": false, "failing_since": <seconds>,
  // "failed_tries": N, "error": "..."}.
  nlohmann::json status() const;

 private:
  FailureLog log_;
  double tried_at_ = 0;
  double next_try_ = 0;
  double delay_ = 0;
};

}  // namespace steward::cluster
