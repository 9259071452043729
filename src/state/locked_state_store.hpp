#pragma once

// A StateStore shared by threads: the scheduler's event loop, the Mesos session's reader
// (which persists a new framework id before anything uses it), and a service's own code
// (its properties). Every call holds one mutex, so a transaction of one thread never
// interleaves with a write of another; a batch holds it from begin to commit, so no other
// thread's write joins a batch it cannot see committed.

#include <mutex>

#include "state/state_store.hpp"

namespace steward::state {

class LockedStateStore : public StateStore {
 public:
  explicit LockedStateStore(StateStore& inner) : inner_(inner) {}

  void begin_batch() override {
    // Held from here only once the batch began: a BEGIN that throws leaves it free.
    std::unique_lock lock(mutex_);
    inner_.begin_batch();
    batch_ = std::move(lock);
  }
  void commit_batch() override {
    if (!batch_.owns_lock()) return;
    auto release = std::move(batch_);
    inner_.commit_batch();
  }
  void abort_batch() override {
    if (!batch_.owns_lock()) return;
    auto release = std::move(batch_);
    inner_.abort_batch();
  }

  std::optional<std::string> framework_id() override {
    std::lock_guard lock(mutex_);
    return inner_.framework_id();
  }
  void set_framework_id(const std::string& id) override {
    std::lock_guard lock(mutex_);
    inner_.set_framework_id(id);
  }
  void clear_framework_id() override {
    std::lock_guard lock(mutex_);
    inner_.clear_framework_id();
  }
  void store_tasks(const std::vector<StoredTask>& tasks) override {
    std::lock_guard lock(mutex_);
    inner_.store_tasks(tasks);
  }
  void store_task_records(const std::vector<EncodedTask>& tasks) override {
    std::lock_guard lock(mutex_);
    inner_.store_task_records(tasks);
  }
  std::vector<StoredTask> tasks() override {
    std::lock_guard lock(mutex_);
    return inner_.tasks();
  }
  void for_each_task_record(const TaskRecordFn& fn) override {
    std::lock_guard lock(mutex_);
    inner_.for_each_task_record(fn);
  }
  std::optional<StoredTask> task(const std::string& name) override {
    std::lock_guard lock(mutex_);
    return inner_.task(name);
  }
  void delete_task(const std::string& name) override {
    std::lock_guard lock(mutex_);
    inner_.delete_task(name);
  }
  void store_status(const std::string& name, const mesos::TaskStatus& status) override {
    std::lock_guard lock(mutex_);
    inner_.store_status(name, status);
  }
  std::optional<mesos::TaskStatus> status(const std::string& name) override {
    std::lock_guard lock(mutex_);
    return inner_.status(name);
  }
  std::map<std::string, mesos::TaskStatus> statuses() override {
    std::lock_guard lock(mutex_);
    return inner_.statuses();
  }
  std::map<std::string, GoalOverride> goal_overrides() override {
    std::lock_guard lock(mutex_);
    return inner_.goal_overrides();
  }
  void set_goal_override(const std::string& name, const GoalOverride& value) override {
    std::lock_guard lock(mutex_);
    inner_.set_goal_override(name, value);
  }
  GoalOverride goal_override(const std::string& name) override {
    std::lock_guard lock(mutex_);
    return inner_.goal_override(name);
  }
  void set_property(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    inner_.set_property(key, value);
  }
  std::optional<std::string> property(const std::string& key) override {
    std::lock_guard lock(mutex_);
    return inner_.property(key);
  }
  std::vector<std::string> property_keys() override {
    std::lock_guard lock(mutex_);
    return inner_.property_keys();
  }
  void delete_property(const std::string& key) override {
    std::lock_guard lock(mutex_);
    inner_.delete_property(key);
  }
  void store_config(const std::string& id, const std::string& spec_json) override {
    std::lock_guard lock(mutex_);
    inner_.store_config(id, spec_json);
  }
  std::optional<std::string> config(const std::string& id) override {
    std::lock_guard lock(mutex_);
    return inner_.config(id);
  }
  std::vector<std::string> config_ids() override {
    std::lock_guard lock(mutex_);
    return inner_.config_ids();
  }
  void delete_config(const std::string& id) override {
    std::lock_guard lock(mutex_);
    inner_.delete_config(id);
  }
  void set_target_config(const std::string& id) override {
    std::lock_guard lock(mutex_);
    inner_.set_target_config(id);
  }
  std::optional<std::string> target_config() override {
    std::lock_guard lock(mutex_);
    return inner_.target_config();
  }
  void wipe() override {
    std::lock_guard lock(mutex_);
    inner_.wipe();
  }
  void set_cache_kib(int kib) override {
    std::lock_guard lock(mutex_);
    inner_.set_cache_kib(kib);
  }
  int cache_kib() override {
    std::lock_guard lock(mutex_);
    return inner_.cache_kib();
  }

 private:
  StateStore& inner_;
  std::recursive_mutex mutex_;  // a batch's own writes lock it again
  std::unique_lock<std::recursive_mutex> batch_;
};

}  // namespace steward::state
