#pragma once

// Which failed calls to the master the log tells of. A call that fails is seldom alone: the
// ACKNOWLEDGEs in flight when a subscription ends fail together, and a SUPPRESS or TEARDOWN a
// master refuses is tried again at every tick. A line per call made bursts of dozens, and ten
// lines a second for as long as a master kept refusing. Per kind of call, as FailureLog
// decides: a line when failures begin, when their error changes or a minute after the last
// line, and one when a call of that kind goes through again. Called from any thread (the
// loop and the call queues').

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "common/failure_log.hpp"

namespace steward::scheduler {

class CallFailures {
 public:
  using Log = std::function<void(const std::string& line)>;
  explicit CallFailures(Log log) : log_(std::move(log)) {}

  // A call of kind `what` (its type: "ACKNOWLEDGE") failed at `now` (seconds) with `error`.
  void failed(const std::string& what, const std::string& error, double now);
  // One went through. Cheap while nothing fails: every acknowledgement of a deploy comes here.
  void succeeded(const std::string& what, double now);

 private:
  Log log_;
  std::atomic<std::size_t> failing_{0};  // kinds failing now
  std::mutex mutex_;                     // guards what follows
  std::map<std::string, FailureLog, std::less<>> kinds_;
};

}  // namespace steward::scheduler
