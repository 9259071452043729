#include "mesos/call_json.hpp"

#include "mesos/json_fields.hpp"

namespace steward::mesos {

namespace {

using json_fields::id;
using json_fields::id_value;
using json_fields::text;
using nlohmann::json;

constexpr std::pair<Call::Type, const char*> kTypes[] = {{Call::Type::subscribe, "SUBSCRIBE"},
                                                         {Call::Type::teardown, "TEARDOWN"},
                                                         {Call::Type::decline, "DECLINE"},
                                                         {Call::Type::revive, "REVIVE"},
                                                         {Call::Type::kill, "KILL"},
                                                         {Call::Type::shutdown, "SHUTDOWN"},
                                                         {Call::Type::acknowledge, "ACKNOWLEDGE"},
                                                         {Call::Type::reconcile, "RECONCILE"},
                                                         {Call::Type::suppress, "SUPPRESS"}};

// The readers below take either tree (json_fields.hpp): the embedded master reads a
// scheduler's acknowledgements, by the thousand, from a JsonDocument.
template <class Tree>
std::vector<std::string> strings(const Tree& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.template get<std::string>());
  }
  return out;
}

template <class Tree>
const Tree* body(const Tree& j, const char* key, std::string& error, const std::string& type) {
  auto it = j.find(key);
  if (it != j.end() && it->is_object()) return &*it;
  error = type + ": `" + key + "` is missing";
  return nullptr;
}

template <class Tree>
std::optional<FrameworkInfo> read_framework_info(const Tree& j, std::string& error) {
  FrameworkInfo f;
  f.id = id_value(j, "id").value_or("");
  f.user = text(j, "user");
  f.name = text(j, "name");
  if (f.user.empty() || f.name.empty()) {
    error = std::string("SUBSCRIBE: framework_info.") + (f.user.empty() ? "user" : "name") +
            " is required";
    return std::nullopt;
  }
  f.roles = strings(j, "roles");
  if (f.roles.empty() && !text(j, "role").empty()) f.roles.push_back(text(j, "role"));
  f.principal = text(j, "principal");
  if (auto t = j.find("failover_timeout"); t != j.end() && t->is_number())
    f.failover_timeout = t->template get<double>();
  if (auto c = j.find("checkpoint"); c != j.end() && c->is_boolean())
    f.checkpoint = c->template get<bool>();
  f.webui_url = text(j, "webui_url");
  if (auto caps = j.find("capabilities"); caps != j.end() && caps->is_array()) {
    for (const auto& c : *caps) {
      if (c.is_object() && !text(c, "type").empty()) f.capabilities.push_back(text(c, "type"));
    }
  }
  return f;
}

template <class Tree>
std::optional<Call> read_call(const Tree& j, std::string& error);

}  // namespace

std::optional<FrameworkInfo> framework_info_from_json(const json& j, std::string& error) {
  return read_framework_info(j, error);
}

json to_json(const FrameworkInfo& f) {
  json j = {{"user", f.user},
            {"name", f.name},
            {"roles", f.roles},
            {"failover_timeout", f.failover_timeout},
            {"checkpoint", f.checkpoint}};
  if (!f.id.empty()) j["id"] = id(f.id);
  if (!f.principal.empty()) j["principal"] = f.principal;
  if (!f.webui_url.empty()) j["webui_url"] = f.webui_url;
  json caps = json::array();
  for (const auto& c : f.capabilities)
    caps.push_back({{"type", c}});
  j["capabilities"] = caps;
  return j;
}

std::string reconcile_text(const std::string& framework_id,
                           const std::vector<Call::TaskRef>& tasks) {
  // Keys in sorted order (see JsonText), so the text equals to_json().dump().
  std::string text;
  JsonText out(text);
  out.begin_object();
  if (!framework_id.empty()) out.id_field("framework_id", framework_id);
  out.key("reconcile").begin_object().key("tasks").begin_array();
  for (const Call::TaskRef& t : tasks) {
    out.begin_object();
    if (!t.agent_id.empty()) out.id_field("agent_id", t.agent_id);
    out.id_field("task_id", t.task_id).end_object();
  }
  out.end_array().end_object().field("type", "RECONCILE").end_object();
  return text;
}

