#pragma once

// The latest offer evaluations of each step, for `GET /v2/debug/offers`: a bounded number per
// step, oldest first. A vector per step, not a deque: most steps keep one evaluation (the one
// that launched them), and a deque allocates over 500 bytes for its first element, which at
// 10,000 steps was 6 MB of a deploy's peak.
//
// A step under way keeps its evaluations; a step whose work ended (it launched and completed,
// or was stopped) is "settled", and only the latest settled steps keep theirs: evaluations
// explain a step that is waiting, and a deploy of 10,000 steps otherwise held 5.8 MB of them
// for good. (dcos-commons keeps its last 100 outcomes in all.)

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
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
  EvaluationHistory(std::size_t per_step, std::size_t settled_steps)
      : per_step_(per_step), settled_steps_(settled_steps) {}

  // Keeps `record` as the step's newest, dropping its oldest past the bound. A settled step
  // that is evaluated again is under way again.
  void add(const std::string& step_id, EvaluationRecord record);
  // The step's work ended: its evaluations are kept while it is among the latest settled.
  void settle(const std::string& step_id);
  // The step is under way again (restarted): it keeps its evaluations until it settles.
  void unsettle(const std::string& step_id);
  void erase(const std::string& step_id);
  // By step id (in no order), each oldest first.
  const std::unordered_map<std::string, std::vector<EvaluationRecord>>& by_step() const {
    return by_step_;
  }
  // Entries of the settled order, stale ones included (what the compaction bounds).
  std::size_t settled_entries() const { return settled_order_.size(); }

 private:
  std::size_t per_step_;
  std::size_t settled_steps_;
  // Hashed: a deploy of 10,000 steps looks a step up at each launch, settle and restart, and
  // comparing step ids (UUIDs) down a tree was 4% of its scheduler's work.
  std::unordered_map<std::string, std::vector<EvaluationRecord>> by_step_;
  // Settled steps, oldest first, each with the number it was settled under; an entry whose
  // step was evaluated again or erased since is stale and skipped.
  std::deque<std::pair<std::uint64_t, std::string>> settled_order_;
  std::unordered_map<std::string, std::uint64_t>
      settled_;  // step id -> its number in settled_order_
  std::uint64_t next_number_ = 0;
};

}  // namespace steward::scheduler
