#include "placement/placement_evaluator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steward::placement {
namespace {

using ::testing::HasSubstr;

AgentFacts agent(const std::string& host, const std::string& zone, std::string rack = {}) {
  AgentFacts a{host, zone, "local", {}};
  if (!rack.empty()) a.attributes.emplace_back("rack", rack);
  return a;
}

PlacementRule rule(const std::string& text) {
  auto r = parse_placement(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.rule;
}

TEST(PlacementEvaluator, EmptyRulePlacesAnywhere) {
  EXPECT_TRUE(evaluate(rule(""), agent("h1", "a"), {{"x", agent("h1", "a")}}).pass);
}

TEST(PlacementEvaluator, UniqueHostnameNamesTheTaskInTheWay) {
  std::vector<PlacedTask> placed = {{"hello-0-server", agent("h1", "a")}};
  auto v = evaluate(rule("hostname:UNIQUE"), agent("h1", "a"), placed);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, "hostname:UNIQUE: h1 already runs hello-0-server");
  EXPECT_TRUE(evaluate(rule("hostname:UNIQUE"), agent("h2", "a"), placed).pass);
}

TEST(PlacementEvaluator, ClusterIsLikeAndTheirNegations) {
  EXPECT_TRUE(evaluate(rule("@zone:CLUSTER:a"), agent("h", "a"), {}).pass);
  EXPECT_FALSE(evaluate(rule("@zone:IS:b"), agent("h", "a"), {}).pass);
  EXPECT_TRUE(evaluate(rule("@zone:IS_NOT:b"), agent("h", "a"), {}).pass);
  EXPECT_FALSE(evaluate(rule("@zone:IS_NOT:a"), agent("h", "a"), {}).pass);
  EXPECT_TRUE(evaluate(rule("hostname:LIKE:web-[0-9]+"), agent("web-12", "a"), {}).pass);
  EXPECT_FALSE(evaluate(rule("hostname:LIKE:web"), agent("web-12", "a"), {}).pass)
      << "a full match";
  EXPECT_TRUE(evaluate(rule("hostname:UNLIKE:db-.*"), agent("web-1", "a"), {}).pass);
  EXPECT_FALSE(evaluate(rule("hostname:UNLIKE:web-.*"), agent("web-1", "a"), {}).pass);
}

TEST(PlacementEvaluator, AMissingAttributeFailsExceptForNegativeOperators) {
  auto v = evaluate(rule("rack:IS:r1"), agent("h", "a"), {});
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("the agent has no rack"));
  EXPECT_TRUE(evaluate(rule("rack:IS_NOT:r1"), agent("h", "a"), {}).pass);
  EXPECT_TRUE(evaluate(rule("rack:UNLIKE:r.*"), agent("h", "a"), {}).pass);
  EXPECT_TRUE(evaluate(rule("rack:IS:r1"), agent("h", "a", "r1"), {}).pass);
}

TEST(PlacementEvaluator, MaxPerCountsTasksOnTheSameValue) {
  std::vector<PlacedTask> placed = {{"p-0-t", agent("h1", "a")}, {"p-1-t", agent("h2", "a")}};
  auto v = evaluate(rule("@zone:MAX_PER:2"), agent("h3", "a"), placed);
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("a already runs 2 of at most 2"));
  EXPECT_TRUE(evaluate(rule("@zone:MAX_PER:2"), agent("h3", "b"), placed).pass);
  EXPECT_TRUE(evaluate(rule("@zone:MAX_PER:3"), agent("h3", "a"), placed).pass);
}

TEST(PlacementEvaluator, GroupBySpreadsEvenly) {
  std::vector<PlacedTask> placed = {{"p-0-t", agent("h1", "a")}};
  // With 3 zones expected, a second task must go to a zone not used yet.
  EXPECT_FALSE(evaluate(rule("@zone:GROUP_BY:3"), agent("h2", "a"), placed).pass);
  EXPECT_TRUE(evaluate(rule("@zone:GROUP_BY:3"), agent("h2", "b"), placed).pass);
  placed.push_back({"p-1-t", agent("h2", "b")});
  placed.push_back({"p-2-t", agent("h3", "c")});
  // All three used once: any zone may take the fourth.
  EXPECT_TRUE(evaluate(rule("@zone:GROUP_BY:3"), agent("h4", "a"), placed).pass);
  placed.push_back({"p-3-t", agent("h4", "a")});
  EXPECT_FALSE(evaluate(rule("@zone:GROUP_BY:3"), agent("h5", "a"), placed).pass);
  // Without a count, among the values seen so far.
  EXPECT_TRUE(evaluate(rule("@zone:GROUP_BY"), agent("h5", "b"), placed).pass);
}

TEST(PlacementEvaluator, EveryConstraintMustHold) {
  std::vector<PlacedTask> placed = {{"p-0-t", agent("h1", "a")}};
  auto r = rule("[[\"hostname\",\"UNIQUE\"],[\"@zone\",\"IS\",\"a\"]]");
  EXPECT_TRUE(evaluate(r, agent("h2", "a"), placed).pass);
  auto v = evaluate(r, agent("h2", "b"), placed);
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("@zone:IS:a: b is not a"));
}

}  // namespace
}  // namespace steward::placement