std::string acknowledge_text(const std::string& framework_id, const std::string& agent_id,
                             const std::string& task_id, const std::string& uuid) {
  std::string text;
  JsonText out(text);  // keys in sorted order, as reconcile_text
  out.begin_object()
      .key("acknowledge")
      .begin_object()
      .id_field("agent_id", agent_id)
      .id_field("task_id", task_id)
      .field("uuid", uuid)
      .end_object();
  if (!framework_id.empty()) out.id_field("framework_id", framework_id);
  out.field("type", "ACKNOWLEDGE").end_object();
  return text;
}

json to_json(const Call& c) {
  json j;
  for (const auto& [type, name] : kTypes) {
    if (type == c.type) j["type"] = name;
  }
  if (!j.contains("type")) j["type"] = "UNKNOWN";
  if (!c.framework_id.empty()) j["framework_id"] = id(c.framework_id);
  switch (c.type) {
    case Call::Type::subscribe:
      j["subscribe"] = {{"framework_info", to_json(c.framework_info)},
                        {"suppressed_roles", c.suppressed_roles}};
      break;
    case Call::Type::decline: {
      json ids = json::array();
      for (const auto& o : c.offer_ids)
        ids.push_back(id(o));
      j["decline"] = {{"offer_ids", ids}};
      if (c.refuse_seconds) j["decline"]["filters"] = {{"refuse_seconds", *c.refuse_seconds}};
      break;
    }
    case Call::Type::revive:
      j["revive"] = {{"roles", c.roles}};
      break;
    case Call::Type::suppress:
      j["suppress"] = {{"roles", c.roles}};
      break;
    case Call::Type::kill:
      j["kill"] = {{"task_id", id(c.task_id)}};
      if (!c.agent_id.empty()) j["kill"]["agent_id"] = id(c.agent_id);
      if (c.kill_grace_period_ns)
        j["kill"]["kill_policy"] = {{"grace_period", {{"nanoseconds", *c.kill_grace_period_ns}}}};
      break;
    case Call::Type::shutdown:
      j["shutdown"] = {{"executor_id", id(c.executor_id)}, {"agent_id", id(c.agent_id)}};
      break;
    case Call::Type::acknowledge:
      j["acknowledge"] = {
          {"agent_id", id(c.agent_id)}, {"task_id", id(c.task_id)}, {"uuid", c.uuid}};
      break;
    case Call::Type::reconcile: {
      json tasks = json::array();
      for (const auto& t : c.tasks) {
        json item = {{"task_id", id(t.task_id)}};
        if (!t.agent_id.empty()) item["agent_id"] = id(t.agent_id);
        tasks.push_back(item);
      }
      j["reconcile"] = {{"tasks", tasks}};
      break;
    }
    default:
      break;
  }
  return j;
}

