#pragma once

// The default StateStore: one SQLite database per service at <dir>/state.db, in WAL mode
// with synchronous=FULL (a write returns once it is on disk), under a versioned schema.
// <dir>/scheduler.lock is held (flock) for as long as the store is open, so a second
// scheduler for the same service refuses to start instead of corrupting the first one's
// state.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "state/state_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace steward::state {

class SqliteStateStore : public StateStore {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens (creating when needed) the store in `dir`. Throws StateError with a message
  // that says what to do: the lock is held (by which pid), the schema is newer than this
  // program, the file is not a database.
  explicit SqliteStateStore(const std::string& dir);
  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  std::optional<std::string> framework_id() override;
  void begin_batch() override;
  void commit_batch() override;
  void abort_batch() override;
  void set_framework_id(const std::string& id) override;
  void clear_framework_id() override;
  void store_tasks(const std::vector<StoredTask>& tasks) override;
  void store_task_records(const std::vector<EncodedTask>& tasks) override;
  std::vector<StoredTask> tasks() override;
  std::optional<StoredTask> task(const std::string& name) override;
  void for_each_task_record(const TaskRecordFn& fn) override;
  void delete_task(const std::string& name) override;
  void store_status(const std::string& name, const mesos::TaskStatus& status) override;
  std::optional<mesos::TaskStatus> status(const std::string& name) override;
  std::map<std::string, mesos::TaskStatus> statuses() override;
  // The same, read on a read-only connection of its own (another thread may call it while
  // this store is in use: a start-up reads the statuses beside the tasks), each status given
  // to `fn` as it is read, in name order, none kept.
  using StatusFn = std::function<void(std::string name, mesos::TaskStatus status)>;
  void for_each_status_apart(const StatusFn& fn) const;
  void set_goal_override(const std::string& name, const GoalOverride& value) override;
  GoalOverride goal_override(const std::string& name) override;
  std::map<std::string, GoalOverride> goal_overrides() override;
  void set_property(const std::string& key, const std::string& value) override;
  std::optional<std::string> property(const std::string& key) override;
  std::vector<std::string> property_keys() override;
  void delete_property(const std::string& key) override;
  void store_config(const std::string& id, const std::string& spec_json) override;
  std::optional<std::string> config(const std::string& id) override;
  std::vector<std::string> config_ids() override;
  void delete_config(const std::string& id) override;
  void set_target_config(const std::string& id) override;
  std::optional<std::string> target_config() override;
  void wipe() override;
  // SQLite's page cache of this connection (its default: 2,000 KiB); pages over a smaller
  // size are freed at once.
  void set_cache_kib(int kib) override;
  int cache_kib() override;

  const std::string& path() const { return path_; }

 private:
  class Statement;
  void exec(const char* sql);
  void upgrade_records();
  // Runs `fn` in one write transaction: all of it lands, or none.
  template <typename Fn>
  void transaction(Fn&& fn);
  std::optional<std::string> meta(const char* key);
  void set_meta(const char* key, const std::string& value);
  void delete_meta(const char* key);
  [[noreturn]] void fail(const std::string& what);
  void close_db();  // finalizes the kept statements first, as sqlite3_close requires

  std::string dir_;
  std::string path_;
  int lock_fd_ = -1;
  sqlite3* db_ = nullptr;
  bool in_batch_ = false;                           // an outer transaction is open: writes join it
  std::map<std::string_view, sqlite3_stmt*> kept_;  // by SQL literal (Statement::Kept)
};

}  // namespace steward::state
