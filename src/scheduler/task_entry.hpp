#pragma once

// A stored task as the scheduler keeps it in memory. Its loops read a task's ids, labels and
// whether it has a readiness check; its resources, command, health check and executor are
// needed only to launch, release or show it. Those are kept as one encoded record
// (state/record_codec.hpp) and decoded on demand: a decoded TaskInfo held about 3 KB of heap
// in dozens of allocations, a record of the same parts about 1 KB in one (10,000 tasks: tens
// of megabytes), about 530 bytes once the strings tasks share are numbers in the process's
// StringPool. The labels are read in place from that record too: decoded, they took about
// 550 bytes more per task in a dozen allocations.
//
// An entry never changes in place: a change is a new StoredTask, persisted or staged, then a
// new entry (ServiceScheduler::put_task), so the record and the fields beside it agree.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mesos/task_info.hpp"
#include "state/record_codec.hpp"
#include "state/state_store.hpp"

namespace steward::scheduler {

class TaskEntry {
 public:
  explicit TaskEntry(const state::StoredTask& task);
  // From a stored record (state/record_codec.hpp), as a scheduler's start reads them: only the
  // name and ids are decoded. Nothing when the record is damaged, with `error` saying
  // how.
  static std::optional<TaskEntry> from_record(std::string name, std::string_view record,
                                              std::string config_id, std::string& error);

  const std::string& name() const { return name_; }  // the stored task's name
  const std::string& config_id() const;
  const std::string& task_id() const { return task_id_; }  // empty: a footprint, never launched
  const std::string& agent_id() const { return agent_id_; }
  std::vector<mesos::Label> labels() const;  // decoded, for the rare reader of them all
  // The TaskInfo's own name, which is the stored name unless something wrote otherwise.
  const std::string& info_name() const { return info_name_ ? *info_name_ : name_; }
  bool has_check() const { return has_check_; }          // a readiness check
  bool has_resources() const { return has_resources_; }  // the task's own, not its executor's

  // The value of a label ("" when absent), and whether it is there at all.
  std::string label(const std::string& key) const;
  bool has_label(const std::string& key) const;
  // The pod instance: ("hello", 0) for hello-0-server (worked out once, from the name and
  // labels).
  const std::pair<std::string, int>& pod() const { return pod_; }

  // Calls `fn` with the resource id of each of its resources and its executor's, read off the
  // record without decoding it.
  void for_each_resource_id(const state::ResourceIdFn& fn) const;

  // The whole TaskInfo, and the stored task, decoded from the record.
  mesos::TaskInfo info() const;
  state::StoredTask stored() const;

 private:
  TaskEntry(std::string name, std::string config_id, state::SplitTaskRecord split);

  std::string name_;
  std::shared_ptr<const std::string> info_name_;  // only when it differs from name_
  // Shared by the entries of one configuration (a copy each was about 80 bytes a task).
  std::shared_ptr<const std::string> config_id_;
  std::string task_id_;
  std::string agent_id_;
  std::pair<std::string, int> pod_;
  std::string rest_;             // the record of everything else, the name and ids left empty
  std::uint32_t labels_at_ = 0;  // where the labels start in rest_
  bool has_check_ = false;
  bool has_resources_ = false;
};

}  // namespace steward::scheduler
