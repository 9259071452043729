#pragma once

// The latest offer evaluations of each step, for `GET /v2/debug/offers`: a bounded number per
// step, oldest first. A vector per step, not a deque: most steps keep one evaluation (the one
// that launched them), and a deque allocates over 500 bytes for its first element, which at
// 10,000 steps was 6 MB of a deploy's peak.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "offer/footprint_evaluator.hpp"

namespace steward::scheduler {

// One evaluation of a step against the offers at hand.
struct EvaluationRecord {
  std::int64_t time_ms = 0;
  std::string plan, phase, step;
  offer::Outcome outcome;  // children: one per offer
};

class EvaluationHistory {
 public:
  explicit EvaluationHistory(std::size_t per_step) : per_step_(per_step) {}

  // Keeps `record` as the step's newest, dropping its oldest past the bound.
  void add(const std::string& step_id, EvaluationRecord record) {
    std::vector<EvaluationRecord>& list = by_step_[step_id];
    list.push_back(std::move(record));
    if (list.size() > per_step_)
      list.erase(list.begin(), list.end() - static_cast<std::ptrdiff_t>(per_step_));
  }
  void erase(const std::string& step_id) { by_step_.erase(step_id); }
  // By step id, each oldest first.
  const std::map<std::string, std::vector<EvaluationRecord>>& by_step() const { return by_step_; }

 private:
  std::size_t per_step_;
  std::map<std::string, std::vector<EvaluationRecord>> by_step_;
};

}  // namespace steward::scheduler