namespace {

template <class Tree>
std::optional<Call> read_call(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "call: must be an object";
    return std::nullopt;
  }
  Call c;
  const std::string type = text(j, "type");
  for (const auto& [value, name] : kTypes) {
    if (type == name) c.type = value;
  }
  if (c.type == Call::Type::unknown) {
    error = "call: unsupported type \"" + type + "\"";
    return std::nullopt;
  }
  c.framework_id = id_value(j, "framework_id").value_or("");
  switch (c.type) {
    case Call::Type::subscribe: {
      const Tree* b = body(j, "subscribe", error, type);
      if (b == nullptr) return std::nullopt;
      auto info = b->find("framework_info");
      if (info == b->end() || !info->is_object()) {
        error = "SUBSCRIBE: framework_info is required";
        return std::nullopt;
      }
      auto f = read_framework_info(*info, error);
      if (!f) return std::nullopt;
      c.framework_info = *f;
      c.suppressed_roles = strings(*b, "suppressed_roles");
      if (c.framework_id != c.framework_info.id) {
        error = "SUBSCRIBE: framework_id must equal framework_info.id";
        return std::nullopt;
      }
      return c;
    }
    default:
      break;
  }
  if (c.framework_id.empty()) {
    error = type + ": framework_id is required";
    return std::nullopt;
  }
  switch (c.type) {
    case Call::Type::decline: {
      const Tree* b = body(j, "decline", error, type);
      if (b == nullptr) return std::nullopt;
      if (auto ids = b->find("offer_ids"); ids != b->end() && ids->is_array()) {
        for (const auto& o : *ids) {
          if (o.is_object() && o.contains("value") && o["value"].is_string())
            c.offer_ids.push_back(o["value"].template get<std::string>());
        }
      }
      if (auto f = b->find("filters"); f != b->end() && f->is_object()) {
        if (auto r = f->find("refuse_seconds"); r != f->end() && r->is_number())
          c.refuse_seconds = r->template get<double>();
      }
      break;
    }
    case Call::Type::revive:
    case Call::Type::suppress: {
      // The body is optional: no body means all roles.
      auto b = j.find(type == "REVIVE" ? "revive" : "suppress");
      if (b != j.end() && b->is_object()) c.roles = strings(*b, "roles");
      break;
    }
    case Call::Type::kill: {
      const Tree* b = body(j, "kill", error, type);
      if (b == nullptr) return std::nullopt;
      c.task_id = id_value(*b, "task_id").value_or("");
      c.agent_id = id_value(*b, "agent_id").value_or("");
      if (c.task_id.empty()) {
        error = "KILL: task_id is required";
        return std::nullopt;
      }
      if (auto k = b->find("kill_policy"); k != b->end() && k->is_object()) {
        if (auto g = k->find("grace_period"); g != k->end() && g->is_object()) {
          if (auto ns = g->find("nanoseconds"); ns != g->end() && ns->is_number_integer())
            c.kill_grace_period_ns = ns->template get<std::int64_t>();
        }
      }
      break;
    }
    case Call::Type::shutdown: {
      const Tree* b = body(j, "shutdown", error, type);
      if (b == nullptr) return std::nullopt;
      c.executor_id = id_value(*b, "executor_id").value_or("");
      c.agent_id = id_value(*b, "agent_id").value_or("");
      if (c.executor_id.empty() || c.agent_id.empty()) {
        error = std::string("SHUTDOWN: ") + (c.executor_id.empty() ? "executor_id" : "agent_id") +
                " is required";
        return std::nullopt;
      }
      break;
    }
    case Call::Type::acknowledge: {
      const Tree* b = body(j, "acknowledge", error, type);
      if (b == nullptr) return std::nullopt;
      c.agent_id = id_value(*b, "agent_id").value_or("");
      c.task_id = id_value(*b, "task_id").value_or("");
      c.uuid = text(*b, "uuid");
      for (const auto& [field, value] :
           {std::pair<const char*, const std::string*>{"agent_id", &c.agent_id},
            {"task_id", &c.task_id},
            {"uuid", &c.uuid}}) {
        if (value->empty()) {
          error = std::string("ACKNOWLEDGE: ") + field + " is required";
          return std::nullopt;
        }
      }
      break;
    }
    case Call::Type::reconcile: {
      auto b = j.find("reconcile");
      if (b != j.end() && b->is_object()) {
        if (auto tasks = b->find("tasks"); tasks != b->end() && tasks->is_array()) {
          for (const auto& t : *tasks) {
            if (!t.is_object()) continue;
            Call::TaskRef ref{id_value(t, "task_id").value_or(""),
                              id_value(t, "agent_id").value_or("")};
            if (ref.task_id.empty()) {
              error = "RECONCILE: every task needs a task_id";
              return std::nullopt;
            }
            c.tasks.push_back(ref);
          }
        }
      }
      break;
    }
    default:
      break;  // TEARDOWN has no body
  }
  return c;
}

}  // namespace

std::optional<Call> call_from_json(const json& j, std::string& error) {
  return read_call(j, error);
}

std::optional<Call> call_from_json(const JsonValue& j, std::string& error) {
  return read_call(j, error);
}

}  // namespace steward::mesos
