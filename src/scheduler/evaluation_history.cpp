#include "scheduler/evaluation_history.hpp"

#include <algorithm>

namespace steward::scheduler {

void EvaluationHistory::add(const std::string& step_id, EvaluationRecord record) {
  unsettle(step_id);
  std::vector<EvaluationRecord>& list = by_step_[step_id];
  list.push_back(std::move(record));
  if (list.size() > per_step_)
    list.erase(list.begin(), list.end() - static_cast<std::ptrdiff_t>(per_step_));
}

void EvaluationHistory::settle(const std::string& step_id) {
  if (!by_step_.count(step_id) || settled_.count(step_id)) return;
  settled_[step_id] = next_number_;
  settled_order_.emplace_back(next_number_++, step_id);
  // Past the bound the oldest settled step goes; stale entries go as they reach the front.
  while (!settled_order_.empty()) {
    const auto& [number, id] = settled_order_.front();
    auto it = settled_.find(id);
    const bool stale = it == settled_.end() || it->second != number;
    if (!stale && settled_.size() <= settled_steps_) break;
    if (!stale) {
      by_step_.erase(id);
      settled_.erase(it);
    }
    settled_order_.pop_front();
  }
  // Stale entries behind a live one (a step settled again and again, say a recovery that
  // keeps failing) would otherwise pile up until it goes.
  if (settled_order_.size() > 2 * settled_.size() + 16) {
    std::erase_if(settled_order_, [&](const auto& entry) {
      auto it = settled_.find(entry.second);
      return it == settled_.end() || it->second != entry.first;
    });
  }
}

void EvaluationHistory::erase(const std::string& step_id) {
  by_step_.erase(step_id);
  unsettle(step_id);
}

void EvaluationHistory::unsettle(const std::string& step_id) {
  settled_.erase(step_id);
}

}  // namespace steward::scheduler
