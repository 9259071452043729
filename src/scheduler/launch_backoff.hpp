#pragma once

// Launch backoff per task name (dcos-commons §5.6, on by default here): each TASK_FAILED or
// TASK_ERROR pushes the next launch of that task out — initial delay, then multiplied by the
// factor per further failure, up to the maximum. A task that ran for `reset_seconds` before
// failing starts again from the initial delay (a task that dies right after TASK_RUNNING is
// still a crash loop); a pod restart or replace and TASK_GONE_BY_OPERATOR clear it. Pure logic;
// times in seconds.

#include <cstddef>
#include <map>
#include <string>

namespace steward::scheduler {

class LaunchBackoff {
 public:
  struct Options {
    double initial_seconds = 3;
    double factor = 2;
    double max_seconds = 300;
    double reset_seconds = 10;
  };
  LaunchBackoff() : LaunchBackoff(Options{}) {}
  explicit LaunchBackoff(Options options) : options_(options) {}

  // A failure of `task` at `now`: returns when it may launch again.
  double failed(const std::string& task, double now);
  // The task reported TASK_RUNNING (the first report of a launch counts). Only a task with a
  // failure on record is timed: for one without, a failure starts from the initial delay
  // either way, and nothing else asks (at 10,000 healthy tasks an entry each was 1.3 MB).
  void running(const std::string& task, double now);
  // The task stopped running without failing (killed, lost, finished).
  void stopped(const std::string& task);
  void clear(const std::string& task);
  // Seconds since the current launch reported TASK_RUNNING; 0 when it has not, or when the
  // task has no failure on record.
  double running_for(const std::string& task, double now) const;
  // When `task` may launch again (0: at once).
  double ready_at(const std::string& task) const;
  bool delayed(const std::string& task, double now) const { return ready_at(task) > now; }
  int failures(const std::string& task) const;
  std::size_t size() const { return entries_.size(); }  // tasks with a failure on record

 private:
  struct Entry {
    int failures = 0;
    double delay = 0;
    double ready_at = 0;
    double running_since = -1;
  };
  Options options_;
  std::map<std::string, Entry> entries_;
};

}  // namespace steward::scheduler
