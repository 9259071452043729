#include "scheduler/task_killer.hpp"

#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

TEST(TaskKiller, KillsAreSentAgainUntilTheTaskEnds) {
  TaskKiller k(5);
  k.kill("t1", "S0");
  k.kill("", "S0");  // an empty id is ignored
  auto due = k.due(0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].task_id, "t1");
  EXPECT_EQ(due[0].agent_id, "S0");
  EXPECT_TRUE(k.due(4).empty());
  EXPECT_EQ(k.due(5).size(), 1u);  // no terminal status yet: again
  k.ended("t1");
  EXPECT_FALSE(k.killing("t1"));
  EXPECT_TRUE(k.due(100).empty());
}

TEST(TaskKiller, AKillRequestedAgainIsDueAtOnce) {
  TaskKiller k(5);
  k.kill("t1", "S0");
  k.due(0);
  k.kill("t1", "S0");
  EXPECT_EQ(k.due(1).size(), 1u);
  EXPECT_EQ(k.size(), 1u);
}

}  // namespace
}  // namespace steward::scheduler
