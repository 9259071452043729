// The embedded master at scale, on simulated agents: how long an allocation pass takes, and
// how fast tasks go from ACCEPT to RUNNING with every update acknowledged.

#include <benchmark/benchmark.h>

#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "cluster/master.hpp"
#include "cluster/simulated_runtime.hpp"
#include "mesos/call_json.hpp"
#include "mesos/recordio.hpp"
#include "mesos/task_info_json.hpp"
#include "resources/resource_pool.hpp"

namespace {

using nlohmann::json;
using steward::cluster::ClusterConfig;
using steward::cluster::EventStream;
using steward::cluster::Master;
using steward::cluster::SimulatedRuntime;

struct Bench {
  explicit Bench(int agents)
      : runtime(
            [this](std::function<void()> fn) { deferred.push_back(std::move(fn)); },
            [this](const std::string& agent, const std::string& fw, steward::mesos::TaskStatus s) {
              master->status_update(agent, std::move(s), now, fw);
            },
            [this](const std::string& agent, const std::string& fw, const std::string& ex) {
              master->executor_terminated(agent, fw, ex, std::nullopt, now);
            }) {
    ClusterConfig config;
    for (int i = 0; i < agents; ++i) {
      steward::cluster::AgentConfig a;
      a.name = "sim-" + std::to_string(i);
      a.simulated = true;
      a.resources = {8, 32768, 100000, 0, {{31000, 31999}}};
      config.agents.push_back(a);
    }
    master = std::make_unique<Master>(
        "M", config,
        [this](const steward::cluster::AgentRecord&) -> steward::cluster::AgentRuntime& {
          return runtime;
        },
        "/nonexistent", now);
  }
  void run() {
    while (!deferred.empty()) {
      auto batch = std::move(deferred);
      deferred.clear();
      for (auto& fn : batch)
        fn();
    }
  }
  // Subscribes a framework; returns its id and stream.
  std::pair<std::string, std::shared_ptr<EventStream>> subscribe(const std::string& role) {
    json info = {
        {"user", "nobody"},
        {"name", role},
        {"roles", {role}},
        {"capabilities", {{{"type", "MULTI_ROLE"}}, {{"type", "RESERVATION_REFINEMENT"}}}}};
    std::string error;
    auto call = steward::mesos::call_from_json(
        {{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}}, error);
    auto stream = std::make_shared<EventStream>(role);
    auto outcome = master->subscribe(*call, stream, now);
    return {outcome.framework_id, stream};
  }
  static void drain(EventStream& stream) {
    while (stream.pop(std::chrono::milliseconds(0))) {
    }
  }

  // ACCEPTs a one-task group on each offer (one per agent), then acknowledges STARTING and
  // RUNNING of each; how many tasks.
  int launch_on(const std::string& id, EventStream& stream,
                const std::vector<std::string>& offer_ids) {
    int n = 0;
    for (const std::string& oid : offer_ids) {
      steward::mesos::AcceptCall accept;
      accept.framework_id = id;
      accept.offer_ids = {oid};
      accept.refuse_seconds = 5;
      steward::mesos::Operation op;
      op.type = steward::mesos::Operation::Type::launch_group;
      steward::mesos::ExecutorInfo exec;
      exec.executor_id = "e" + std::to_string(n);
      exec.framework_id = id;
      steward::mesos::Resource cpus;
      cpus.name = "cpus";
      cpus.scalar = 0.1;
      steward::mesos::Resource mem = cpus;
      mem.name = "mem";
      mem.scalar = 32;
      steward::mesos::Resource disk = cpus;
      disk.name = "disk";
      disk.scalar = 10;
      exec.resources = {cpus, mem, disk};
      op.executor = exec;
      steward::mesos::TaskInfo task;
      task.task_id = "t" + std::to_string(n++);
      task.name = task.task_id;
      cpus.scalar = 1;
      task.resources = {cpus};
      task.command = steward::mesos::CommandInfo{};
      task.command->value = "sleep 1000";
      op.tasks = {task};
      accept.operations = {op};
      master->accept(accept, stream.id(), now);
    }
    run();
    // Acknowledge until nothing is owed (STARTING, then RUNNING).
    for (int round = 0; round < 2; ++round) {
      std::vector<std::pair<std::string, std::string>> owed;
      for (const auto& [key, t] : master->tasks())
        if (!t.unacknowledged.empty())
          owed.emplace_back(t.info.task_id, t.unacknowledged.front().uuid);
      for (const auto& [task_id, uuid] : owed) {
        steward::mesos::Call ack;
        ack.type = steward::mesos::Call::Type::acknowledge;
        ack.framework_id = id;
        ack.task_id = task_id;
        ack.uuid = uuid;
        master->handle(ack, stream.id(), now);
      }
      run();
    }
    return n;
  }
  // One allocation pass offering every agent; the offers' ids.
  std::vector<std::string> offer_all(EventStream& stream) {
    master->allocate(now);
    std::vector<std::string> offer_ids;
    for (const auto& [oid, offer] : master->offers())
      offer_ids.push_back(oid);
    drain(stream);
    return offer_ids;
  }

