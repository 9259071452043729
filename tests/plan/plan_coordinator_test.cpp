#include "plan/plan_coordinator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/plan_render.hpp"
#include "plan_test_util.hpp"

namespace steward::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace steward::plan::testing;

std::unique_ptr<Plan> two_phase_plan(const std::string& name, FakeClock& clock,
                                     Strategy first = Strategy::serial(2)) {
  std::vector<std::unique_ptr<Phase>> phases;
  phases.push_back(phase_of("hello", "hello", 2, std::move(first), clock.clock()));
  phases.push_back(phase_of("world", "world", 2, Strategy::serial(2), clock.clock()));
  return std::make_unique<Plan>(name, std::move(phases), Strategy::serial(2), clock.clock());
}

TEST(PlanCoordinator, SerialPlanRunsStepByStepThroughTheLifecycle) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  Plan& deploy = *c.find("deploy");
  RecordingExecutor exec;
  EXPECT_EQ(deploy.status(), Status::pending);
  EXPECT_EQ(c.dispatch(exec), 1u);
  ASSERT_THAT(names(exec.started), ElementsAre("hello-0:[server]"));
  Step& first = *exec.started[0];
  EXPECT_EQ(first.status(), Status::prepared);
  EXPECT_EQ(deploy.status(), Status::in_progress);
  EXPECT_EQ(c.dispatch(exec), 0u);  // serial: nothing else until the first completes
  first.set_status(Status::starting);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::starting);
  first.set_status(Status::started);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::started);
  clock.now += 1500;
  first.set_status(Status::complete);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::in_progress);
  EXPECT_EQ(c.dispatch(exec), 1u);
  EXPECT_EQ(exec.started.back()->name(), "hello-1:[server]");
  // Finish everything.
  for (int i = 0; i < 3; ++i) {
    exec.started.back()->set_status(Status::complete);
    c.dispatch(exec);
  }
  EXPECT_EQ(exec.started.size(), 4u);
  EXPECT_EQ(deploy.status(), Status::complete);
  // Timestamps: the step's start and end, the plan's span.
  EXPECT_EQ(first.timestamps().started, 1'700'000'000'000);
  EXPECT_EQ(first.timestamps().completed, 1'700'000'001'500);
  EXPECT_EQ(deploy.timestamps().started, 1'700'000'000'000);
  EXPECT_TRUE(deploy.timestamps().completed);
}

// A step's message, errors and parameters, which most steps never have, and its times: set,
// read back, and what a restart clears (errors, the run's times) and keeps (the rest).
TEST(Step, MessageErrorsParametersAndTimes) {
  FakeClock clock;
  Step step("hello-0:[server]", "hello", 0, {"server"}, clock.clock());
  EXPECT_EQ(step.message(), "");
  EXPECT_THAT(step.errors(), IsEmpty());
  EXPECT_THAT(step.parameters(), IsEmpty());
  EXPECT_EQ(step.timestamps().created, 1'700'000'000'000);
  EXPECT_FALSE(step.timestamps().started);
  EXPECT_FALSE(step.timestamps().completed);
  step.set_parameters({{"KEY", "value"}});
  step.set_message("waiting");
  clock.now += 10;
  step.set_status(Status::starting);
  clock.now += 10;
  step.set_status(Status::complete);
  EXPECT_EQ(step.timestamps().started, 1'700'000'000'010);
  EXPECT_EQ(step.timestamps().completed, 1'700'000'000'020);
  step.set_status(Status::started);  // no longer complete: no completion time
  EXPECT_FALSE(step.timestamps().completed);
  step.add_error("it broke");
  EXPECT_EQ(step.status(), Status::error);
  EXPECT_THAT(step.errors(), ElementsAre("it broke"));
  step.restart();
  EXPECT_EQ(step.status(), Status::pending);
  EXPECT_THAT(step.errors(), IsEmpty());
  EXPECT_FALSE(step.timestamps().started);
  EXPECT_EQ(step.timestamps().created, 1'700'000'000'000);
  EXPECT_EQ(step.message(), "waiting");
  EXPECT_EQ(step.parameters().at("KEY"), "value");
}

// Statuses are aggregated when read: a burst of step changes with no read between them is
// all seen by the next read of the phase and the plan, in either direction.
TEST(PlanCoordinator, ABurstOfStepChangesIsSeenByTheNextRead) {
  FakeClock clock;
  auto plan = two_phase_plan("deploy", clock, Strategy::parallel(2));
  EXPECT_EQ(plan->status(), Status::pending);
  for (const auto& phase : plan->phases())
    for (const auto& step : phase->steps())
      step->set_status(Status::complete);
  EXPECT_EQ(plan->phases()[1]->status(), Status::complete);
  EXPECT_EQ(plan->status(), Status::complete);
  plan->phases()[0]->steps()[1]->set_status(Status::starting);
  plan->phases()[1]->steps()[0]->set_status(Status::pending);
  EXPECT_EQ(plan->status(), Status::in_progress);
  EXPECT_EQ(plan->phases()[0]->status(), Status::in_progress);
  EXPECT_EQ(plan->status(), plan->computed_status());
  EXPECT_EQ(plan->phases()[1]->status(), plan->phases()[1]->computed_status());
}

