// Plan engine costs: building a large plan, and what one step's status change costs once
// it is built (the scheduler does this for every task status update).

#include <benchmark/benchmark.h>

#include <memory>

#include "plan/plan.hpp"
#include "plan/plan_coordinator.hpp"
#include "plan/plan_render.hpp"

namespace {

using namespace steward::plan;

std::unique_ptr<Plan> build(
    int phases, int steps_per_phase, Clock clock = [] { return std::int64_t{0}; }) {
  std::vector<std::unique_ptr<Phase>> list;
  for (int p = 0; p < phases; ++p) {
    std::vector<std::unique_ptr<Step>> steps;
    for (int s = 0; s < steps_per_phase; ++s) {
      steps.push_back(std::make_unique<Step>(
          "pod" + std::to_string(p) + "-" + std::to_string(s) + ":[server]",
          "pod" + std::to_string(p), s, std::vector<std::string>{"server"}, clock));
    }
    list.push_back(std::make_unique<Phase>(
        "phase" + std::to_string(p), std::move(steps),
        Strategy::parallel(static_cast<std::size_t>(steps_per_phase)), clock));
  }
  return std::make_unique<Plan>("deploy", std::move(list),
                                Strategy::serial(static_cast<std::size_t>(phases)), clock);
}

// 10 phases of N/10 steps.
void BM_BuildPlan(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(build(10, steps / 10));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_BuildPlan)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

// GET /v1/plans/NAME: the plan as the API returns it (10 phases of N/10 steps).
void BM_RenderPlan(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  // A deployed plan: every step with the three timestamps a finished step shows.
  auto plan = build(10, steps / 10, [] { return std::int64_t{1795000000123}; });
  for (const auto& phase : plan->phases())
    for (const auto& step : phase->steps()) {
      step->set_status(Status::starting);
      step->set_status(Status::complete);
    }
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = to_json(*plan, 2);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_RenderPlan)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

// One step's status change on a plan of N steps: refreshes its phase (N/10 siblings) and the
// plan (10 phases), never the whole plan.
void BM_StepStatusChange(benchmark::State& state) {
  auto plan = build(10, static_cast<int>(state.range(0)) / 10);
  Step& step = *plan->phases()[0]->steps()[0];
  bool flip = false;
  for (auto _ : state) {
    step.set_status(flip ? Status::starting : Status::started);
    benchmark::DoNotOptimize(plan->status());  // the aggregation is paid when read
    flip = !flip;
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_StepStatusChange)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

// Same with all steps in one phase: the change is O(siblings).
void BM_StepStatusChangeOnePhase(benchmark::State& state) {
  auto plan = build(1, static_cast<int>(state.range(0)));
  Step& step = *plan->phases()[0]->steps()[0];
  bool flip = false;
  for (auto _ : state) {
    step.set_status(flip ? Status::starting : Status::started);
    benchmark::DoNotOptimize(plan->status());  // the aggregation is paid when read
    flip = !flip;
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_StepStatusChangeOnePhase)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

// A burst: every step of a one-phase plan changes (a restart marking its steps, a batch of
// task statuses), then the plan is read once. Per step changed.
void BM_StepStatusBurstOnePhase(benchmark::State& state) {
  auto plan = build(1, static_cast<int>(state.range(0)));
  bool flip = false;
  for (auto _ : state) {
    for (const auto& step : plan->phases()[0]->steps())
      step->set_status(flip ? Status::starting : Status::started);
    benchmark::DoNotOptimize(plan->status());
    flip = !flip;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_StepStatusBurstOnePhase)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

// Choosing the next steps on a 10,000-step plan.
void BM_Candidates(benchmark::State& state) {
  PlanCoordinator c;
  c.add(build(10, static_cast<int>(state.range(0)) / 10));
  for (auto _ : state)
    benchmark::DoNotOptimize(c.candidates());
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_Candidates)->RangeMultiplier(10)->Range(100, 10000)->Complexity();

}  // namespace
