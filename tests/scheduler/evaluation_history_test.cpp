#include "scheduler/evaluation_history.hpp"

#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

EvaluationRecord at(std::int64_t time_ms) {
  EvaluationRecord r;
  r.time_ms = time_ms;
  r.step = "node-0:[server]";
  return r;
}

std::vector<std::int64_t> times(const EvaluationHistory& h, const std::string& step) {
  std::vector<std::int64_t> out;
  for (const EvaluationRecord& r : h.by_step().at(step))
    out.push_back(r.time_ms);
  return out;
}

TEST(EvaluationHistory, KeepsEachStepsLatestUpToTheBoundOldestFirst) {
  EvaluationHistory h(3);
  for (std::int64_t t = 1; t <= 5; ++t)
    h.add("a", at(t));
  h.add("b", at(10));
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(times(h, "b"), (std::vector<std::int64_t>{10}));
  h.erase("a");
  EXPECT_EQ(h.by_step().count("a"), 0u);
  EXPECT_EQ(h.by_step().size(), 1u);
}

}  // namespace
}  // namespace steward::scheduler
