#pragma once

// When to log a failure that repeats (a write that fails on a full disk, tried again and
// again): when it begins, when its error changes, a minute after the last line, and once when
// it ends. Logging every try filled logs, and the disk, at the rate of the tries. Times are
// seconds on one clock.

#include <cstdint>
#include <string>

namespace steward {

class FailureLog {
 public:
  static constexpr double kEvery = 60;

  enum class Say { nothing, began, still };
  // A try failed at `now` with `error`: whether to log, and which line.
  Say failed(double now, const std::string& error);
  // A try went through: true when it ends a run of failures (say so), which is then forgotten.
  bool succeeded();

  bool failing() const { return failures_ > 0; }
  std::uint64_t failures() const { return failures_; }  // in a row
  double since() const { return since_; }               // the first of them
  const std::string& error() const { return error_; }   // the last one's

  // "3 tries over 12 s" (1 try; seconds rounded), for the lines.
  std::string tries_over(double now) const;

 private:
  std::uint64_t failures_ = 0;
  double since_ = 0;
  double logged_at_ = 0;
  std::string error_;
  std::string logged_error_;
};

}  // namespace steward
