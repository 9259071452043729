// Random plans under random commands and status changes, checking after every operation
// the invariants the rest of Steward relies on.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "plan/plan_coordinator.hpp"
#include "plan_test_util.hpp"

namespace steward::plan {
namespace {

using namespace steward::plan::testing;

Strategy random_strategy(std::mt19937& rng, std::size_t n, bool phase_level) {
  switch (rng() % (phase_level ? 5 : 3)) {
    case 0:
      return Strategy::serial(n);
    case 1:
      return Strategy::parallel(n);
    case 2: {
      std::vector<std::vector<std::size_t>> deps(n);
      for (std::size_t i = 1; i < n; ++i) {
        if (rng() % 2) deps[i].push_back(rng() % i);  // edges only backwards: acyclic
      }
      return Strategy::dependency(std::move(deps), nullptr);
    }
    case 3:
      return Strategy::serial_canary(n);
    default:
      return Strategy::parallel_canary(n);
  }
}

struct CheckingExecutor : StepExecutor {
  std::vector<Step*> started;
  void start(Step& step) override {
    // Nothing under an interrupted element is ever started.
    EXPECT_FALSE(step.phase()->interrupted()) << step.name();
    EXPECT_FALSE(step.phase()->plan()->interrupted()) << step.name();
    started.push_back(&step);
  }
};

void check_invariants(const PlanCoordinator& c) {
  std::map<std::string, int> holders;  // pod instance -> steps PREPARED or STARTING
  for (const auto& plan : c.plans()) {
    ASSERT_EQ(plan->status(), plan->computed_status()) << plan->name();
    bool all_phases_complete = true;
    for (const auto& phase : plan->phases()) {
      ASSERT_EQ(phase->status(), phase->computed_status()) << phase->name();
      bool all_complete = true;
      bool any_error = !phase->errors().empty();
      for (const auto& step : phase->steps()) {
        all_complete = all_complete && step->status() == Status::complete;
        any_error = any_error || step->status() == Status::error;
        ASSERT_NE(step->status(), Status::waiting);
        ASSERT_NE(step->status(), Status::in_progress);
        if (step->status() == Status::prepared || step->status() == Status::starting) {
          ++holders[step->pod_instance()];
        }
      }
      // No COMPLETE phase above an incomplete step, and errors always show.
      if (phase->status() == Status::complete) {
        ASSERT_TRUE(all_complete) << phase->name();
      }
      if (all_complete && !any_error) {
        ASSERT_EQ(phase->status(), Status::complete);
      }
      if (any_error) {
        ASSERT_EQ(phase->status(), Status::error);
      }
      if (!any_error && !all_complete && phase->strategy().explicitly_interrupted()) {
        ASSERT_EQ(phase->status(), Status::waiting);
      }
      all_phases_complete = all_phases_complete && phase->status() == Status::complete;
    }
    if (plan->status() == Status::complete) {
      ASSERT_TRUE(all_phases_complete) << plan->name();
    }
  }
  // Coordination: one plan at a time per pod instance.
  for (const auto& [instance, count] : holders)
    ASSERT_LE(count, 1) << instance;
}

TEST(PlanRandom, InvariantsHoldUnderRandomCommandsAndStatuses) {
  std::mt19937 rng(20261124);
  FakeClock clock;
  for (int round = 0; round < 150; ++round) {
    PlanCoordinator c;
    const char* plan_names[] = {"deploy", "recovery", "backup", "repair"};
    for (const char* name : plan_names) {
      std::size_t phase_count = 1 + rng() % 3;
      std::vector<std::unique_ptr<Phase>> phases;
      for (std::size_t p = 0; p < phase_count; ++p) {
        std::size_t steps = 1 + rng() % 4;
        std::string pod = rng() % 2 ? "hello" : "world";
        phases.push_back(phase_of("phase" + std::to_string(p), pod, static_cast<int>(steps),
                                  random_strategy(rng, steps, true), clock.clock()));
      }
      auto plan = std::make_unique<Plan>(name, std::move(phases),
                                         random_strategy(rng, phase_count, false), clock.clock());
      if (rng() % 3 == 0) plan->interrupt();
      c.add(std::move(plan));
    }
    check_invariants(c);
    CheckingExecutor exec;
    for (int op = 0; op < 60; ++op) {
      Plan& plan = *c.plans()[rng() % c.plans().size()];
      Phase& phase = *plan.phases()[rng() % plan.phases().size()];
      Step& step = *phase.steps()[rng() % phase.steps().size()];
      clock.now += 10;
      switch (rng() % 9) {
        case 0:
        case 1: {
          // Coordination holds for whatever dispatch hands out at once.
          auto before = exec.started.size();
          c.dispatch(exec);
          std::set<std::string> instances;
          for (auto i = before; i < exec.started.size(); ++i) {
            EXPECT_TRUE(instances.insert(exec.started[i]->pod_instance()).second);
          }
          break;
        }
        case 2:
          if (!exec.started.empty()) {
            // The fake engine only moves steps it still holds, and only forward, as a real
            // one does: a restarted or force-completed step is no longer its business.
            Step* s = exec.started[rng() % exec.started.size()];
            std::vector<Status> next;
            if (s->status() == Status::prepared) next = {Status::starting, Status::started};
            if (s->status() == Status::starting) next = {Status::started};
            if (s->status() == Status::started) next = {Status::complete};
            if (!next.empty()) {
              next.insert(next.end(),
                          {Status::complete, Status::delayed, Status::error, Status::pending});
              s->set_status(next[rng() % next.size()]);
            }
          }
          break;
        case 3:
          c.interrupt(plan.name(), rng() % 2 ? phase.name() : "");
          break;
        case 4:
          c.proceed(plan.name(), rng() % 2 ? phase.name() : "");
          break;
        case 5:
          c.force_complete(plan.name(), phase.name(), rng() % 2 ? step.id() : "");
          break;
        case 6:
          c.restart(plan.name(), phase.name(), rng() % 2 ? step.id() : "");
          break;
        case 7:
          c.start(plan.name(), {{"P", std::to_string(op)}});
          break;
        default:
          c.stop(plan.name());
          break;
      }
      check_invariants(c);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace steward::plan
