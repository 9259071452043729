#include "mesos/task_status_json.hpp"

#include "mesos/json_fields.hpp"

namespace steward::mesos {

namespace {

using json_fields::id;
using json_fields::id_value;
using json_fields::text;
using nlohmann::json;

constexpr std::pair<TaskStatus::Source, const char*> kSources[] = {
    {TaskStatus::Source::master, "SOURCE_MASTER"},
    {TaskStatus::Source::agent, "SOURCE_AGENT"},
    {TaskStatus::Source::executor, "SOURCE_EXECUTOR"}};

}  // namespace

void write_json(JsonText& out, const TaskStatus& s) {
  // Keys in sorted order (see JsonText).
  out.begin_object();
  if (!s.agent_id.empty()) out.id_field("agent_id", s.agent_id);
  if (s.check_exit_code) {
    out.key("check_status").begin_object().key("command").begin_object();
    out.field("exit_code", *s.check_exit_code).end_object().field("type", "COMMAND").end_object();
  } else if (s.check_http_status) {
    out.key("check_status").begin_object().key("http").begin_object();
    out.field("status_code", *s.check_http_status).end_object().field("type", "HTTP").end_object();
  } else if (s.check_succeeded) {
    out.key("check_status").begin_object().key("tcp").begin_object();
    out.field("succeeded", *s.check_succeeded).end_object().field("type", "TCP").end_object();
  }
  if (!s.ip_addresses.empty()) {
    out.key("container_status").begin_object().key("network_infos").begin_array();
    out.begin_object().key("ip_addresses").begin_array();
    for (const auto& ip : s.ip_addresses)
      out.begin_object().field("ip_address", ip).end_object();
    out.end_array().end_object().end_array().end_object();
  }
  if (!s.executor_id.empty()) out.id_field("executor_id", s.executor_id);
  if (s.healthy) out.field("healthy", *s.healthy);
  if (!s.labels.empty()) json_fields::write_labels(out, s.labels);
  if (!s.message.empty()) out.field("message", s.message);
  if (!s.reason.empty()) out.field("reason", s.reason);
  for (const auto& [source, name] : kSources) {
    if (source == s.source) out.field("source", name);
  }
  out.field("state", to_string(s.state)).id_field("task_id", s.task_id);
  out.field("timestamp", s.timestamp);
  if (!s.uuid.empty()) out.field("uuid", s.uuid);
  out.end_object();
}

json to_json(const TaskStatus& s) {
  return json_fields::parsed(s);
}

namespace {

template <class Tree>
std::optional<TaskStatus> read_task_status(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "status: must be an object";
    return std::nullopt;
  }
  TaskStatus s;
  auto task_id = id_value(j, "task_id");
  if (!task_id) {
    error = "status.task_id: is required";
    return std::nullopt;
  }
  s.task_id = *task_id;
  auto state = parse_task_state(text(j, "state"));
  if (!state) {
    error = "status.state: unknown task state \"" + text(j, "state") + "\"";
    return std::nullopt;
  }
  s.state = *state;
  s.message = text(j, "message");
  s.reason = text(j, "reason");
  std::string source = text(j, "source");
  for (const auto& [value, name] : kSources) {
    if (source == name) s.source = value;
  }
  s.agent_id = id_value(j, "agent_id").value_or("");
  s.executor_id = id_value(j, "executor_id").value_or("");
  if (auto t = j.find("timestamp"); t != j.end() && t->is_number())
    s.timestamp = t->template get<double>();
  s.uuid = text(j, "uuid");
  if (auto h = j.find("healthy"); h != j.end() && h->is_boolean())
    s.healthy = h->template get<bool>();
  if (auto c = j.find("check_status"); c != j.end() && c->is_object()) {
    if (auto cmd = c->find("command"); cmd != c->end() && cmd->is_object()) {
      if (auto code = cmd->find("exit_code"); code != cmd->end() && code->is_number_integer()) {
        s.check_exit_code = code->template get<int>();
      }
    }
    for (const char* kind : {"tcp", "http"}) {
      if (auto k = c->find(kind); k != c->end() && k->is_object()) {
        if (auto ok = k->find("succeeded"); ok != k->end() && ok->is_boolean())
          s.check_succeeded = ok->template get<bool>();
        if (auto code = k->find("status_code"); code != k->end() && code->is_number_integer()) {
          int http = code->template get<int>();
          s.check_http_status = http;
          s.check_succeeded = http >= 200 && http < 400;
        }
      }
    }
  }
  s.labels = json_fields::labels_from(j);
  if (auto cs = j.find("container_status"); cs != j.end() && cs->is_object()) {
    if (auto nets = cs->find("network_infos"); nets != cs->end() && nets->is_array()) {
      for (const auto& net : *nets) {
        if (!net.is_object()) continue;
        auto ips = net.find("ip_addresses");
        if (ips == net.end() || !ips->is_array()) continue;
        for (const auto& ip : *ips) {
          if (ip.is_object()) {
            std::string addr = text(ip, "ip_address");
            if (!addr.empty()) s.ip_addresses.push_back(addr);
          }
        }
      }
    }
  }
  return s;
}

}  // namespace

std::optional<TaskStatus> task_status_from_json(const json& j, std::string& error) {
  return read_task_status(j, error);
}

std::optional<TaskStatus> task_status_from_json(const JsonValue& j, std::string& error) {
  return read_task_status(j, error);
}

}  // namespace steward::mesos
