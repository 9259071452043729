#include "plan/status.hpp"

#include <gtest/gtest.h>

namespace steward::plan {
namespace {

using S = Status;

TEST(Status, NamesRoundTrip) {
  for (S s : {S::error, S::waiting, S::pending, S::prepared, S::starting, S::started, S::complete,
              S::in_progress, S::delayed}) {
    EXPECT_EQ(parse_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(S::in_progress), "IN_PROGRESS");
  EXPECT_FALSE(parse_status("DONE"));
  EXPECT_TRUE(is_running(S::prepared));
  EXPECT_TRUE(is_running(S::in_progress));
  EXPECT_FALSE(is_running(S::pending));
}

// The rules in their order (reference §2.2).
TEST(Status, AggregationRulesInOrder) {
  EXPECT_EQ(aggregate({S::complete, S::pending}, {S::pending}, false, true), S::error);
  EXPECT_EQ(aggregate({S::error, S::complete}, {}, true, false), S::error);
  EXPECT_EQ(aggregate({S::complete, S::complete}, {}, true, false), S::complete);
  EXPECT_EQ(aggregate({}, {}, false, false), S::complete);
  EXPECT_EQ(aggregate({S::pending}, {S::pending}, true, false), S::waiting);
  EXPECT_EQ(aggregate({S::delayed, S::pending}, {S::delayed}, false, false), S::delayed);
  EXPECT_EQ(aggregate({S::prepared, S::pending}, {S::prepared, S::pending}, false, false),
            S::in_progress);
  EXPECT_EQ(aggregate({S::waiting, S::pending}, {S::waiting}, false, false), S::waiting);
  EXPECT_EQ(aggregate({S::in_progress, S::pending}, {S::in_progress}, false, false),
            S::in_progress);
  EXPECT_EQ(aggregate({S::complete, S::pending}, {S::pending}, false, false), S::in_progress);
  EXPECT_EQ(aggregate({S::complete, S::started}, {S::started}, false, false), S::in_progress);
  EXPECT_EQ(aggregate({S::pending, S::pending}, {S::pending}, false, false), S::pending);
  EXPECT_EQ(aggregate({S::waiting, S::pending}, {}, false, false), S::waiting);
  EXPECT_EQ(aggregate({S::starting, S::pending}, {S::starting}, false, false), S::starting);
  EXPECT_EQ(aggregate({S::started, S::pending}, {S::started}, false, false), S::started);
  EXPECT_EQ(aggregate({S::pending}, {}, false, false), S::error);  // nothing can proceed
}

}  // namespace
}  // namespace steward::plan
