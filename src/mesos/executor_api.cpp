#include "mesos/executor_api.hpp"

#include "mesos/json_fields.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"

namespace steward::mesos {

using json_fields::id;
using json_fields::id_value;
using json_fields::text;
using nlohmann::json;

namespace {
constexpr std::pair<ExecutorEvent::Type, const char*> kEventTypes[] = {
    {ExecutorEvent::Type::subscribed, "SUBSCRIBED"},
    {ExecutorEvent::Type::launch_group, "LAUNCH_GROUP"},
    {ExecutorEvent::Type::kill, "KILL"},
    {ExecutorEvent::Type::acknowledged, "ACKNOWLEDGED"},
    {ExecutorEvent::Type::shutdown, "SHUTDOWN"}};

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The object (or list) at `key`; an empty one when absent or of another type, so that
// hostile input cannot make the decoder throw.
const json& object_at(const json& j, const char* key) {
  static const json empty = json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}
const json& list_at(const json& j, const char* key) {
  static const json empty = json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}
}  // namespace

std::string encode(const ExecutorCall& c) {
  json j = {{"framework_id", id(c.framework_id)}, {"executor_id", id(c.executor_id)}};
  switch (c.type) {
    case ExecutorCall::Type::subscribe:
      j["type"] = "SUBSCRIBE";
      j["subscribe"] = json::object();
      break;
    case ExecutorCall::Type::update:
      j["type"] = "UPDATE";
      if (c.status) j["update"] = {{"status", to_json(*c.status)}};
      break;
    default:
      j["type"] = "UNKNOWN";
  }
  return dump(j);
}

std::string encode(const ExecutorEvent& e) {
  json j;
  for (const auto& [type, name] : kEventTypes)
    if (type == e.type) j["type"] = name;
  if (!j.contains("type")) j["type"] = "UNKNOWN";
  switch (e.type) {
    case ExecutorEvent::Type::subscribed:
      j["subscribed"] = {{"agent_info", {{"id", id(e.agent_id)}}},
                         {"framework_user", e.framework_user}};
      break;
    case ExecutorEvent::Type::launch_group: {
      json tasks = json::array();
      for (const TaskInfo& t : e.tasks)
        tasks.push_back(to_json(t));
      json volumes = json::array();
      for (const VolumeMount& v : e.volumes)
        volumes.push_back({{"container_path", v.container_path}, {"host_path", v.host_path}});
      j["launch_group"] = {{"task_group", {{"tasks", tasks}}}, {"volumes", volumes}};
      break;
    }
    case ExecutorEvent::Type::kill:
      j["kill"] = {{"task_id", id(e.task_id)}};
      if (e.kill_grace_period_ns)
        j["kill"]["kill_policy"] = {{"grace_period", {{"nanoseconds", *e.kill_grace_period_ns}}}};
      break;
    case ExecutorEvent::Type::acknowledged:
      j["acknowledged"] = {{"task_id", id(e.task_id)}, {"uuid", e.uuid}};
      break;
    default:
      break;
  }
  return dump(j);
}

std::optional<ExecutorCall> decode_executor_call(const std::string& text_in, std::string& error) {
  error.clear();
  json j = json::parse(text_in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "call: not a JSON object";
    return std::nullopt;
  }
  ExecutorCall c;
  const std::string type = text(j, "type");
  c.framework_id = id_value(j, "framework_id").value_or("");
  c.executor_id = id_value(j, "executor_id").value_or("");
  if (c.framework_id.empty() || c.executor_id.empty()) {
    error = "call: framework_id and executor_id are required";
    return std::nullopt;
  }
  if (type == "SUBSCRIBE") {
    c.type = ExecutorCall::Type::subscribe;
  } else if (type == "UPDATE") {
    c.type = ExecutorCall::Type::update;
    auto u = j.find("update");
    if (u == j.end() || !u->is_object() || !u->contains("status")) {
      error = "UPDATE: update.status is required";
      return std::nullopt;
    }
    c.status = task_status_from_json((*u)["status"], error);
    if (!c.status) return std::nullopt;
  } else {
    error = "call: unsupported type \"" + type + "\"";
    return std::nullopt;
  }
  return c;
}

std::optional<ExecutorEvent> decode_executor_event(const std::string& text_in, std::string& error) {
  error.clear();
  json j = json::parse(text_in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "event: not a JSON object";
    return std::nullopt;
  }
  ExecutorEvent e;
  const std::string type = text(j, "type");
  for (const auto& [value, name] : kEventTypes)
    if (type == name) e.type = value;
  switch (e.type) {
    case ExecutorEvent::Type::subscribed: {
      const json& s = object_at(j, "subscribed");
      e.agent_id = id_value(object_at(s, "agent_info"), "id").value_or("");
      e.framework_user = text(s, "framework_user");
      break;
    }
    case ExecutorEvent::Type::launch_group: {
      const json& l = object_at(j, "launch_group");
      for (const json& t : list_at(object_at(l, "task_group"), "tasks")) {
        auto task = task_info_from_json(t, error);
        if (!task) return std::nullopt;
        e.tasks.push_back(std::move(*task));
      }
      for (const json& v : list_at(l, "volumes")) {
        if (!v.is_object()) continue;
        e.volumes.push_back({text(v, "container_path"), text(v, "host_path")});
      }
      break;
    }
    case ExecutorEvent::Type::kill: {
      const json& k = object_at(j, "kill");
      e.task_id = id_value(k, "task_id").value_or("");
      if (auto p = k.find("kill_policy"); p != k.end() && p->is_object())
        if (auto g = p->find("grace_period"); g != p->end() && g->is_object())
          if (auto ns = g->find("nanoseconds"); ns != g->end() && ns->is_number_integer())
            e.kill_grace_period_ns = ns->get<std::int64_t>();
      break;
    }
    case ExecutorEvent::Type::acknowledged: {
      const json& a = object_at(j, "acknowledged");
      e.task_id = id_value(a, "task_id").value_or("");
      e.uuid = text(a, "uuid");
      break;
    }
    default:
      break;  // unknown events are ignored by the executor, as Mesos asks
  }
  return e;
}

}  // namespace steward::mesos
