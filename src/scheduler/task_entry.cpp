#include "scheduler/task_entry.hpp"

#include <map>
#include <stdexcept>

#include "scheduler/task_labels.hpp"

namespace steward::scheduler {

namespace {
// A service's tasks are of a few configurations at once (two during a rollout): each id is
// shared by every entry of its configuration while any holds it. Entries are made on the
// loop's thread; the table is per thread all the same.
std::shared_ptr<const std::string> shared_config_id(std::string id) {
  thread_local std::map<std::string, std::weak_ptr<const std::string>, std::less<>> shared;
  auto it = shared.find(id);
  if (it != shared.end())
    if (auto kept = it->second.lock()) return kept;
  auto made = std::make_shared<const std::string>(id);
  shared.insert_or_assign(std::move(id), made);
  if (shared.size() > 64)  // ids no entry holds any more
    std::erase_if(shared, [](const auto& e) { return e.second.expired(); });
  return made;
}

// A record this process has just encoded splits, short of a bug.
state::SplitTaskRecord split_encoded(const mesos::TaskInfo& info, const std::string& name) {
  std::string error;
  std::optional<state::SplitTaskRecord> split =
      state::split_task_record(state::encode_record(info), error);
  if (!split) throw std::logic_error("task " + name + ": its record does not split: " + error);
  return std::move(*split);
}
}  // namespace

TaskEntry::TaskEntry(std::string name, std::string config_id, state::SplitTaskRecord split)
    : name_(std::move(name)),
      config_id_(shared_config_id(std::move(config_id))),
      task_id_(std::move(split.task_id)),
      agent_id_(std::move(split.agent_id)),
      rest_(std::move(split.rest)),
      labels_at_(static_cast<std::uint32_t>(split.labels_at)),
      has_check_(split.has_check),
      has_resources_(split.has_resources) {
  if (split.name != name_) info_name_ = std::make_shared<const std::string>(std::move(split.name));
  pod_ = pod_of(info_name(), label("task_type"), label("index"));
}

TaskEntry::TaskEntry(const state::StoredTask& task)
    : TaskEntry(task.name, task.config_id, split_encoded(task.info, task.name)) {}

std::optional<TaskEntry> TaskEntry::from_record(std::string name, std::string_view record,
                                                std::string config_id, std::string& error) {
  std::optional<state::SplitTaskRecord> split = state::split_task_record(record, error);
  if (!split) return std::nullopt;
  return TaskEntry(std::move(name), std::move(config_id), std::move(*split));
}

const std::string& TaskEntry::config_id() const {
  static const std::string none;  // a moved-from entry's
  return config_id_ ? *config_id_ : none;
}

std::string TaskEntry::label(const std::string& key) const {
  const state::FoundLabel l = state::find_label(rest_, labels_at_, key);
  return l.has_value ? std::string(l.value) : std::string();
}

bool TaskEntry::has_label(const std::string& key) const {
  return state::find_label(rest_, labels_at_, key).found;
}

std::vector<mesos::Label> TaskEntry::labels() const {
  return state::read_labels(rest_, labels_at_);
}

void TaskEntry::for_each_resource_id(const state::ResourceIdFn& fn) const {
  std::string error;
  // As in info(): the rest was checked whole when it was split.
  if (!state::for_each_resource_id(rest_, fn, error))
    throw std::logic_error("task " + name_ + ": its record does not read: " + error);
}

mesos::TaskInfo TaskEntry::info() const {
  std::string error;
  std::optional<mesos::TaskInfo> info = state::decode_task_rest(rest_, error);
  // The rest was split off a record that decoded in full: it cannot fail short of a bug.
  if (!info) throw std::logic_error("task " + name_ + ": its record does not decode: " + error);
  info->name = info_name();
  info->task_id = task_id_;
  info->agent_id = agent_id_;
  return std::move(*info);
}

state::StoredTask TaskEntry::stored() const {
  return {name_, info(), config_id()};
}

}  // namespace steward::scheduler
