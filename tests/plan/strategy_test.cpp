#include "plan/strategy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steward::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using S = Status;

TEST(Strategy, SerialReleasesTheNextIncompleteChildOnly) {
  Strategy s = Strategy::serial(3);
  EXPECT_THAT(s.candidates({S::pending, S::pending, S::pending}, {}), ElementsAre(0u));
  EXPECT_THAT(s.candidates({S::starting, S::pending, S::pending}, {}), ElementsAre(0u));
  EXPECT_THAT(s.candidates({S::complete, S::pending, S::pending}, {}), ElementsAre(1u));
  EXPECT_THAT(s.candidates({S::complete, S::complete, S::complete}, {}), IsEmpty());
  EXPECT_EQ(s.name(), "serial");
}

TEST(Strategy, ParallelReleasesEveryIncompleteChild) {
  Strategy s = Strategy::parallel(3);
  EXPECT_THAT(s.candidates({S::pending, S::complete, S::starting}, {}), ElementsAre(0u, 2u));
  EXPECT_THAT(s.candidates({S::pending, S::pending, S::pending}, {false, true, false}),
              ElementsAre(0u, 2u));  // an interrupted child is not a candidate
}

TEST(Strategy, InterruptAndProceed) {
  Strategy s = Strategy::parallel(2);
  EXPECT_FALSE(s.interrupted(false));
  s.interrupt();
  EXPECT_TRUE(s.interrupted(false));
  EXPECT_TRUE(s.proceed());
  EXPECT_FALSE(s.interrupted(false));
  EXPECT_FALSE(s.proceed());  // nothing to release
}

TEST(Strategy, SerialCanaryNeedsTwoContinues) {
  Strategy s = Strategy::serial_canary(3);
  std::vector<S> children = {S::pending, S::pending, S::pending};
  EXPECT_TRUE(s.interrupted(false));
  EXPECT_THAT(s.candidates(children, {}), IsEmpty());
  EXPECT_TRUE(s.proceed());  // first continue: the canary
  EXPECT_FALSE(s.interrupted(false));
  EXPECT_THAT(s.candidates(children, {}), ElementsAre(0u));
  children[0] = S::complete;
  EXPECT_TRUE(s.interrupted(true));  // held until the second continue
  EXPECT_THAT(s.candidates(children, {}), IsEmpty());
  EXPECT_TRUE(s.proceed());
  EXPECT_FALSE(s.interrupted(true));
  EXPECT_THAT(s.candidates(children, {}), ElementsAre(1u));  // then serially
  EXPECT_FALSE(s.proceed());
}

TEST(Strategy, ParallelCanaryReleasesTheRestTogether) {
  Strategy s = Strategy::parallel_canary(3);
  std::vector<S> children = {S::pending, S::pending, S::pending};
  s.proceed();
  EXPECT_THAT(s.candidates(children, {}), ElementsAre(0u));
  children[0] = S::complete;
  s.proceed();
  EXPECT_THAT(s.candidates(children, {}), ElementsAre(1u, 2u));
  EXPECT_EQ(s.name(), "parallel-canary");
}

TEST(Strategy, DependencyFollowsTheGraph) {
  std::string error;
  // 0 -> {1, 2} -> 3
  Strategy s = Strategy::dependency({{}, {0}, {0}, {1, 2}}, &error);
  ASSERT_TRUE(error.empty());
  EXPECT_THAT(s.candidates({S::pending, S::pending, S::pending, S::pending}, {}), ElementsAre(0u));
  EXPECT_THAT(s.candidates({S::complete, S::pending, S::pending, S::pending}, {}),
              ElementsAre(1u, 2u));
  EXPECT_THAT(s.candidates({S::complete, S::complete, S::starting, S::pending}, {}),
              ElementsAre(2u));
  EXPECT_THAT(s.candidates({S::complete, S::complete, S::complete, S::pending}, {}),
              ElementsAre(3u));
  EXPECT_EQ(s.name(), "dependency");
}

TEST(Strategy, DependencyRefusesCyclesAndBadIndexes) {
  std::string error;
  Strategy::dependency({{1}, {0}}, &error);
  EXPECT_EQ(error, "the dependencies form a cycle");
  error.clear();
  Strategy::dependency({{5}}, &error);
  EXPECT_EQ(error, "child 0 depends on invalid child 5");
  error.clear();
  Strategy::dependency({{0}}, &error);
  EXPECT_EQ(error, "child 0 depends on invalid child 0");
}

}  // namespace
}  // namespace steward::plan
