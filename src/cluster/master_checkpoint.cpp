// The master's checkpoint: frameworks, agents with their ledger of reservations and
// volumes, executors and tasks with their unacknowledged updates. Offers are not kept: a
// restarted master makes new ones.

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>

#include "cluster/master.hpp"
#include "common/json_text.hpp"
#include "mesos/call_json.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"

namespace steward::cluster {

using nlohmann::json;

namespace {

// 2: a task's "resources" may be left out (they are its TaskInfo's). A build that knew only 1
// would read such a task as holding nothing, so it refuses a 2; this one reads both.
// 3: the checkpoint may go on in a journal beside it (checkpoint_journal.hpp), which a build
// that knew only 2 would not read: it refuses a 3.
constexpr int kFormat = 3;

// A count (a counter, a group, the format): absent gives `fallback`; anything but a
// non-negative integer is damage (a float would be converted past its range, undefined).
std::optional<std::uint64_t> count_value(const json& j, const char* field, std::uint64_t fallback) {
  auto it = j.find(field);
  if (it == j.end()) return fallback;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(it->get<std::int64_t>());
  return std::nullopt;
}

bool resources_from(const json& list, std::vector<mesos::Resource>& out, std::string& error) {
  if (!list.is_array()) {
    error = "resources must be a list";
    return false;
  }
  for (const json& item : list) {
    auto r = mesos::resource_from_json(item, error);
    if (!r) return false;
    out.push_back(std::move(*r));
  }
  return true;
}

const char* state_name(AgentRecord::State s) {
  switch (s) {
    case AgentRecord::State::active:
      return "active";
    case AgentRecord::State::stopped:
      return "stopped";
    case AgentRecord::State::removed:
      return "removed";
  }
  return "active";
}

std::string dump_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Stamps for the kept checkpoint texts of tasks and executors: a new one each time one is
// written, so that a journal entry knows the text changed whoever wrote it.
std::uint64_t next_checkpoint_stamp() {
  static std::atomic<std::uint64_t> stamps{0};
  return ++stamps;
}

// A task's fixed part (the TaskInfo above all) and its latest update are turned into text
// once and kept in the record: writing every task's TaskInfo again was most of each
// checkpoint's cost, and a checkpoint followed every change.
void ensure_texts(const TaskRecord& t) {
  if (t.checkpoint_fixed.empty()) {
    // Without its braces: the state and updates follow in the same object.
    JsonText w(t.checkpoint_fixed);
    w.field("agent_id", t.agent_id).field("executor_id", t.executor_id);
    w.field("framework_id", t.framework_id).field("group", t.group).key("info");
    mesos::write_json(w, t.info);
    // Left out when it is the TaskInfo's own list (a task without volumes): written twice it
    // was a tenth of the checkpoint.
    if (t.resources != t.info.resources) {
      w.key("resources");
      mesos::write_json(w, t.resources);
    }
    w.field("role", t.role);
    t.checkpoint_stamp = next_checkpoint_stamp();
  }
  if (t.latest && t.checkpoint_latest.empty()) {
    JsonText latest(t.checkpoint_latest);
    mesos::write_json(latest, *t.latest);
    t.checkpoint_stamp = next_checkpoint_stamp();
  }
}

// What of a task changes as updates come and go, appended (written straight into the text:
// through a JSON tree, the state and the acknowledged uuids cost each task of each save two
// trees' allocations).
void append_changing(std::string& out, const TaskRecord& t) {
  out += ",\"state\":";
  JsonText(out).value(mesos::to_string(t.state));
  out += ",\"unacknowledged\":";
  JsonText unacked(out);
  unacked.begin_array();
  for (const auto& s : t.unacknowledged)
    mesos::write_json(unacked, s);
  unacked.end_array();
  out += ",\"acknowledged\":";
  JsonText(out).values(t.acknowledged);
  out += t.resources_released ? ",\"resources_released\":true" : ",\"resources_released\":false";
}

// A task's checkpoint entry as text, appended: its kept parts around `changing`.
void append_task(std::string& out, const TaskRecord& t, std::string_view changing) {
  out += '{';
  out += t.checkpoint_fixed;
  out += changing;
  if (t.latest) {
    out += ",\"latest\":";
    out += t.checkpoint_latest;
  }
  out += '}';
}

// Whether the journal's mark of a task still holds, and the mark brought up to date (both
// write the task's kept texts first if they are not, which stamps them anew).
bool same(const JournalMarks::Task& m, const TaskRecord& t) {
  ensure_texts(t);
  return m.stamp == t.checkpoint_stamp && m.state == t.state &&
         m.released == t.resources_released && m.latest == t.latest.has_value() &&
         m.unacknowledged == t.unacknowledged.size() &&
         (t.unacknowledged.empty() || m.first_unacknowledged == t.unacknowledged.front().uuid) &&
         m.acknowledged == t.acknowledged.size() &&
         (t.acknowledged.empty() || m.last_acknowledged == t.acknowledged.back());
}

void set(JournalMarks::Task& m, const TaskRecord& t) {
  ensure_texts(t);
  m.stamp = t.checkpoint_stamp;
  m.state = t.state;
  m.released = t.resources_released;
  m.latest = t.latest.has_value();
  m.unacknowledged = t.unacknowledged.size();
  if (!t.unacknowledged.empty()) m.first_unacknowledged = t.unacknowledged.front().uuid;
  m.acknowledged = t.acknowledged.size();
  if (!t.acknowledged.empty()) m.last_acknowledged = t.acknowledged.back();
}

// An agent's ledger as checkpoint text, kept until the ledger changes (reservations and
// volumes).
const std::string& total_text(const AgentRecord& agent) {
  if (agent.checkpoint_total_stamp != agent.total.stamp()) {
    agent.checkpoint_total = mesos::resources_text(agent.total.resources());
    agent.checkpoint_total_stamp = agent.total.stamp();
  }
  return agent.checkpoint_total;
}

// An agent's own entry without its braces and executors: name, id, state, ledger.
void append_agent(std::string& out, const AgentRecord& agent) {
  if (agent.checkpoint_configured.empty())
    agent.checkpoint_configured = mesos::resources_text(agent.config.total_resources());
  out += "\"name\":" + dump_text(agent.config.name) + ",\"id\":" + dump_text(agent.id) +
         ",\"state\":" + dump_text(state_name(agent.state)) +
         ",\"configured\":" + agent.checkpoint_configured + ",\"total\":" + total_text(agent) +
         ",\"registered_time\":" + dump_text(agent.registered_time);
}

// An agent's name, id and configured resources never change; its ledger has a new stamp with
// every change.
bool same(const JournalMarks::Agent& m, const AgentRecord& a) {
  return m.total_stamp == a.total.stamp() && m.state == a.state &&
         m.registered_time == a.registered_time;
}

void set(JournalMarks::Agent& m, const AgentRecord& a) {
  m = {a.total.stamp(), a.state, a.registered_time};
}

// An executor's info, written once and kept.
void ensure_info(const ExecutorRecord& e) {
  if (!e.checkpoint_info.empty()) return;
  JsonText info(e.checkpoint_info);
  mesos::write_json(info, e.info);
  e.checkpoint_stamp = next_checkpoint_stamp();
}

bool same(const JournalMarks::Executor& m, const ExecutorRecord& e) {
  ensure_info(e);
  return m.stamp == e.checkpoint_stamp && m.volumes == e.volumes.size() &&
         m.tasks == e.tasks.size();
}

void set(JournalMarks::Executor& m, const ExecutorRecord& e) {
  ensure_info(e);
  m = {e.checkpoint_stamp, e.volumes.size(), e.tasks.size()};
}

// What of an executor changes (its role, volumes and tasks), appended.
void append_executor_changing(std::string& out, const ExecutorRecord& e) {
  out += ",\"role\":";
  JsonText(out).value(e.role);
  out += ",\"volumes\":";
  out += mesos::resources_text(e.volumes);
  out += ",\"tasks\":";
  JsonText(out).values(e.tasks);
}

void append_executor(std::string& out, const ExecutorRecord& e, std::string_view changing) {
  out += "{\"info\":";
  out += e.checkpoint_info;
  out += changing;
  out += '}';
}

void append_head(std::string& out, std::uint64_t framework_counter, std::uint64_t offer_counter,
                 std::uint64_t group_counter,
                 const std::map<std::string, FrameworkRecord>& frameworks) {
  out += "\"counters\":";
  out += dump_text(
      {{"framework", framework_counter}, {"offer", offer_counter}, {"group", group_counter}});
  out += ",\"frameworks\":[";
  bool first = true;
  for (const auto& [id, fw] : frameworks) {
    if (!first) out += ',';
    first = false;
    out += dump_text({{"info", mesos::to_json(fw.info)},
                      {"registered_time", fw.registered_time},
                      {"suppressed", fw.suppressed}});
  }
  out += ']';
}

bool task_from(const json& j, TaskRecord& t, std::string& error) {
  if (!j.is_object() || !j.contains("info")) {
    error = "a task entry is malformed";
    return false;
  }
  auto info = mesos::task_info_from_json(j["info"], error);
  if (!info) return false;
  t.info = std::move(*info);
  t.framework_id = j.value("framework_id", "");
  t.executor_id = j.value("executor_id", "");
  t.agent_id = j.value("agent_id", "");
  t.role = j.value("role", "");
  const std::optional<std::uint64_t> group = count_value(j, "group", 0);
  if (!group) {
    error = "task " + t.info.task_id + " has a group that is not a count";
    return false;
  }
  t.group = *group;
  if (!j.contains("resources"))
    t.resources = t.info.resources;
  else if (!resources_from(j["resources"], t.resources, error))
    return false;
  auto state = mesos::parse_task_state(j.value("state", ""));
  if (!state) {
    error = "task " + t.info.task_id + " has an unknown state";
    return false;
  }
  t.state = *state;
  for (const json& s : j.value("unacknowledged", json::array())) {
    auto status = mesos::task_status_from_json(s, error);
    if (!status) return false;
    t.unacknowledged.push_back(std::move(*status));
  }
  for (const json& u : j.value("acknowledged", json::array()))
    if (u.is_string()) t.acknowledged.push_back(u.get<std::string>());
  if (j.contains("latest")) {
    auto status = mesos::task_status_from_json(j["latest"], error);
    if (!status) return false;
    t.latest = std::move(*status);
  }
  t.resources_released = j.value("resources_released", false);
  return true;
}

}  // namespace

json Master::checkpoint() const {
  return json::parse(checkpoint_text());
}

std::string Master::checkpoint_text() const {
  std::string out;
  write_checkpoint(out, nullptr);
  return out;
}

// Written one framework, agent and task at a time: the tree of 10,000 tasks at once took
// several hundred megabytes for a text of forty, and the text whole took its 47 MB again
// (fresh pages each time, which on some machines cost more to fault in than to write).
bool Master::write_checkpoint(std::string& out, const std::function<bool(std::string&)>& drain,
                              std::size_t piece, bool mark) const {
  const auto piece_done = [&] { return !drain || out.size() < piece || drain(out); };
  if (drain) out.reserve(piece + piece / 4);
  if (mark) marks_ = {};
  std::string changing;
  out += "{\"agents\":[";
  bool first = true;
  // What never changes (an agent's configured resources, an executor's info) is written once
  // and kept in its record, as a task's fixed part is.
  for (const auto& [id, agent] : agents_) {
    if (!first) out += ',';
    first = false;
    out += '{';
    append_agent(out, agent);
    out += ",\"executors\":[";
    if (mark)
      set(marks_.agents.emplace_hint(marks_.agents.end(), id, JournalMarks::Agent{})->second,
          agent);
    auto* executor_marks = mark ? &marks_.executors[id] : nullptr;
    bool first_executor = true;
    for (const auto& [key, e] : agent.executors) {
      if (!first_executor) out += ',';
      first_executor = false;
      ensure_info(e);
      changing.clear();
      append_executor_changing(changing, e);
      append_executor(out, e, changing);
      if (executor_marks)
        set(executor_marks->emplace_hint(executor_marks->end(), key, JournalMarks::Executor{})
                ->second,
            e);
    }
    out += "]}";
    if (!piece_done()) return false;
  }
  out += "],";
  append_head(out, framework_counter_, offer_counter_, group_counter_, frameworks_);
  out += ",\"format\":" + std::to_string(kFormat);
  out += ",\"master_id\":" + dump_text(id_) +
         ",\"removed_frameworks\":" + dump_text(removed_frameworks_) + ",\"tasks\":[";
  first = true;
  for (const auto& [key, t] : tasks_) {
    if (!first) out += ',';
    first = false;
    ensure_texts(t);
    changing.clear();
    append_changing(changing, t);
    append_task(out, t, changing);
    if (mark)
      set(marks_.tasks.emplace_hint(marks_.tasks.end(), key, JournalMarks::Task{})->second, t);
    if (!piece_done()) return false;
  }
  out += "]}";
  return true;
}

namespace {

// One walk over records and their marks, both sorted by key: `changed` writes a record
// whose mark does not hold (same()) or that has none (false stops the walk), and `gone` a
// mark whose record is no more. The marks are brought up to date.
template <typename Record, typename Mark, typename Changed, typename Gone>
bool walk_changes(const std::map<std::string, Record>& records, std::map<std::string, Mark>& marks,
                  const Changed& changed, const Gone& gone) {
  auto m = marks.begin();
  for (const auto& [key, record] : records) {
    for (; m != marks.end() && m->first < key; m = marks.erase(m))
      gone(m->first);
    if (m != marks.end() && m->first == key) {
      if (same(m->second, record)) {
        ++m;
        continue;
      }
      set(m->second, record);
      ++m;
    } else {
      set(marks.emplace_hint(m, key, Mark{})->second, record);
    }
    if (!changed(key, record)) return false;
  }
  for (; m != marks.end(); m = marks.erase(m))
    gone(m->first);
  return true;
}

}  // namespace

// Only what changed is written: an unchanged task costs a comparison of a few numbers and
// two uuids with its mark (where a whole checkpoint copies its 4 KB of text).
bool Master::write_journal_entry(std::string& out, const std::function<bool(std::string&)>& drain,
                                 std::size_t piece) const {
  const auto piece_done = [&] { return !drain || out.size() < piece || drain(out); };
  std::string changing;
  bool first = true;
  const auto entry_key = [&](std::string& text, const std::string& key) {
    if (!first) text += ',';
    first = false;
    JsonText(text).value(key);
    text += ':';
  };
  out += "{\"tasks\":{";
  const auto task_changed = [&](const std::string& key, const TaskRecord& t) {
    entry_key(out, key);
    changing.clear();
    append_changing(changing, t);
    append_task(out, t, changing);
    return piece_done();
  };
  const auto task_gone = [&](const std::string& key) {
    entry_key(out, key);
    out += "null";
  };
  if (!walk_changes(tasks_, marks_.tasks, task_changed, task_gone)) return false;
  out += "},\"agents\":{";
  first = true;
  const auto agent_changed = [&](const std::string& id, const AgentRecord& agent) {
    entry_key(out, id);
    out += '{';
    append_agent(out, agent);
    out += '}';
    return true;
  };
  const auto agent_gone = [&](const std::string& id) {
    entry_key(out, id);
    out += "null";
  };
  walk_changes(agents_, marks_.agents, agent_changed, agent_gone);
  // Each agent's executors, as the tasks above, in an object of their own.
  out += "},\"executors\":{";
  bool first_agent = true;
  std::string changed;
  auto of_agent = marks_.executors.begin();
  for (const auto& [id, agent] : agents_) {
    while (of_agent != marks_.executors.end() && of_agent->first < id)
      ++of_agent;  // an agent is never forgotten
    if (of_agent == marks_.executors.end() || of_agent->first != id)
      of_agent = marks_.executors.emplace_hint(of_agent, id,
                                               std::map<std::string, JournalMarks::Executor>{});
    changed.clear();
    first = true;
    const auto executor_changed = [&](const std::string& key, const ExecutorRecord& e) {
      entry_key(changed, key);
      changing.clear();
      append_executor_changing(changing, e);
      append_executor(changed, e, changing);
      return true;
    };
    const auto executor_gone = [&](const std::string& key) {
      entry_key(changed, key);
      changed += "null";
    };
    walk_changes(agent.executors, of_agent->second, executor_changed, executor_gone);
    ++of_agent;
    if (changed.empty()) continue;
    if (!first_agent) out += ',';
    first_agent = false;
    JsonText(out).value(id);
    out += ":{";
    out += changed;
    out += '}';
    if (!piece_done()) return false;
  }
  out += "},\"head\":{";
  append_head(out, framework_counter_, offer_counter_, group_counter_, frameworks_);
  out += ",\"removed_frameworks\":" + dump_text(removed_frameworks_) + "}}";
  return true;
}

// A damaged file must give an error, not an exception: every step below may meet a value
// of the wrong type, and nothing is changed before the end.
bool Master::restore(const json& j, double now, std::string& error) try {
  const std::optional<std::uint64_t> format =
      j.is_object() ? count_value(j, "format", 0) : std::nullopt;
  if (!format || *format < 1 || *format > kFormat) {
    error = "not a checkpoint this version understands";
    return false;
  }
  if (j.value("master_id", "") != id_) {
    error = "the checkpoint belongs to master " + j.value("master_id", std::string("?"));
    return false;
  }
  // Agents must be the ones configured: same names, same configured resources. A changed
  // agent would turn its reservations and volumes into nonsense.
  std::map<std::string, AgentRecord*> by_name;
  for (auto& [id, agent] : agents_)
    by_name[agent.config.name] = &agent;
  std::map<std::string, AgentRecord> restored;
  for (const json& a : j.value("agents", json::array())) {
    const std::string name = a.value("name", "");
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      error = "agent " + name + " is in the checkpoint but not in the cluster config";
      return false;
    }
    if (a.value("configured", json::array()) !=
        json::parse(mesos::resources_text(it->second->config.total_resources()))) {
      error = "the resources of agent " + name +
              " changed since the last run; restore its config, or start with a new data directory";
      return false;
    }
    AgentRecord agent;
    agent.config = it->second->config;
    agent.id = a.value("id", "");
    const std::string state = a.value("state", "active");
    agent.state = state == "stopped"   ? AgentRecord::State::stopped
                  : state == "removed" ? AgentRecord::State::removed
                                       : AgentRecord::State::active;
    std::vector<mesos::Resource> total;
    if (!resources_from(a.value("total", json::array()), total, error)) return false;
    agent.total = resources::ResourcePool(total);
    agent.registered_time = a.value("registered_time", now);
    for (const json& e : a.value("executors", json::array())) {
      auto info = mesos::executor_info_from_json(e.value("info", json::object()), error);
      if (!info) return false;
      ExecutorRecord record;
      record.info = std::move(*info);
      record.agent_id = agent.id;
      record.role = e.value("role", "");
      if (!resources_from(e.value("volumes", json::array()), record.volumes, error)) return false;
      for (const json& t : e.value("tasks", json::array()))
        if (t.is_string()) record.tasks.insert(t.get<std::string>());
      agent.executors[record.info.framework_id + "/" + record.info.executor_id] = std::move(record);
    }
    restored[agent.id] = std::move(agent);
  }
  if (restored.size() != agents_.size()) {
    error =
        "the cluster config has agents the checkpoint does not know; "
        "add agents with a new data directory";
    return false;
  }
  std::map<std::string, FrameworkRecord> frameworks;
  for (const json& f : j.value("frameworks", json::array())) {
    auto info = mesos::framework_info_from_json(f.value("info", json::object()), error);
    if (!info) return false;
    FrameworkRecord fw;
    fw.info = std::move(*info);
    fw.registered_time = f.value("registered_time", now);
    for (const json& r : f.value("suppressed", json::array()))
      if (r.is_string()) fw.suppressed.insert(r.get<std::string>());
    fw.connected = false;
    fw.disconnected_at = now;
    frameworks[fw.info.id] = std::move(fw);
  }
  std::map<std::string, TaskRecord> tasks;
  for (const json& t : j.value("tasks", json::array())) {
    TaskRecord task;
    if (!task_from(t, task, error)) return false;
    tasks[task_key(task.framework_id, task.info.task_id)] = std::move(task);
  }
  std::set<std::string> removed;
  for (const json& r : j.value("removed_frameworks", json::array()))
    if (r.is_string()) removed.insert(r.get<std::string>());
  const json counters = j.value("counters", json::object());
  if (!counters.is_object()) {
    error = "the counters are not an object";
    return false;
  }
  const auto framework_counter = count_value(counters, "framework", 0);
  const auto offer_counter = count_value(counters, "offer", 0);
  const auto group_counter = count_value(counters, "group", 0);
  if (!framework_counter || !offer_counter || !group_counter) {
    error = "a counter is not a count";
    return false;
  }
  // Everything read: only now does the master change.
  agents_ = std::move(restored);
  frameworks_ = std::move(frameworks);
  tasks_ = std::move(tasks);
  removed_frameworks_ = std::move(removed);
  framework_counter_ = *framework_counter;
  offer_counter_ = *offer_counter;
  group_counter_ = *group_counter;
  // What is free follows from the ledger and what executors and tasks hold.
  for (auto& [id, agent] : agents_) {
    agent.free = agent.total;
    if (agent.state == AgentRecord::State::removed) {
      agent.free = resources::ResourcePool();
      continue;
    }
    const resources::ResourcePool in_use = used(agent);
    for (const mesos::Resource& r : in_use.resources())
      agent.free.subtract(r);
  }
  offers_.clear();
  allocation_needed_ = true;
  retry_due_ = 0;
  dirty_ = false;
  return true;
} catch (const json::exception& e) {
  error = std::string("the checkpoint is damaged: ") + e.what();
  return false;
}

}  // namespace steward::cluster
