#include "common/failure_log.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

using Say = FailureLog::Say;

TEST(FailureLog, SaysWhenItBeginsChangesEveryMinuteAndEnds) {
  FailureLog log;
  EXPECT_FALSE(log.succeeded()) << "nothing failed, nothing to say";
  EXPECT_EQ(log.failed(100, "full"), Say::began);
  EXPECT_EQ(log.tries_over(100), "1 try over 0 s");
  for (double t : {101.0, 120.0, 159.0})
    EXPECT_EQ(log.failed(t, "full"), Say::nothing) << t;
  EXPECT_EQ(log.failed(160, "full"), Say::still) << "a minute after the last line";
  EXPECT_EQ(log.failed(161, "read-only"), Say::still) << "another error";
  EXPECT_EQ(log.failed(162, "read-only"), Say::nothing);
  EXPECT_EQ(log.failed(10, "read-only"), Say::still) << "a clock set back";
  EXPECT_EQ(log.failures(), 8u);
  EXPECT_EQ(log.since(), 100);
  EXPECT_EQ(log.error(), "read-only");
  EXPECT_EQ(log.tries_over(172.4), "8 tries over 72 s");
  EXPECT_TRUE(log.succeeded());
  EXPECT_FALSE(log.failing());
  EXPECT_FALSE(log.succeeded()) << "said once";
  EXPECT_EQ(log.failed(500, "full"), Say::began) << "a new run of failures";
  EXPECT_EQ(log.since(), 500);
}

}  // namespace
}  // namespace steward
