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
  EvaluationHistory h(3, 10);
  for (std::int64_t t = 1; t <= 5; ++t)
    h.add("a", at(t));
  h.add("b", at(10));
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(times(h, "b"), (std::vector<std::int64_t>{10}));
  h.erase("a");
  EXPECT_EQ(h.by_step().count("a"), 0u);
  EXPECT_EQ(h.by_step().size(), 1u);
}

// Steps under way keep theirs; of the settled steps, only the latest keep theirs.
TEST(EvaluationHistory, OnlyTheLatestSettledStepsKeepTheirEvaluations) {
  EvaluationHistory h(3, 2);
  for (const char* step : {"a", "b", "c", "d"})
    h.add(step, at(1));
  h.settle("a");
  h.settle("b");
  EXPECT_EQ(h.by_step().size(), 4u);
  h.settle("c");  // a, the oldest settled, goes
  EXPECT_EQ(h.by_step().count("a"), 0u);
  EXPECT_EQ(h.by_step().count("b"), 1u);
  EXPECT_EQ(h.by_step().count("d"), 1u);  // under way: kept however many settle
  h.settle("c");                          // settling twice changes nothing
  EXPECT_EQ(h.by_step().count("b"), 1u);
  h.settle("unknown");  // a step never evaluated has nothing to keep
  EXPECT_EQ(h.by_step().count("b"), 1u);
  EXPECT_EQ(h.by_step().count("unknown"), 0u);
}

// A settled step evaluated again is under way again: it is not dropped for others settling,
// and counts once more only when it settles again.
TEST(EvaluationHistory, AStepEvaluatedAgainIsUnderWayAgain) {
  EvaluationHistory h(3, 1);
  h.add("a", at(1));
  h.settle("a");
  h.add("a", at(2));  // a recovery of the same step
  h.add("b", at(3));
  h.settle("b");
  h.add("c", at(4));
  h.settle("c");  // b goes; a is under way
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(h.by_step().count("b"), 0u);
  h.settle("a");  // now a is the latest settled, and c goes
  EXPECT_EQ(h.by_step().count("c"), 0u);
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{1, 2}));
  h.erase("a");
  h.add("d", at(5));
  h.settle("d");  // nothing settled is left to drop but d itself stays
  EXPECT_EQ(times(h, "d"), (std::vector<std::int64_t>{5}));
}

// A step restarted before it is evaluated again (waiting for offers) is under way from the
// restart on: steps settling meanwhile do not take its evaluations.
TEST(EvaluationHistory, AnUnsettledStepKeepsItsEvaluationsUntilItSettlesAgain) {
  EvaluationHistory h(3, 1);
  h.add("a", at(1));
  h.settle("a");
  h.unsettle("a");  // restarted
  h.add("b", at(2));
  h.settle("b");
  h.add("c", at(3));
  h.settle("c");
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{1}));
  h.settle("a");  // its work ended again: now it is the latest settled
  EXPECT_EQ(h.by_step().count("c"), 0u);
  EXPECT_EQ(times(h, "a"), (std::vector<std::int64_t>{1}));
}

// A step settled and evaluated again over and over leaves no trail behind.
TEST(EvaluationHistory, ResettlingTheSameStepDoesNotGrowWithoutEnd) {
  EvaluationHistory h(1, 1000);
  h.add("old", at(0));
  h.settle("old");
  for (std::int64_t t = 1; t <= 20000; ++t) {
    h.add("loop", at(t));
    h.settle("loop");
  }
  EXPECT_EQ(h.by_step().size(), 2u);
  EXPECT_LE(h.settled_entries(), 2u * 2 + 16);
}

}  // namespace
}  // namespace steward::scheduler
