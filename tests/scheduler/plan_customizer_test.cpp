// Plan customizers (the SDK's PlanEditor) in a scheduler running in this process against the
// real cluster: what an editor may not do is refused, a customizer that throws shows on the
// deploy plan instead of stopping the scheduler, and a code step is done once it is on record.

#include <gtest/gtest.h>

#include <future>

#include "scheduler/service_scheduler.hpp"
#include "scheduler_process.hpp"
#include "spec/spec_loader.hpp"
#include "store_fault.hpp"

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

// A code step whose completion the state store refuses (here SQLite itself, by a trigger put
// into the scheduler's store) is not done until it is on record: the scheduler goes on, the
// step stays STARTING, and each tick tries again until the store takes it. (Thrown from the
// task the step's thread posts to the loop, the refusal ended the scheduler's process.)
TEST(PlanCustomizer, ACodeStepIsCompleteOnlyOnceItIsOnRecord) {
  ClusterProcess cluster(kTwoAgents);
  auto loaded = spec::load_spec_text(one_task_spec("web", 1, "RUNNING", "sleep 1000"), "svc.yml",
                                     cluster.dir().string(), {});
  ASSERT_TRUE(loaded.spec);
  std::promise<void> opened;
  std::shared_future<void> gate = opened.get_future().share();
  SchedulerOptions o;
  o.spec = *loaded.spec;
  o.state_dir = (cluster.dir() / "state").string();
  o.master_port = cluster.port();
  o.plan_customizers.push_back([gate](steward::PlanEditor& plans, const steward::SpecView&) {
    auto step = [gate](const steward::ServiceView&, steward::PropertyStore&) {
      gate.wait();
      return std::string();
    };
    plans.add_phase("deploy", "announce", {steward::PlanStepSpec::code("record", step)});
  });
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  const auto db = cluster.dir() / "state" / "state.db";
  refuse_properties(db, "refuse_step", "code-step:%", "injected: no room");
  const auto step_status = [&] {
    const json deploy = json::parse(*s.plan_json("deploy", nullptr));
    return deploy["phases"][1]["steps"][0]["status"].get<std::string>();
  };
  const auto failures = [&] { return store_failures(s.metrics_text()); };
  ASSERT_TRUE(eventually([&] { return step_status() == "STARTING"; })) << step_status();
  opened.set_value();
  // Every tick tries again; the step waits.
  ASSERT_TRUE(eventually([&] { return failures() >= 3; }));
  EXPECT_EQ(step_status(), "STARTING");

  drop_refusal(db, "refuse_step");
  ASSERT_TRUE(eventually([&] { return step_status() == "COMPLETE"; })) << step_status();
  plan::Status deploy = plan::Status::pending;
  EXPECT_TRUE(eventually([&] {
    s.plan_json("deploy", &deploy);
    return deploy == plan::Status::complete;
  }));
  s.stop();
}

// A custom plan kept under a new target has its completed code steps recorded as done for that
// target too. Written after the update committed, a refusal of that record is not the update's
// failure: the update is answered as accepted, and the record is written at a later tick.
TEST(PlanCustomizer, AKeptPlansCodeStepIsRecordedForTheNewTargetOnceTheStoreTakesIt) {
  ClusterProcess cluster(kTwoAgents);
  const auto spec = [&](const std::string& env) {
    auto loaded = spec::load_spec_text(one_task_spec("web", 1, "RUNNING", "sleep 1000",
                                                     "        env:\n          V: " + env + "\n"),
                                       "svc.yml", cluster.dir().string(), {});
    EXPECT_TRUE(loaded.spec);
    return *loaded.spec;
  };
  SchedulerOptions o;
  o.spec = spec("1");
  o.state_dir = (cluster.dir() / "state").string();
  o.master_port = cluster.port();
  o.plan_customizers.push_back([](steward::PlanEditor& plans, const steward::SpecView&) {
    auto step = [](const steward::ServiceView&, steward::PropertyStore&) { return std::string(); };
    plans.add_phase("job", "announce", {steward::PlanStepSpec::code("record", step)});
  });
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  const auto status = [&](const std::string& plan) {
    plan::Status st = plan::Status::pending;
    s.plan_json(plan, &st);
    return st;
  };
  ASSERT_TRUE(eventually([&] { return status("deploy") == plan::Status::complete; }));
  ASSERT_EQ(s.plan_command("start", "job", "", "", {}).result, plan::CommandResult::done);
  ASSERT_TRUE(eventually([&] { return status("job") == plan::Status::complete; }));
  const std::string key = "code-step:job/announce/record";
  const std::optional<std::string> first = s.property(key);
  ASSERT_TRUE(first.has_value());

  const auto db = cluster.dir() / "state" / "state.db";
  refuse_properties(db, "refuse_step", "code-step:%", "injected: no room");
  const int failed_before = store_failures(s.metrics_text());
  const UpdateOutcome out = s.update(spec("2"), false);
  ASSERT_EQ(out.result, UpdateOutcome::Result::accepted);
  EXPECT_NE(out.config_id, *first);
  EXPECT_EQ(s.property(key), first) << "refused";
  EXPECT_GT(store_failures(s.metrics_text()), failed_before);
  EXPECT_EQ(status("job"), plan::Status::complete) << "kept, with its progress";

  drop_refusal(db, "refuse_step");
  EXPECT_TRUE(eventually([&] { return s.property(key) == out.config_id; })) << *s.property(key);
  s.stop();
}

}  // namespace
}  // namespace steward::scheduler::testing
