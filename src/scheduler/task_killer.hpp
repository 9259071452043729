#pragma once

// Kills that are not forgotten (dcos-commons §5.5): a kill is remembered and sent again every
// few seconds until a terminal status for that task id arrives. Pure logic: the scheduler sends
// what due() returns.

#include <map>
#include <string>
#include <vector>

#include "mesos/call.hpp"

namespace steward::scheduler {

class TaskKiller {
 public:
  explicit TaskKiller(double resend_seconds = 5) : resend_(resend_seconds) {}

  // Remember a kill; it is due at once.
  void kill(const std::string& task_id, const std::string& agent_id);
  // A terminal status arrived: stop asking.
  void ended(const std::string& task_id) { pending_.erase(task_id); }
  bool killing(const std::string& task_id) const { return pending_.count(task_id) > 0; }
  // Kills to send now; each is due again after the resend interval.
  std::vector<mesos::Call::TaskRef> due(double now);
  std::size_t size() const { return pending_.size(); }

 private:
  struct Entry {
    std::string agent_id;
    double next = 0;
  };
  double resend_;
  std::map<std::string, Entry> pending_;
};

}  // namespace steward::scheduler
