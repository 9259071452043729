#include "scheduler/revive_limiter.hpp"

#include <gtest/gtest.h>

namespace steward::scheduler {
namespace {

TEST(ReviveLimiter, ABurstThenOnePerRefillInterval) {
  ReviveLimiter l(2, 5);
  EXPECT_TRUE(l.try_take(0));
  EXPECT_TRUE(l.try_take(0));
  EXPECT_FALSE(l.try_take(1));
  EXPECT_FALSE(l.try_take(4));
  EXPECT_TRUE(l.try_take(5.5));  // one token came back
  EXPECT_FALSE(l.try_take(6));
  EXPECT_TRUE(l.try_take(100));  // the bucket never holds more than its capacity
  EXPECT_TRUE(l.try_take(100));
  EXPECT_FALSE(l.try_take(100));
}

}  // namespace
}  // namespace steward::scheduler