// The scheduler's tick looks only at the steps it is told changed: every way a step's status
// changes must tell, for plans added before and after the observer and phases added later.
TEST(PlanCoordinator, TheObserverHearsOfEveryStepThatChanges) {
  struct Heard : StepObserver {
    std::vector<Step*> steps;
    void step_changed(Step& step) override { steps.push_back(&step); }
  };
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  Heard heard;
  c.set_observer(&heard);
  c.add(two_phase_plan("update", clock));
  Plan& deploy = *c.find("deploy");
  Plan& update = *c.find("update");
  Step& hello0 = *deploy.phases()[0]->steps()[0];
  Step& world1 = *update.phases()[1]->steps()[1];

  hello0.set_status(Status::prepared);
  hello0.set_status(Status::prepared);  // unchanged: nothing to hear
  world1.add_error("failed");
  EXPECT_THAT(heard.steps, ElementsAre(&hello0, &world1));

  heard.steps.clear();
  EXPECT_EQ(c.restart("update", "world", "world-1:[server]").result, CommandResult::done);
  EXPECT_EQ(c.force_complete("deploy", "", hello0.id()).result, CommandResult::done);
  EXPECT_THAT(heard.steps, ElementsAre(&world1, &hello0));

  heard.steps.clear();
  update.add_phase(phase_of("more", "more", 1, Strategy::serial(1), clock.clock()));
  Step& more0 = *update.phases()[2]->steps()[0];
  more0.set_status(Status::starting);
  EXPECT_THAT(heard.steps, ElementsAre(&more0));

  heard.steps.clear();
  c.set_observer(nullptr);
  more0.set_status(Status::complete);
  EXPECT_TRUE(heard.steps.empty());
  EXPECT_EQ(update.phases()[2]->status(), Status::complete);  // the phase still refreshes
}

TEST(PlanCoordinator, ParallelPhaseStartsEveryStep) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock, Strategy::parallel(2)));
  RecordingExecutor exec;
  EXPECT_EQ(c.dispatch(exec), 2u);
  EXPECT_THAT(names(exec.started), ElementsAre("hello-0:[server]", "hello-1:[server]"));
}

TEST(PlanCoordinator, InterruptedPlansAndPhasesStartNothing) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  RecordingExecutor exec;
  EXPECT_EQ(c.interrupt("deploy").result, CommandResult::done);
  EXPECT_EQ(c.interrupt("deploy").result, CommandResult::already);
  EXPECT_EQ(c.find("deploy")->status(), Status::waiting);
  EXPECT_EQ(c.dispatch(exec), 0u);
  EXPECT_EQ(c.proceed("deploy").result, CommandResult::done);
  EXPECT_EQ(c.proceed("deploy").result, CommandResult::already);
  EXPECT_EQ(c.interrupt("deploy", "hello").result, CommandResult::done);
  EXPECT_EQ(c.find("deploy")->phases()[0]->status(), Status::waiting);
  EXPECT_EQ(c.dispatch(exec), 0u);
  EXPECT_EQ(c.proceed("deploy", "hello").result, CommandResult::done);
  EXPECT_EQ(c.dispatch(exec), 1u);
}

TEST(PlanCoordinator, RunningStepsFinishWhenInterrupted) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock, Strategy::parallel(2)));
  RecordingExecutor exec;
  c.dispatch(exec);
  c.interrupt("deploy");
  exec.started[0]->set_status(Status::complete);
  exec.started[1]->set_status(Status::complete);
  EXPECT_EQ(c.find("deploy")->phases()[0]->status(), Status::complete);
  EXPECT_EQ(c.find("deploy")->status(), Status::waiting);
  EXPECT_EQ(c.dispatch(exec), 0u);
}

TEST(PlanCoordinator, CanaryGatesOpenWithSuccessiveContinues) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock, Strategy::serial_canary(2)));
  Plan& deploy = *c.find("deploy");
  RecordingExecutor exec;
  EXPECT_EQ(deploy.phases()[0]->status(), Status::waiting);
  EXPECT_EQ(deploy.status(), Status::waiting);
  EXPECT_EQ(c.dispatch(exec), 0u);
  EXPECT_EQ(c.proceed("deploy").result, CommandResult::done);  // plan-level continue opens gate 1
  EXPECT_EQ(c.dispatch(exec), 1u);
  exec.started[0]->set_status(Status::complete);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::waiting);
  EXPECT_EQ(c.dispatch(exec), 0u);
  EXPECT_EQ(c.proceed("deploy", "hello").result, CommandResult::done);  // gate 2
  EXPECT_EQ(c.dispatch(exec), 1u);
  EXPECT_EQ(exec.started.back()->name(), "hello-1:[server]");
}

