#include "cluster/journal_merge.hpp"

#include "cluster/master.hpp"

namespace steward::cluster {

using nlohmann::json;

namespace {

std::string id_value(const json& j, const char* field) {
  if (!j.is_object()) return {};
  auto it = j.find(field);
  if (it == j.end() || !it->is_object()) return {};
  auto value = it->find("value");
  return value != it->end() && value->is_string() ? value->get<std::string>() : std::string();
}

std::string string_value(const json& j, const char* field) {
  if (!j.is_object()) return {};
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

// A malformed element is kept under a key no entry names (entries' keys never start with a
// newline), for restore() to refuse it.
JournalMerge::JournalMerge(json& master) : master_(master) {
  if (!master_.is_object()) return;
  std::size_t unnamed = 0;
  const auto unique = [&] { return "\n" + std::to_string(unnamed++); };
  if (auto tasks = master_.find("tasks"); tasks != master_.end() && tasks->is_array()) {
    for (json& t : *tasks) {
      const std::string task_id = t.is_object() ? id_value(t.value("info", json()), "task_id") : "";
      const std::string key =
          task_id.empty() ? unique() : Master::task_key(string_value(t, "framework_id"), task_id);
      tasks_[key] = std::move(t);
    }
  }
  if (auto agents = master_.find("agents"); agents != master_.end() && agents->is_array()) {
    for (json& a : *agents) {
      std::string id = string_value(a, "id");
      if (id.empty()) id = unique();
      if (a.is_object() && a.contains("executors") && a["executors"].is_array()) {
        auto& executors = executors_[id];
        for (json& e : a["executors"]) {
          const json info = e.is_object() ? e.value("info", json()) : json();
          const std::string key =
              id_value(info, "framework_id") + "/" + id_value(info, "executor_id");
          executors[key == "/" ? unique() : key] = std::move(e);
        }
        a.erase("executors");
      }
      agents_[id] = std::move(a);
    }
  }
}

bool JournalMerge::apply(const json& entry, std::string& error) {
  if (!entry.is_object()) {
    error = "a journal entry is not an object";
    return false;
  }
  for (const char* field : {"tasks", "agents", "executors", "head"})
    if (entry.contains(field) && !entry[field].is_object()) {
      error = std::string("a journal entry's ") + field + " is not an object";
      return false;
    }
  if (entry.contains("executors"))
    for (const auto& [id, of_agent] : entry["executors"].items())
      if (!of_agent.is_object()) {
        error = "a journal entry's executors of agent " + id + " are not an object";
        return false;
      }
  if (entry.contains("tasks"))
    for (const auto& [key, t] : entry["tasks"].items()) {
      if (t.is_null())
        tasks_.erase(key);
      else
        tasks_[key] = t;
    }
  if (entry.contains("agents"))
    for (const auto& [id, a] : entry["agents"].items()) {
      if (a.is_null())
        agents_.erase(id);  // never written today: agents are not forgotten
      else
        agents_[id] = a;
    }
  if (entry.contains("executors"))
    for (const auto& [id, of_agent] : entry["executors"].items()) {
      auto& known = executors_[id];
      for (const auto& [key, e] : of_agent.items()) {
        if (e.is_null())
          known.erase(key);
        else
          known[key] = e;
      }
    }
  if (entry.contains("head") && master_.is_object())
    for (const auto& [field, value] : entry["head"].items())
      master_[field] = value;
  return true;
}

void JournalMerge::finish() {
  if (!master_.is_object()) return;
  json tasks = json::array();
  for (auto& [key, t] : tasks_)
    tasks.push_back(std::move(t));
  json agents = json::array();
  for (auto& [id, a] : agents_) {
    json executors = json::array();
    if (auto it = executors_.find(id); it != executors_.end())
      for (auto& [key, e] : it->second)
        executors.push_back(std::move(e));
    if (a.is_object()) a["executors"] = std::move(executors);
    agents.push_back(std::move(a));
  }
  master_["tasks"] = std::move(tasks);
  master_["agents"] = std::move(agents);
  tasks_.clear();
  agents_.clear();
  executors_.clear();
}

}  // namespace steward::cluster
