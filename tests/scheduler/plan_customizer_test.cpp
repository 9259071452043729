// Plan customizers (the SDK's PlanEditor) in a scheduler running in this process against the
// real cluster: what an editor may not do is refused, and a customizer that throws shows on
// the deploy plan instead of stopping the scheduler.

#include <gtest/gtest.h>

#include "scheduler/service_scheduler.hpp"
#include "scheduler_process.hpp"
#include "spec/spec_loader.hpp"

namespace steward::scheduler::testing {
namespace {

TEST(PlanCustomizer, RefusedEditsAddNothingAndAThrowingCustomizerMarksTheDeployPlan) {
  ClusterProcess cluster(kTwoAgents);
  auto loaded = spec::load_spec_text(one_task_spec("web", 1, "RUNNING", "sleep 1000"), "svc.yml",
                                     cluster.dir().string(), {});
  ASSERT_TRUE(loaded.spec);
  std::map<std::string, bool> answers;
  SchedulerOptions o;
  o.spec = *loaded.spec;
  o.state_dir = (cluster.dir() / "state").string();
  o.master_port = cluster.port();
  o.plan_customizers.push_back([&](steward::PlanEditor& plans, const steward::SpecView&) {
    auto ok = [](const steward::ServiceView&, steward::PropertyStore&) { return std::string(); };
    answers["recovery"] = plans.add_phase("recovery", "x", {steward::PlanStepSpec::code("a", ok)});
    answers["slash"] = plans.add_phase("de/ploy", "x", {steward::PlanStepSpec::code("a", ok)});
    answers["twice"] = plans.add_phase(
        "deploy", "x",
        {steward::PlanStepSpec::code("a", ok), steward::PlanStepSpec::code("a", ok)});
    answers["beyond"] =
        plans.add_phase("deploy", "x", {steward::PlanStepSpec::launch("web", 1, {"server"})});
    answers["unnamed"] = plans.add_phase("deploy", "x", {steward::PlanStepSpec::code("", ok)});
    answers["good"] = plans.add_phase("deploy", "x", {steward::PlanStepSpec::code("a", ok)});
    answers["again"] = plans.add_phase("deploy", "x", {steward::PlanStepSpec::code("b", ok)});
    answers["remove-recovery"] = plans.remove_phase("recovery", "x");
  });
  o.plan_customizers.push_back(
      [](steward::PlanEditor&, const steward::SpecView&) { throw std::runtime_error("boom"); });
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  EXPECT_FALSE(answers.at("recovery"));
  EXPECT_FALSE(answers.at("slash"));
  EXPECT_FALSE(answers.at("twice"));
  EXPECT_FALSE(answers.at("beyond"));  // web has one instance: web-1 is not the spec's
  EXPECT_FALSE(answers.at("unnamed"));
  EXPECT_TRUE(answers.at("good"));
  EXPECT_FALSE(answers.at("again"));  // the phase name is taken
  EXPECT_FALSE(answers.at("remove-recovery"));

  const json deploy = json::parse(*s.plan_json("deploy", nullptr));
  ASSERT_EQ(deploy["phases"].size(), 2u) << deploy.dump(1);
  EXPECT_EQ(deploy["phases"][1]["name"], "x");
  ASSERT_EQ(deploy["phases"][1]["steps"].size(), 1u);
  EXPECT_EQ(deploy["errors"], json::array({"a plan customizer failed: boom"}));
  EXPECT_TRUE(s.plan_json("recovery", nullptr).has_value());  // the scheduler's own plan stays
  s.stop();
}

}  // namespace
}  // namespace steward::scheduler::testing
