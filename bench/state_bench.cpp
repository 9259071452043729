// Status updates persisted per second by the SQLite state store (WAL, synchronous=FULL), in
// a real file: the scheduler stores each status before it acknowledges it, so this bounds how
// fast tasks can change state. One status per transaction (one fsync each) against the
// batches ServiceScheduler::flush_updates writes (statuses that arrive together, one commit).
// The database lives under the system temporary directory ($TMPDIR), whose disk it measures.
// Then a start's read: every stored task decoded (SqliteStateStore::tasks), and one TaskInfo
// decoded from its stored record against from the JSON it was stored as before.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mesos/task_info_json.hpp"
#include "state/record_codec.hpp"
#include "state/sqlite_state_store.hpp"

namespace {

namespace fs = std::filesystem;
using steward::mesos::TaskState;
using steward::mesos::TaskStatus;
using steward::state::SqliteStateStore;

constexpr int kTasks = 1000;  // statuses replace each other over this many task names

// A fresh directory, removed with everything in it when the benchmark ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "steward-state-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TASK_RUNNING from the executor, as the scheduler receives and stores it.
TaskStatus status(int i) {
  TaskStatus s;
  s.task_id = "app-" + std::to_string(i) + "-server__4b1f2c3d-8e9a-4f60-b7c1-2d3e4f5a6b7c";
  s.state = TaskState::running;
  s.message = "task is running";
  s.source = TaskStatus::Source::executor;
  s.agent_id = "a1b2c3d4-0000-4000-8000-000000000001-S" + std::to_string(i % 100);
  s.executor_id = "app__" + std::to_string(i) + "-7d3c0f9e";
  s.timestamp = 1.7e9 + i;
  s.uuid = "q83vEjRWT5K7xBLSeT3ZXw==";
  s.healthy = true;
  s.ip_addresses = {"10.0.0." + std::to_string(i % 250 + 1)};
  return s;
}

std::vector<std::pair<std::string, TaskStatus>> statuses() {
  std::vector<std::pair<std::string, TaskStatus>> out;
  for (int i = 0; i < kTasks; ++i)
    out.emplace_back("app-" + std::to_string(i) + "-server", status(i));
  return out;
}

// Each status its own transaction: one commit, one fsync per update.
void BM_StoreStatusEach(benchmark::State& state) {
  TempDir dir;
  SqliteStateStore store(dir.path());
  const auto all = statuses();
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [name, s] = all[next];
    store.store_status(name, s);
    next = (next + 1) % all.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreStatusEach)->UseRealTime();

// Batches of N statuses between begin_batch() and commit_batch(): one fsync per batch.
void BM_StoreStatusBatch(benchmark::State& state) {
  TempDir dir;
  SqliteStateStore store(dir.path());
  const auto all = statuses();
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t next = 0;
  for (auto _ : state) {
    store.begin_batch();
    for (std::size_t i = 0; i < batch; ++i) {
      const auto& [name, s] = all[next];
      store.store_status(name, s);
      next = (next + 1) % all.size();
    }
    store.commit_batch();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_StoreStatusBatch)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime();

steward::mesos::Resource reserved(const std::string& name, double value, int i) {
  steward::mesos::Resource r;
  r.name = name;
  r.scalar = value;
  r.allocation_role = "app-role";
  steward::mesos::ReservationInfo res;
  res.role = "app-role";
  res.principal = "app-principal";
  res.labels = {{"resource_id", "7cea30c3-7581-405b-a886-" + std::to_string(100000000000 + i)}};
  r.reservations = {res};
  return r;
}

// A launched task as a service's deploy stores it: two resources, the pod's executor with
// three, the environment and labels the scheduler adds (about 1 KB as a record, 2.3 KB as JSON).
steward::state::StoredTask stored_task(int i) {
  steward::state::StoredTask t;
  const std::string n = std::to_string(i);
  t.name = "app-" + n + "-server";
  t.config_id = "a6eb4360-e760-4d69-8f77-2532df365705";
  auto& info = t.info;
  info.name = t.name;
  info.task_id = "app__" + t.name + "__e159f644-fb62-4607-b938-b5d5c7a6f430";
  info.agent_id = "cb3b2278-1cdc-48d9-9515-44394726c3cb-S" + std::to_string(i % 100);
  info.resources = {reserved("cpus", 0.01, 5 * i), reserved("mem", 8, 5 * i + 1)};
  steward::mesos::CommandInfo c;
  c.value = "sleep 100000";
  c.environment = {{"TASK_NAME", t.name},
                   {t.name, "true"},
                   {"POD_INSTANCE_INDEX", n},
                   {"FRAMEWORK_NAME", "app"},
                   {"REGION", "local"}};
  info.command = c;
  info.labels = {{"target_configuration", t.config_id},
                 {"task_type", std::string("server")},
                 {"index", n},
                 {"offer_hostname", std::string("localhost")},
                 {"goal_state", std::string("RUNNING")},
                 {"offer_region", std::string("local")}};
  steward::mesos::ExecutorInfo e;
  e.executor_id = "app__4c7e52e3-a6f5-41a8-b10c-" + std::to_string(100000000000 + i);
  e.framework_id = "cb3b2278-1cdc-48d9-9515-44394726c3cb-0000";
  e.name = "app";
  e.resources = {reserved("cpus", 0.1, 5 * i + 2), reserved("mem", 32, 5 * i + 3),
                 reserved("disk", 256, 5 * i + 4)};
  info.executor = e;
  return t;
}

// A scheduler's start: every stored task read and decoded, N tasks per iteration.
// A store in `dir` holding `n` tasks.
std::unique_ptr<SqliteStateStore> store_of(const TempDir& dir, int n) {
  auto store = std::make_unique<SqliteStateStore>(dir.path());
  std::vector<steward::state::StoredTask> tasks;
  for (int i = 0; i < n; ++i)
    tasks.push_back(stored_task(i));
  store->store_tasks(tasks);
  return store;
}

void BM_LoadTasks(benchmark::State& state) {
  TempDir dir;
  const auto store = store_of(dir, static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(store->tasks());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LoadTasks)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// One task decoded from its record, and from the JSON schema 1 stored.
void BM_DecodeTaskRecord(benchmark::State& state) {
  const std::string record = steward::state::encode_record(stored_task(7).info);
  std::string error;
  for (auto _ : state)
    benchmark::DoNotOptimize(steward::state::decode_task_record(record, error));
  state.counters["bytes"] = static_cast<double>(record.size());
}
BENCHMARK(BM_DecodeTaskRecord);

// One task split as a scheduler keeps it in memory: name and ids decoded, the rest (labels
// included) written as a record whose shared strings are numbers in the process's pool
// (src/scheduler/task_entry.hpp; another task like it was split first).
void BM_SplitTaskRecord(benchmark::State& state) {
  const std::string record = steward::state::encode_record(stored_task(7).info);
  std::string error;
  steward::state::split_task_record(steward::state::encode_record(stored_task(8).info), error);
  std::size_t rest = 0;
  for (auto _ : state) {
    auto split = steward::state::split_task_record(record, error);
    rest = split->rest.size();
    benchmark::DoNotOptimize(split);
  }
  state.counters["rest_bytes"] = static_cast<double>(rest);
}
BENCHMARK(BM_SplitTaskRecord);

// A scheduler's start as it reads its tasks now: every stored record read and split.
void BM_LoadTaskRecords(benchmark::State& state) {
  TempDir dir;
  const auto store = store_of(dir, static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::vector<steward::state::SplitTaskRecord> kept;
    kept.reserve(static_cast<std::size_t>(state.range(0)));
    store->for_each_task_record([&](std::string, std::string_view record, std::string) {
      std::string error;
      kept.push_back(*steward::state::split_task_record(record, error));
    });
    benchmark::DoNotOptimize(kept);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LoadTaskRecords)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The resource ids read off one task's rest without decoding it (garbage collection, per
// task).
void BM_ResourceIdsOfRecord(benchmark::State& state) {
  std::string error;
  const std::string rest =
      steward::state::split_task_record(steward::state::encode_record(stored_task(7).info), error)
          ->rest;
  for (auto _ : state) {
    std::size_t n = 0;
    steward::state::for_each_resource_id(
        rest, [&](std::string_view) { ++n; }, error);
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_ResourceIdsOfRecord);

void BM_DecodeTaskJson(benchmark::State& state) {
  const std::string text = steward::mesos::to_json(stored_task(7).info).dump();
  std::string error;
  for (auto _ : state) {
    auto j = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(steward::mesos::task_info_from_json(j, error, false));
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_DecodeTaskJson);

}  // namespace

BENCHMARK_MAIN();