  double now = 1000;
  std::vector<std::function<void()>> deferred;
  SimulatedRuntime runtime;
  std::unique_ptr<Master> master;
};

// One allocation pass that offers every agent, with `frameworks` frameworks competing.
void BM_AllocationPass(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  Bench b(agents);
  std::vector<std::pair<std::string, std::shared_ptr<EventStream>>> fws;
  for (int f = 0; f < 10; ++f)
    fws.push_back(b.subscribe("role-" + std::to_string(f)));
  for (auto _ : state) {
    state.PauseTiming();
    // Take back every offer (a decline with no filter) so the pass has all agents to give.
    for (auto& [id, stream] : fws) {
      steward::mesos::Call decline;
      decline.type = steward::mesos::Call::Type::decline;
      decline.framework_id = id;
      decline.refuse_seconds = 0;
      for (const auto& [oid, offer] : b.master->offers())
        if (offer.framework_id == id) decline.offer_ids.push_back(oid);
      b.master->handle(decline, stream->id(), b.now);
      Bench::drain(*stream);
    }
    b.now += 1;
    state.ResumeTiming();
    b.master->allocate(b.now);
  }
  state.counters["agents"] = agents;
  state.counters["offers"] = static_cast<double>(b.master->offers().size());
}
BENCHMARK(BM_AllocationPass)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);

// ACCEPT of a one-task group on each of `agents` agents, then STARTING and RUNNING each
// acknowledged: per task.
void BM_LaunchToRunning(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  std::size_t launched = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Bench b(agents);
    auto [id, stream] = b.subscribe("svc");
    const auto offer_ids = b.offer_all(*stream);
    state.ResumeTiming();
    const int n = b.launch_on(id, *stream, offer_ids);
    launched += static_cast<std::size_t>(n);
    state.PauseTiming();
    Bench::drain(*stream);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(launched));
}
BENCHMARK(BM_LaunchToRunning)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// The master's checkpoint text (written whole after a change, a megabyte at a time, as the
// daemon writes it to its file) with one running task per agent, every update acknowledged.
void BM_CheckpointText(benchmark::State& state) {
  Bench b(static_cast<int>(state.range(0)));
  auto [id, stream] = b.subscribe("svc");
  b.launch_on(id, *stream, b.offer_all(*stream));
  std::size_t bytes = 0;
  std::string piece;
  const auto drain = [&](std::string& s) {
    bytes += s.size();
    s.clear();
    return true;
  };
  for (auto _ : state) {
    b.master->write_checkpoint(piece, drain);
    drain(piece);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CheckpointText)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// A save of the checkpoint journal after one task changed (killed, its update not yet
// acknowledged), with one running task per agent: what a save costs at that size once a
// deploy is done, where BM_CheckpointText is what it cost when every save was whole.
void BM_JournalEntryAfterOneChange(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  Bench b(agents);
  auto [id, stream] = b.subscribe("svc");
  const int n = b.launch_on(id, *stream, b.offer_all(*stream));
  std::string piece;
  std::size_t bytes = 0;
  const auto drain = [&](std::string& s) {
    bytes += s.size();
    s.clear();
    return true;
  };
  b.master->write_checkpoint(piece, drain, std::size_t{1} << 20, /*mark=*/true);
  piece.clear();
  bytes = 0;
  int next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    steward::mesos::Call kill;
    kill.type = steward::mesos::Call::Type::kill;
    kill.framework_id = id;
    kill.task_id = "t" + std::to_string(next++ % n);
    b.master->handle(kill, stream->id(), b.now);
    b.run();
    Bench::drain(*stream);
    state.ResumeTiming();
    b.master->write_journal_entry(piece, drain);
    drain(piece);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_JournalEntryAfterOneChange)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// One agent's ledger as pods are packed onto it: each RESERVE takes 0.01 cpus from the
// unreserved share and adds them back as a reservation of its own (a resource_id label per
// pod, as dcos-commons makes them). A deploy of 10,000 pods on 1,000 agents packs about 500
// onto each of the first agents.
void BM_ReserveOnOneAgent(benchmark::State& state) {
  using steward::mesos::Resource;
  const int pods = static_cast<int>(state.range(0));
  Resource free;
  free.name = "cpus";
  free.scalar = 1000;
  std::vector<Resource> reservations;
  for (int i = 0; i < pods; ++i) {
    Resource r;
    r.name = "cpus";
    r.scalar = 0.01;
    steward::mesos::ReservationInfo info;
    info.role = "scale-role";
    info.principal = "scale-principal";
    info.labels = {{"resource_id", "3f1c2a9e-5d4b-4c8e-9a71-" + std::to_string(100000 + i)}};
    r.reservations.push_back(std::move(info));
    reservations.push_back(std::move(r));
  }
  Resource share = free;
  share.scalar = 0.01;
  for (auto _ : state) {
    steward::resources::ResourcePool ledger({free});
    for (const Resource& r : reservations) {
      ledger.subtract(share);
      ledger.add(r);
    }
    benchmark::DoNotOptimize(ledger.empty());
  }
  state.SetItemsProcessed(state.iterations() * pods);
}
BENCHMARK(BM_ReserveOnOneAgent)
    ->Arg(10)
    ->Arg(100)
    ->Arg(500)
    ->Arg(2000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
