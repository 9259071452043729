#include "scheduler/launch_backoff.hpp"

#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

TEST(LaunchBackoff, DelaysGrowByTheFactorUpToTheMaximum) {
  LaunchBackoff b({1, 2, 5, 10});
  EXPECT_FALSE(b.delayed("t", 0));
  EXPECT_DOUBLE_EQ(b.failed("t", 100), 101);
  EXPECT_TRUE(b.delayed("t", 100.5));
  EXPECT_FALSE(b.delayed("t", 101));
  EXPECT_DOUBLE_EQ(b.failed("t", 200), 202);
  EXPECT_DOUBLE_EQ(b.failed("t", 300), 304);
  EXPECT_DOUBLE_EQ(b.failed("t", 400), 405);  // capped at 5
  EXPECT_EQ(b.failures("t"), 4);
  EXPECT_FALSE(b.delayed("other", 400));  // per task
}

TEST(LaunchBackoff, RunningLongEnoughStartsOverButACrashRightAfterRunningDoesNot) {
  LaunchBackoff b({1, 2, 60, 10});
  b.failed("t", 0);
  b.running("t", 1);
  EXPECT_DOUBLE_EQ(b.failed("t", 2), 4);  // ran 1 s: still a crash loop, 2 s delay
  b.running("t", 4);
  EXPECT_DOUBLE_EQ(b.failed("t", 20), 21);  // ran 16 s: back to the initial delay
  EXPECT_EQ(b.failures("t"), 1);
}

TEST(LaunchBackoff, RunningForCountsFromTheFirstRunningOfALaunch) {
  LaunchBackoff b;
  b.failed("t", 0);
  EXPECT_EQ(b.running_for("t", 5), 0);
  b.running("t", 10);
  b.running("t", 12);  // a repeated report does not restart the clock
  EXPECT_DOUBLE_EQ(b.running_for("t", 15), 5);
  b.stopped("t");
  EXPECT_EQ(b.running_for("t", 20), 0);
}

// A task that never failed is not timed: nothing is kept for it, and a first failure after
// any time running starts from the initial delay.
TEST(LaunchBackoff, KeepsNothingForATaskThatNeverFailed) {
  LaunchBackoff b({1, 2, 60, 10});
  b.running("t", 0);
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.running_for("t", 5), 0);
  EXPECT_DOUBLE_EQ(b.failed("t", 3), 4);
  EXPECT_DOUBLE_EQ(b.failed("u", 30), 31);
  EXPECT_EQ(b.size(), 2u);
}

TEST(LaunchBackoff, ClearForgetsEverything) {
  LaunchBackoff b;
  b.failed("t", 0);
  b.clear("t");
  EXPECT_FALSE(b.delayed("t", 0));
  EXPECT_EQ(b.failures("t"), 0);
}

}  // namespace
}  // namespace steward::scheduler
