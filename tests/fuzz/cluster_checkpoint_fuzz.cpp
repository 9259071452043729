// libFuzzer harness for the cluster's checkpoint files: the bytes before the first NUL are
// the snapshot, those after it the journal. Any contents give a checkpoint or an error, and a
// checkpoint given to a master is restored or refused, never a crash; a restored master runs.
// The seeds (tests/fuzz/seeds/cluster-checkpoint) are of a cluster of this one agent, whose
// master's id was made "M".

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "cluster/checkpoint_journal.hpp"
#include "cluster/cluster_config.hpp"
#include "cluster/master.hpp"
#include "cluster/simulated_runtime.hpp"

using namespace steward::cluster;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  std::istringstream snapshot(input.substr(0, nul));
  std::istringstream journal(nul == std::string::npos ? std::string() : input.substr(nul + 1));
  nlohmann::json checkpoint;
  std::string error;
  if (!CheckpointJournal::read(snapshot, nul == std::string::npos ? nullptr : &journal, checkpoint,
                               error)) {
    if (error.empty()) __builtin_trap();  // refused without a reason
    return 0;
  }
  static const ClusterConfig config = [] {
    steward::Diagnostics diagnostics;
    return *parse_cluster_config(
        "agents:\n"
        "  - name: agent-0\n"
        "    simulated: true\n"
        "    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}\n",
        "cluster.yml", diagnostics);
  }();
  SimulatedRuntime runtime([](std::function<void()>) {}, [](auto&&...) {}, [](auto&&...) {});
  Master master(
      "M", config, [&](const AgentRecord&) -> AgentRuntime& { return runtime; }, "/tmp", 0);
  if (!master.restore(checkpoint.value("master", nlohmann::json()), 0, error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  // What was restored is a master that runs: its timers, an allocation, a checkpoint again.
  master.tick(100);
  master.allocate(100);
  (void)master.checkpoint_text();
  return 0;
}