TEST(PlanCoordinator, PriorityAndOnePlanPerPodInstance) {
  FakeClock clock;
  PlanCoordinator c;
  // A custom plan added first still comes after deploy and recovery.
  std::vector<std::unique_ptr<Phase>> custom_phases;
  custom_phases.push_back(phase_of("backup", "hello", 2, Strategy::parallel(2), clock.clock()));
  c.add(std::make_unique<Plan>("backup", std::move(custom_phases), Strategy::serial(1),
                               clock.clock()));
  std::vector<std::unique_ptr<Phase>> recovery_phases;
  recovery_phases.push_back(phase_of("hello-1", "hello", 1, Strategy::serial(1), clock.clock()));
  c.add(std::make_unique<Plan>("recovery", std::move(recovery_phases), Strategy::serial(1),
                               clock.clock()));
  c.add(two_phase_plan("deploy", clock));
  std::vector<std::string> order;
  for (const auto& p : c.plans())
    order.push_back(p->name());
  EXPECT_THAT(order, ElementsAre("deploy", "recovery", "backup"));

  RecordingExecutor exec;
  c.dispatch(exec);
  // deploy takes hello-0; recovery wants hello-0 too and waits; backup gets hello-1.
  std::vector<std::string> instances;
  for (Step* s : exec.started)
    instances.push_back(s->phase()->plan()->name() + "/" + s->pod_instance());
  EXPECT_THAT(instances, ElementsAre("deploy/hello-0", "backup/hello-1"));
  // While deploy holds hello-0, neither recovery nor backup may touch it.
  EXPECT_EQ(c.dispatch(exec), 0u);
  exec.started[0]->set_status(Status::started);  // waiting for readiness still holds it
  EXPECT_EQ(c.dispatch(exec), 0u);
  exec.started[0]->set_status(Status::delayed);  // so does a launch backoff
  EXPECT_EQ(c.dispatch(exec), 0u);
  exec.started[0]->set_status(Status::complete);
  EXPECT_EQ(c.dispatch(exec), 1u);
  EXPECT_EQ(exec.started.back()->phase()->plan()->name(), "recovery");
}

TEST(PlanCoordinator, ForceCompleteAndRestartByNameOrId) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  Plan& deploy = *c.find("deploy");
  const std::string step_id = deploy.phases()[1]->steps()[0]->id();
  EXPECT_EQ(c.force_complete("deploy", "hello").result, CommandResult::done);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::complete);
  EXPECT_EQ(c.force_complete("deploy", "hello").result, CommandResult::already);
  EXPECT_EQ(c.force_complete("deploy", "", step_id).result, CommandResult::done);
  EXPECT_EQ(deploy.phases()[1]->steps()[0]->status(), Status::complete);
  EXPECT_EQ(c.force_complete("deploy", "world", "world-1:[server]").result, CommandResult::done);
  EXPECT_EQ(deploy.status(), Status::complete);
  EXPECT_EQ(c.restart("deploy", "world", "world-1:[server]").result, CommandResult::done);
  EXPECT_EQ(deploy.phases()[1]->steps()[1]->status(), Status::pending);
  EXPECT_EQ(deploy.status(), Status::in_progress);
  EXPECT_EQ(c.restart("deploy").result, CommandResult::done);
  EXPECT_EQ(deploy.status(), Status::pending);
  EXPECT_EQ(c.force_complete("deploy").result, CommandResult::done);
  EXPECT_EQ(deploy.status(), Status::complete);
}

// A scheduler tells the steps a command reset by their restart count: only those it names.
TEST(PlanCoordinator, ARestartCountsOnlyTheStepsItResets) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  Plan& deploy = *c.find("deploy");
  const Step& hello0 = *deploy.phases()[0]->steps()[0];
  const Step& world1 = *deploy.phases()[1]->steps()[1];
  EXPECT_EQ(c.restart("deploy", "world", "world-1:[server]").result, CommandResult::done);
  EXPECT_EQ(world1.restarts(), 1u);
  EXPECT_EQ(hello0.restarts(), 0u);
  EXPECT_EQ(c.start("deploy", {}).result, CommandResult::done);  // not finished: nothing resets
  EXPECT_EQ(hello0.restarts(), 0u);
  EXPECT_EQ(c.stop("deploy").result, CommandResult::done);
  EXPECT_EQ(hello0.restarts(), 1u);
  EXPECT_EQ(world1.restarts(), 2u);
}

