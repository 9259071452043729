#include "scheduler/task_killer.hpp"

namespace steward::scheduler {

void TaskKiller::kill(const std::string& task_id, const std::string& agent_id) {
  if (task_id.empty()) return;
  auto [it, added] = pending_.try_emplace(task_id, Entry{agent_id, 0});
  if (!added) it->second.next = 0;
}

std::vector<mesos::Call::TaskRef> TaskKiller::due(double now) {
  std::vector<mesos::Call::TaskRef> out;
  for (auto& [id, e] : pending_) {
    if (e.next > now) continue;
    out.push_back({id, e.agent_id});
    e.next = now + resend_;
  }
  return out;
}

}  // namespace steward::scheduler
