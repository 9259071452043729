#pragma once

// The scheduler's log: lines on stderr, "12:04:05.123 [service] line".

#include <string>

namespace steward::scheduler {

void log(const std::string& service, const std::string& line);

// While one lives on a thread, that thread's log lines are gathered, each with its own time,
// and written together when the outermost ends: one write for a launch pass that logs 250
// launches, where a write per line was 3% of a 10,000-pod deploy's CPU. A pass lasts
// milliseconds, so the lines still appear as it ends; one cut short by an exception is
// written as it unwinds.
class LogBatch {
 public:
  LogBatch();
  ~LogBatch();
  // Writes what this thread's batch holds so far, before something that may block (the pass
  // waiting for the master to answer the last pass's ACCEPTs): its lines must not wait too.
  static void write_now();
  LogBatch(const LogBatch&) = delete;
  LogBatch& operator=(const LogBatch&) = delete;

 private:
  std::string text_;
  bool outermost_;
};

}  // namespace steward::scheduler
