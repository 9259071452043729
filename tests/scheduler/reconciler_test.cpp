#include "scheduler/reconciler.hpp"

#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

std::vector<mesos::Call::TaskRef> two() {
  return {{"a__1", "S0"}, {"b__1", "S1"}};
}

TEST(Reconciler, NothingBeforeASubscription) {
  Reconciler r;
  EXPECT_FALSE(r.poll(0));
  EXPECT_FALSE(r.complete());
}

TEST(Reconciler, ExplicitRepeatsWithBackoffUntilEveryTaskIsAnswered) {
  Reconciler r;
  r.start(two(), 100);
  auto first = r.poll(100);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->implicit);
  ASSERT_EQ(first->tasks.size(), 2u);
  EXPECT_EQ(first->tasks[0].agent_id, "S0");
  EXPECT_FALSE(r.complete()) << "offers wait";
  EXPECT_FALSE(r.poll(103.9)) << "4 s before the first retry";
  r.answered("a__1", 104);
  auto second = r.poll(104);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->tasks.size(), 1u) << "only the unanswered one";
  EXPECT_EQ(second->tasks[0].task_id, "b__1");
  EXPECT_FALSE(r.poll(111.9)) << "then 8 s";
  ASSERT_TRUE(r.poll(112));
  // The backoff doubles up to 30 s and stays there.
  double t = 112;
  for (double expected : {16.0, 30.0, 30.0}) {
    EXPECT_FALSE(r.poll(t + expected - 0.1));
    ASSERT_TRUE(r.poll(t + expected));
    t += expected;
  }
  r.answered("b__1", t + 1);
  EXPECT_TRUE(r.complete());
}

TEST(Reconciler, ImplicitAfterExplicitThenPeriodically) {
  Reconciler r({4, 30, 0, 3600});
  r.start(two(), 0);
  r.poll(0);
  r.answered("a__1", 1);
  r.answered("b__1", 2);
  auto implicit = r.poll(2);
  ASSERT_TRUE(implicit);
  EXPECT_TRUE(implicit->implicit);
  EXPECT_TRUE(implicit->tasks.empty());
  EXPECT_FALSE(r.poll(3601));
  auto again = r.poll(3602);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->implicit);
}

TEST(Reconciler, NoTasksMeansCompleteAtOnce) {
  Reconciler r;
  r.start({}, 50);
  EXPECT_TRUE(r.complete());
  auto implicit = r.poll(50);
  ASSERT_TRUE(implicit);
  EXPECT_TRUE(implicit->implicit);
}

TEST(Reconciler, ANewSubscriptionStartsOver) {
  Reconciler r;
  r.start(two(), 0);
  r.answered("a__1", 0);
  r.answered("b__1", 0);
  ASSERT_TRUE(r.complete());
  r.start(two(), 10);
  EXPECT_FALSE(r.complete());
  auto req = r.poll(10);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->tasks.size(), 2u);
  r.answered("unknown-task", 11);  // an answer for something not asked about changes nothing
  EXPECT_EQ(r.pending(), 2u);
}

}  // namespace
}  // namespace steward::scheduler