TEST(PlanCoordinator, UnknownNamesAreNotFound) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  EXPECT_EQ(c.interrupt("nope").result, CommandResult::not_found);
  EXPECT_EQ(c.interrupt("nope").message, "no plan \"nope\"");
  EXPECT_EQ(c.proceed("deploy", "nope").result, CommandResult::not_found);
  EXPECT_EQ(c.force_complete("deploy", "hello", "hello-9:[server]").result,
            CommandResult::not_found);
  EXPECT_EQ(c.restart("deploy", "", "nope").message, "plan deploy has no step \"nope\"");
}

TEST(PlanCoordinator, AmbiguousStepNamesNeedThePhase) {
  FakeClock clock;
  std::vector<std::unique_ptr<Phase>> phases;
  phases.push_back(phase_of("first", "hello", 1, Strategy::serial(1), clock.clock()));
  phases.push_back(phase_of("again", "hello", 1, Strategy::serial(1), clock.clock()));
  PlanCoordinator c;
  c.add(std::make_unique<Plan>("p", std::move(phases), Strategy::serial(2), clock.clock()));
  EXPECT_EQ(c.force_complete("p", "", "hello-0:[server]").result, CommandResult::invalid);
  EXPECT_EQ(c.force_complete("p", "again", "hello-0:[server]").result, CommandResult::done);
}

TEST(PlanCoordinator, StartSetsParametersAndRerunsACompletedPlan) {
  FakeClock clock;
  PlanCoordinator c;
  auto plan = two_phase_plan("backup", clock);
  plan->interrupt();
  c.add(std::move(plan));
  Plan& backup = *c.find("backup");
  RecordingExecutor exec;
  EXPECT_EQ(c.dispatch(exec), 0u);
  EXPECT_EQ(c.start("backup", {{"BUCKET", "b1"}}).result, CommandResult::done);
  EXPECT_EQ(c.dispatch(exec), 1u);
  EXPECT_EQ(exec.started[0]->parameters().at("BUCKET"), "b1");
  c.force_complete("backup");
  EXPECT_EQ(backup.status(), Status::complete);
  EXPECT_EQ(c.start("backup", {{"BUCKET", "b2"}}).result, CommandResult::done);
  EXPECT_EQ(backup.status(), Status::pending);
  c.dispatch(exec);
  EXPECT_EQ(exec.started.back()->parameters().at("BUCKET"), "b2");
  EXPECT_EQ(c.start("backup", {{"bad-name", "x"}}).result, CommandResult::invalid);
}

TEST(PlanCoordinator, StopInterruptsAndResets) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  RecordingExecutor exec;
  c.dispatch(exec);
  exec.started[0]->set_status(Status::complete);
  EXPECT_EQ(c.stop("deploy").result, CommandResult::done);
  EXPECT_EQ(exec.started[0]->status(), Status::pending);
  EXPECT_EQ(c.find("deploy")->status(), Status::waiting);
  EXPECT_EQ(c.stop("deploy").result, CommandResult::already);
}

TEST(PlanCoordinator, ErrorsAndDelaysAggregate) {
  FakeClock clock;
  PlanCoordinator c;
  c.add(two_phase_plan("deploy", clock));
  Plan& deploy = *c.find("deploy");
  RecordingExecutor exec;
  c.dispatch(exec);
  exec.started[0]->set_status(Status::delayed);
  EXPECT_EQ(deploy.phases()[0]->status(), Status::delayed);
  EXPECT_EQ(deploy.status(), Status::delayed);
  EXPECT_EQ(c.dispatch(exec), 0u);  // a delayed step waits for its backoff
  deploy.add_error("volume of world cannot change");
  EXPECT_EQ(deploy.status(), Status::error);
  EXPECT_THAT(to_json(deploy), ::testing::HasSubstr("volume of world cannot change"));
}

TEST(PlanRender, TreeShowsStrategiesAndStatuses) {
  FakeClock clock;
  auto plan = two_phase_plan("deploy", clock, Strategy::parallel(2));
  plan->phases()[0]->steps()[0]->set_status(Status::complete);
  EXPECT_EQ(render_tree(*plan),
            "deploy (serial strategy) (IN_PROGRESS)\n"
            "├─ hello (parallel strategy) (IN_PROGRESS)\n"
            "│  ├─ hello-0:[server] (COMPLETE)\n"
            "│  └─ hello-1:[server] (PENDING)\n"
            "└─ world (serial strategy) (PENDING)\n"
            "   ├─ world-0:[server] (PENDING)\n"
            "   └─ world-1:[server] (PENDING)\n");
  EXPECT_EQ(format_time(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

}  // namespace
}  // namespace steward::plan
