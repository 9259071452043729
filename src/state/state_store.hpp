#pragma once

// What a service scheduler persists (dcos-commons' StateStore and ConfigStore): the
// framework id, a TaskInfo per task name (with an empty task id while it is only a
// footprint), each task's latest status, goal-state overrides, free-form properties, and the
// configurations by id with the target id. Task names are the keys: task ids change with
// every launch. Every write is durable when the call returns; a group of task writes is
// atomic. Backends: SQLite (default, sqlite_state_store.hpp); ZooKeeper later.

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"

namespace steward::state {

struct StoredTask {
  std::string name;       // hello-0-server
  mesos::TaskInfo info;   // info.task_id empty: reserved footprint, not launched
  std::string config_id;  // the configuration it was launched with
  friend bool operator==(const StoredTask&, const StoredTask&) = default;
};

// A task already encoded as its record (record_codec.hpp): the scheduler encodes each task it
// launches once, for its own index and for the store.
struct EncodedTask {
  std::string name;
  std::string record;
  std::string config_id;
};

// A task held at something other than its goal (pause, decommission), and how far that got.
struct GoalOverride {
  enum class Goal { none, paused, decommissioned };
  enum class Progress { pending, in_progress, complete };
  Goal goal = Goal::none;
  Progress progress = Progress::complete;
  friend bool operator==(const GoalOverride&, const GoalOverride&) = default;
};

// Errors the store cannot hide: the disk, a damaged file, a second scheduler.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<std::string> framework_id() = 0;
  virtual void set_framework_id(const std::string& id) = 0;
  virtual void clear_framework_id() = 0;

  // Stores (replaces) several tasks in one transaction.
  virtual void store_tasks(const std::vector<StoredTask>& tasks) = 0;
  virtual void store_task_records(const std::vector<EncodedTask>& tasks) = 0;
  virtual std::vector<StoredTask> tasks() = 0;
  virtual std::optional<StoredTask> task(const std::string& name) = 0;
  // Every task as its record (record_codec.hpp) and configuration id, in name order, without
  // decoding it: a scheduler's start keeps most of each task encoded. A task stored as JSON
  // text (schema version 1) is passed re-encoded. The record's bytes last for the call, and `fn`
  // must not call the store (a LockedStateStore holds its lock throughout).
  using TaskRecordFn =
      std::function<void(std::string name, std::string_view record, std::string config_id)>;
  virtual void for_each_task_record(const TaskRecordFn& fn) = 0;
  // Removes a task with its status and override.
  virtual void delete_task(const std::string& name) = 0;

  virtual void store_status(const std::string& name, const mesos::TaskStatus& status) = 0;
  virtual std::optional<mesos::TaskStatus> status(const std::string& name) = 0;
  // Every task's status, by task name, in one read (a scheduler's start).
  virtual std::map<std::string, mesos::TaskStatus> statuses() = 0;

  virtual void set_goal_override(const std::string& name, const GoalOverride& value) = 0;
  virtual GoalOverride goal_override(const std::string& name) = 0;
  // Every override set, by task name, in one read.
  virtual std::map<std::string, GoalOverride> goal_overrides() = 0;

  virtual void set_property(const std::string& key, const std::string& value) = 0;
  virtual std::optional<std::string> property(const std::string& key) = 0;
  virtual std::vector<std::string> property_keys() = 0;
  virtual void delete_property(const std::string& key) = 0;

  // Configurations: the full spec (as JSON text) by id, and which one is the target.
  virtual void store_config(const std::string& id, const std::string& spec_json) = 0;
  virtual std::optional<std::string> config(const std::string& id) = 0;
  virtual std::vector<std::string> config_ids() = 0;
  virtual void delete_config(const std::string& id) = 0;
  virtual void set_target_config(const std::string& id) = 0;
  virtual std::optional<std::string> target_config() = 0;

  // Everything gone (after an uninstall).
  virtual void wipe() = 0;

  // How much of the store to keep in memory, in KiB, where the store keeps a cache; 0 when
  // it does not.
  virtual void set_cache_kib(int kib) { (void)kib; }
  virtual int cache_kib() { return 0; }

  // Many writes, one commit: every write between begin_batch() and commit_batch() reaches
  // the disk together (one fsync), and none of them before. The caller acts on none of them
  // outside the process (no acknowledgement) until commit_batch() returns. abort_batch()
  // drops them. Stores without transactions write through.
  virtual void begin_batch() {}
  virtual void commit_batch() {}
  virtual void abort_batch() {}
};

// `write(store)`'s writes as one batch: all of them on disk, or (it or the commit throws)
// none, and the exception passed on. For a change made in memory only once it is stored.
template <typename Write>
void write_together(StateStore& store, Write&& write) {
  store.begin_batch();
  try {
    write();
    store.commit_batch();
  } catch (...) {
    store.abort_batch();
    throw;
  }
}

}  // namespace steward::state
