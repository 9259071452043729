// How long loading a spec takes: render, parse, read and validate. The scheduler loads
// the spec at every start, so this is part of the start-up budget.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "spec/spec_loader.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_LoadHelloWorld(benchmark::State& state) {
  const std::string dir = std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world";
  const std::string text = read(dir + "/svc.yml");
  steward::spec::LoadOptions options;
  for (auto _ : state) {
    auto result = steward::spec::load_spec_text(text, "svc.yml", dir, options);
    if (!result.ok()) state.SkipWithError("hello-world did not load");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_LoadHelloWorld);

// A spec with N pod types of two tasks each: growth should be linear.
void BM_LoadManyPods(benchmark::State& state) {
  std::string text = "name: big\npods:\n";
  for (int i = 0; i < state.range(0); ++i) {
    text +=
        "  pod" + std::to_string(i) +
        ":\n    count: 3\n    placement: '[[\"hostname\",\"UNIQUE\"]]'\n"
        "    tasks:\n      server:\n        goal: RUNNING\n        cmd: ./run\n        cpus: 1\n"
        "        memory: 512\n        ports:\n          p" +
        std::to_string(i) +
        ":\n            port: 0\n            advertise: true\n"
        "      backup:\n        goal: ONCE\n        cmd: ./backup\n        cpus: 0.5\n"
        "        memory: 128\n";
  }
  steward::spec::LoadOptions options;
  for (auto _ : state) {
    auto result = steward::spec::load_spec_text(text, "big.yml", ".", options);
    if (!result.ok()) state.SkipWithError("generated spec did not load");
    benchmark::DoNotOptimize(result);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_LoadManyPods)->RangeMultiplier(10)->Range(1, 1000)->Complexity();

}  // namespace

BENCHMARK_MAIN();
