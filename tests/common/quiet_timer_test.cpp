#include "common/quiet_timer.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

TEST(QuietTimerTest, IsDueOnlyAfterAQuietSpell) {
  QuietTimer t(0.5);
  EXPECT_FALSE(t.take(10));  // never poked
  t.poke(0);
  EXPECT_FALSE(t.take(0.4));
  t.poke(0.4);  // more work: the quiet spell starts again
  EXPECT_FALSE(t.take(0.8));
  EXPECT_TRUE(t.take(0.9));
  EXPECT_FALSE(t.take(5));  // once per burst
  t.poke(6);
  EXPECT_TRUE(t.take(6.5));
}

}  // namespace
}  // namespace steward
