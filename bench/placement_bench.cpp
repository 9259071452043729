// Placement rules against many placed tasks: the offer evaluator checks a pod's rule once per
// offer, against every task of the pod type already placed, so this cost multiplies by the
// offers of a pass and the steps waiting in it. P tasks sit on 1,000 agents in 3 zones
// (task t on agent t % 1,000); the candidate is a fresh agent, so every rule passes and
// nothing ends the scan early.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "placement/placement_evaluator.hpp"

namespace {

using namespace steward::placement;

constexpr int kAgents = 1000;

AgentFacts agent(int i) {
  AgentFacts a;
  a.hostname = "agent-" + std::to_string(i);
  a.zone = "zone-" + std::to_string(i % 3);
  a.region = "region-1";
  a.attributes = {{"rack", "rack-" + std::to_string(i % 20)}};
  return a;
}

std::vector<PlacedTask> placed(int count) {
  std::vector<PlacedTask> out;
  for (int t = 0; t < count; ++t)
    out.push_back({"app-" + std::to_string(t) + "-server", agent(t % kAgents)});
  return out;
}

void run(benchmark::State& state, const char* text) {
  const PlacementParseResult parsed = parse_placement(text);
  if (!parsed.ok()) {
    state.SkipWithError("the rule did not parse");
    return;
  }
  const std::vector<PlacedTask> tasks = placed(static_cast<int>(state.range(0)));
  // A new agent in zone-2, among the least used zones at every size (zone-0 gets the spare
  // task of each 1,000), and in rack-2 (racks are even).
  const AgentFacts candidate = agent(kAgents * 3 + 2);
  for (auto _ : state) {
    PlacementVerdict v = evaluate(parsed.rule, candidate, tasks);
    if (!v.pass) state.SkipWithError(v.reason.c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetComplexityN(state.range(0));
}

void BM_Unique(benchmark::State& state) {
  run(state, "hostname:UNIQUE");
}
BENCHMARK(BM_Unique)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

void BM_MaxPer(benchmark::State& state) {
  run(state, "hostname:MAX_PER:3");
}
BENCHMARK(BM_MaxPer)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

void BM_GroupByZone(benchmark::State& state) {
  run(state, "@zone:GROUP_BY");
}
BENCHMARK(BM_GroupByZone)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

void BM_GroupByRack(benchmark::State& state) {
  run(state, "rack:GROUP_BY:20");
}
BENCHMARK(BM_GroupByRack)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

// A rule that never looks at the placed tasks.
void BM_LikeHostname(benchmark::State& state) {
  run(state, "hostname:LIKE:agent-[0-9]+");
}
BENCHMARK(BM_LikeHostname)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

// Two rows, as a typical spec writes them.
void BM_UniqueAndGroupBy(benchmark::State& state) {
  run(state, "hostname:UNIQUE,@zone:GROUP_BY");
}
BENCHMARK(BM_UniqueAndGroupBy)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

}  // namespace

BENCHMARK_MAIN();
