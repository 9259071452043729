#include "plan/plan_generator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/plan_coordinator.hpp"
#include "plan_test_util.hpp"
#include "spec/spec_loader.hpp"

namespace steward::plan {
namespace {

using ::testing::ElementsAre;
using namespace steward::plan::testing;

spec::ServiceSpec load(const std::string& yaml) {
  auto r = spec::load_spec_text(yaml, "svc.yml", ".", {});
  EXPECT_TRUE(r.ok());
  for (const auto& d : r.diagnostics.items())
    ADD_FAILURE() << d.to_string();
  return r.spec ? *r.spec : spec::ServiceSpec{};
}

std::vector<std::string> step_names(const Phase& phase) {
  std::vector<std::string> out;
  for (const auto& s : phase.steps())
    out.push_back(s->name());
  return out;
}

const char* kPods = R"(name: svc
pods:
  hello:
    count: 2
    tasks:
      server: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}
  world:
    count: 2
    resource-sets:
      rs: {cpus: 1, memory: 1}
    tasks:
      prepare: {goal: FINISH, cmd: x, resource-set: rs}
      server: {goal: RUNNING, cmd: x, resource-set: rs}
)";

TEST(PlanGenerator, DefaultDeployIsOneSerialPhasePerPod) {
  auto plans = generate_plans(load(kPods));
  ASSERT_EQ(plans.size(), 1u);
  const Plan& deploy = *plans[0];
  EXPECT_EQ(deploy.name(), "deploy");
  EXPECT_EQ(deploy.strategy().name(), "serial");
  EXPECT_FALSE(deploy.interrupted());  // deploy proceeds by itself
  ASSERT_EQ(deploy.phases().size(), 2u);
  EXPECT_EQ(deploy.phases()[0]->name(), "hello");
  EXPECT_THAT(step_names(*deploy.phases()[0]), ElementsAre("hello-0:[server]", "hello-1:[server]"));
  EXPECT_THAT(step_names(*deploy.phases()[1]),
              ElementsAre("world-0:[prepare, server]", "world-1:[prepare, server]"));
  EXPECT_EQ(deploy.phases()[1]->steps()[1]->pod_instance(), "world-1");
}

TEST(PlanGenerator, StepsSyntaxUpdateAndCustomPlans) {
  auto spec = load(std::string(kPods) + R"(plans:
  deploy:
    strategy: parallel
    phases:
      world:
        strategy: serial
        pod: world
        steps:
          - 0: [[prepare], [server]]
          - default: [[server]]
  update:
    phases:
      world:
        pod: world
        steps:
          - default: [[server]]
  repair:
    phases:
      repair:
        strategy: parallel
        pod: world
        steps:
          - default: [[prepare], [server]]
)");
  auto plans = generate_plans(spec);
  ASSERT_EQ(plans.size(), 2u);  // update is not used before a deploy completed
  EXPECT_EQ(plans[0]->strategy().name(), "parallel");
  EXPECT_THAT(step_names(*plans[0]->phases()[0]),
              ElementsAre("world-0:[prepare]", "world-0:[server]", "world-1:[server]"));
  EXPECT_EQ(plans[1]->name(), "repair");
  EXPECT_TRUE(plans[1]->interrupted());  // custom plans wait for `plan start`
  EXPECT_EQ(plans[1]->status(), Status::waiting);

  GenerateOptions after;
  after.deploy_completed = true;
  auto updated = generate_plans(spec, after);
  EXPECT_EQ(updated[0]->name(), "deploy");
  EXPECT_THAT(step_names(*updated[0]->phases()[0]),
              ElementsAre("world-0:[server]", "world-1:[server]"));
}

TEST(PlanGenerator, ParallelCustomStepsKeepEachInstanceInOrder) {
  auto spec = load(std::string(kPods) + R"(plans:
  deploy:
    phases:
      world:
        strategy: parallel
        pod: world
        steps:
          - default: [[prepare], [server]]
)");
  auto plans = generate_plans(spec);
  PlanCoordinator c;
  for (auto& p : plans)
    c.add(std::move(p));
  const Phase& phase = *c.find("deploy")->phases()[0];
  EXPECT_EQ(phase.strategy().name(), "parallel");
  RecordingExecutor exec;
  c.dispatch(exec);
  EXPECT_THAT(names(exec.started), ElementsAre("world-0:[prepare]", "world-1:[prepare]"));
  exec.started[1]->set_status(Status::complete);
  c.dispatch(exec);
  EXPECT_EQ(exec.started.back()->name(), "world-1:[server]");  // world-0's server still waits
  EXPECT_EQ(exec.started.size(), 3u);
}

TEST(PlanGenerator, CanaryCustomStepsAreGated) {
  auto spec = load(std::string(kPods) + R"(plans:
  deploy:
    phases:
      world:
        strategy: parallel-canary
        pod: world
        steps:
          - default: [[prepare], [server]]
)");
  auto plans = generate_plans(spec);
  EXPECT_EQ(plans[0]->phases()[0]->strategy().name(), "parallel-canary");
  EXPECT_EQ(plans[0]->phases()[0]->status(), Status::waiting);
}

TEST(PlanGenerator, DefaultEmptyRunsOnlyListedIndexes) {
  auto spec = load(std::string(kPods) + R"(plans:
  deploy:
    phases:
      init:
        pod: world
        steps:
          - 1: [[prepare]]
          - default: []
)");
  auto plans = generate_plans(spec);
  EXPECT_THAT(step_names(*plans[0]->phases()[0]), ElementsAre("world-1:[prepare]"));
}

TEST(PlanGenerator, HelloWorldExample) {
  auto r =
      spec::load_spec_file(std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml", {});
  ASSERT_TRUE(r.ok());
  auto plans = generate_plans(*r.spec);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[1]->name(), "sidecar");
  EXPECT_THAT(step_names(*plans[1]->phases()[0]),
              ElementsAre("world-0:[sidecar]", "world-1:[sidecar]"));
}

}  // namespace
}  // namespace steward::plan
