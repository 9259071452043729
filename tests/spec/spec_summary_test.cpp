#include "spec/spec_summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::HasSubstr;
using namespace steward::spec::testing;

TEST(SpecSummary, StepCountsFollowIndexesAndDefault) {
  auto r =
      load(std::string(kMinimal).replace(std::string(kMinimal).find("count: 1"), 8, "count: 4") +
           R"(      format: {goal: ONCE, cmd: x, cpus: 1, memory: 1}
plans:
  deploy:
    phases:
      all: {pod: app}
      custom:
        pod: app
        steps:
          - default: [[server]]
          - 0: [[format], [server]]
      only-first:
        pod: app
        steps:
          - 0: [[format]]
          - default: []
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  const PlanSpec& plan = r.spec->plans.at(0);
  EXPECT_EQ(count_steps(*r.spec, plan.phases[0]), 4);  // one per instance
  EXPECT_EQ(count_steps(*r.spec, plan.phases[1]), 5);  // index 0 wins over default
  EXPECT_EQ(count_steps(*r.spec, plan.phases[2]), 1);
  std::string text = summarize(*r.spec);
  EXPECT_THAT(text, HasSubstr("svc: valid (1 pod type, 4 pod instances, 2 tasks)"));
  EXPECT_THAT(text, HasSubstr("deploy (serial): all serial [4 steps], custom serial [5 steps], "
                              "only-first serial [1 step]"));
}

TEST(SpecSummary, JsonCarriesTheModel) {
  auto r = load(kMinimal);
  ASSERT_TRUE(r.ok());
  std::string json = to_json(*r.spec);
  EXPECT_THAT(json, HasSubstr("\"name\": \"svc\""));
  EXPECT_THAT(json, HasSubstr("\"principal\": \"svc-principal\""));
  EXPECT_THAT(json, HasSubstr("\"resource-set\": \"server-resource-set\""));
  EXPECT_THAT(json, HasSubstr("\"goal\": \"RUNNING\""));
}

}  // namespace
}  // namespace steward::spec
