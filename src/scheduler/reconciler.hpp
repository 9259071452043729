#pragma once

// Reconciliation as dcos-commons does it (§9.3): after every subscription the scheduler asks
// about every task it believes is alive (explicit reconciliation), again and again with
// backoff (4 s doubling to 30 s) until each has been answered; offers are not used until
// then. After that, an implicit reconciliation (an empty list: "tell me everything") goes out
// at once and then every hour, so tasks the scheduler forgot are found and killed.
// Pure logic: the caller sends what poll() returns and feeds statuses to answered().

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mesos/call.hpp"

namespace steward::scheduler {

class Reconciler {
 public:
  struct Options {
    double base_backoff_seconds = 4;
    double max_backoff_seconds = 30;
    double implicit_delay_seconds = 0;
    double implicit_period_seconds = 3600;
  };
  struct Request {
    bool implicit = false;
    std::vector<mesos::Call::TaskRef> tasks;  // empty for an implicit reconciliation
  };

  Reconciler() : Reconciler(Options{}) {}
  explicit Reconciler(Options options) : options_(options) {}

  // A new subscription: `tasks` (the stored, non-terminal ones) must be heard of again.
  void start(const std::vector<mesos::Call::TaskRef>& tasks, double now);
  // A status for this task arrived (from any source): it is answered.
  void answered(const std::string& task_id, double now);
  // What to send now, if anything.
  std::optional<Request> poll(double now);
  // Explicit reconciliation is done: offers may be used.
  bool complete() const { return started_ && pending_.empty(); }
  std::size_t pending() const { return pending_.size(); }

 private:
  Options options_;
  bool started_ = false;
  std::map<std::string, std::string> pending_;  // task id -> agent id
  double next_explicit_ = 0;
  double backoff_ = 0;
  std::optional<double> next_implicit_;
};

}  // namespace steward::scheduler
