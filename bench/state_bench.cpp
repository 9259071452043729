// Status updates persisted per second by the SQLite state store (WAL, synchronous=FULL), in
// a real file: the scheduler stores each status before it acknowledges it, so this bounds how
// fast tasks can change state. One status per transaction (one fsync each) against the
// batches ServiceScheduler::flush_updates writes (statuses that arrive together, one commit).
// The database lives under the system temporary directory ($TMPDIR), whose disk it measures.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

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

}  // namespace

BENCHMARK_MAIN();
