#include "cluster/save_failures.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace steward::cluster {
namespace {

TEST(SaveFailures, TriesAgainFurtherApartUpToTheLongestWait) {
  SaveFailures f;
  EXPECT_TRUE(f.may_try(0));
  double now = 1000;
  std::vector<double> waits;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(f.may_try(now));
    f.failed(now, "disk full");
    const double wait = f.wait(now);
    EXPECT_FALSE(f.may_try(now + wait / 2));
    waits.push_back(wait);
    now += wait;
  }
  EXPECT_NEAR(waits[0], SaveFailures::kFirstRetry, 1e-9);
  EXPECT_NEAR(waits[1], 2 * SaveFailures::kFirstRetry, 1e-9);
  EXPECT_NEAR(waits[2], 4 * SaveFailures::kFirstRetry, 1e-9);
  EXPECT_NEAR(waits.back(), SaveFailures::kLongestRetry, 1e-9);
  EXPECT_EQ(f.tries(), 10u);
  // A save that goes through ends it: the next failure waits the shortest time again.
  f.succeeded(now);
  EXPECT_FALSE(f.failing());
  EXPECT_TRUE(f.may_try(now));
  f.failed(now, "disk full");
  EXPECT_NEAR(f.wait(now), SaveFailures::kFirstRetry, 1e-9);
}

// A clock set back (the daemon's is the wall clock) does not hold the saves back for as long.
TEST(SaveFailures, AClockSetBackDoesNotHoldTheSavesBack) {
  SaveFailures f;
  for (int i = 0; i < 8; ++i)
    f.failed(1000, "disk full");  // now waiting 5 s from 1000
  EXPECT_FALSE(f.may_try(1002));
  EXPECT_TRUE(f.may_try(400)) << "the clock went back 10 minutes";
}

TEST(SaveFailures, LogsTheStartAChangedErrorEveryMinuteAndTheEnd) {
  SaveFailures f;
  EXPECT_FALSE(f.succeeded(5).has_value()) << "nothing failed: nothing to say";
  auto first = f.failed(100, "cannot write x: No space left on device");
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->find("cannot write the checkpoint: cannot write x: No space left on device"),
            std::string::npos)
      << *first;
  EXPECT_FALSE(f.failed(101, "cannot write x: No space left on device").has_value());
  EXPECT_FALSE(f.failed(150, "cannot write x: No space left on device").has_value());
  auto changed = f.failed(151, "cannot write x: Read-only file system");
  ASSERT_TRUE(changed.has_value());
  EXPECT_NE(changed->find("still cannot write the checkpoint after 4 tries over 51 s: cannot "
                          "write x: Read-only file system"),
            std::string::npos)
      << *changed;
  EXPECT_FALSE(f.failed(200, "cannot write x: Read-only file system").has_value());
  EXPECT_TRUE(f.failed(211, "cannot write x: Read-only file system").has_value())
      << "a minute after the last line";
  const nlohmann::json status = f.status();
  EXPECT_EQ(status["ok"], false);
  EXPECT_EQ(status["failed_tries"], 6);
  EXPECT_EQ(status["failing_since"], 100.0);
  EXPECT_EQ(status["error"], "cannot write x: Read-only file system");
  auto end = f.succeeded(230);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, "checkpoint written again; it had failed 6 tries over 130 s");
  EXPECT_EQ(f.status(), nlohmann::json({{"ok", true}}));
}

}  // namespace
}  // namespace steward::cluster
