#include "mesos/task_info_json.hpp"

#include "mesos/json_fields.hpp"

#include "mesos/resource_json.hpp"

namespace steward::mesos {

namespace {

using json_fields::id;
using json_fields::id_value;
using json_fields::text;
using nlohmann::json;
using Env = std::vector<std::pair<std::string, std::string>>;

template <class Tree>
double number(const Tree& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->template get<double>() : fallback;
}

template <class Tree>
Env env_from(const Tree& j) {
  Env env;
  auto e = j.find("environment");
  if (e == j.end() || !e->is_object()) return env;
  auto vars = e->find("variables");
  if (vars == e->end() || !vars->is_array()) return env;
  for (const auto& v : *vars) {
    if (v.is_object()) env.emplace_back(text(v, "name"), text(v, "value"));
  }
  return env;
}

template <class Tree>
CommandInfo command_from(const Tree& j) {
  CommandInfo c;
  if (auto s = j.find("shell"); s != j.end() && s->is_boolean()) c.shell = s->template get<bool>();
  c.value = text(j, "value");
  if (auto args = j.find("arguments"); args != j.end() && args->is_array()) {
    for (const auto& a : *args) {
      if (a.is_string()) c.arguments.push_back(a.template get<std::string>());
    }
  }
  c.environment = env_from(j);
  c.user = text(j, "user");
  if (auto uris = j.find("uris"); uris != j.end() && uris->is_array()) {
    for (const auto& u : *uris) {
      if (!u.is_object()) continue;
      CommandInfo::Uri uri;
      uri.value = text(u, "value");
      if (auto e = u.find("extract"); e != u.end() && e->is_boolean())
        uri.extract = e->template get<bool>();
      if (auto x = u.find("executable"); x != u.end() && x->is_boolean())
        uri.executable = x->template get<bool>();
      c.uris.push_back(uri);
    }
  }
  return c;
}

const char* check_type_name(CommandCheck::Type t) {
  switch (t) {
    case CommandCheck::Type::http:
      return "HTTP";
    case CommandCheck::Type::tcp:
      return "TCP";
    default:
      return "COMMAND";
  }
}

// HealthCheck puts the command at `command`, CheckInfo one level deeper at `command.command`.
// HTTP and TCP targets are `http {port, path}` and `tcp {port}` in both.
template <class Tree>
std::optional<CommandCheck> check_from(const Tree& j, bool health, const std::string& where,
                                       std::string& error) {
  if (!j.is_object()) return std::nullopt;
  CommandCheck c;
  std::string type = text(j, "type");
  // Mesos infers a missing HealthCheck type from what is set.
  if (type.empty() && health)
    type = j.contains("http") ? "HTTP" : j.contains("tcp") ? "TCP" : "COMMAND";
  if (type == "HTTP" || type == "TCP") {
    c.type = type == "HTTP" ? CommandCheck::Type::http : CommandCheck::Type::tcp;
    auto target = j.find(type == "HTTP" ? "http" : "tcp");
    if (target == j.end() || !target->is_object()) {
      error = where + ": `" + (type == "HTTP" ? "http" : "tcp") + "` is missing";
      return std::nullopt;
    }
    auto port = target->find("port");
    if (port == target->end() || !port->is_number_unsigned() ||
        port->template get<std::uint64_t>() == 0 || port->template get<std::uint64_t>() > 65535) {
      error = where + ": a port from 1 to 65535 is required";
      return std::nullopt;
    }
    c.port = port->template get<std::uint32_t>();
    c.path = text(*target, "path");
    if (c.type == CommandCheck::Type::http && c.path.empty()) c.path = "/";
    if (!text(*target, "scheme").empty()) c.scheme = text(*target, "scheme");
    if (c.scheme != "http") {
      error = where + ": only the http scheme is supported, not " + c.scheme;
      return std::nullopt;
    }
  } else if (type == "COMMAND") {
    const Tree* cmd = nullptr;
    if (auto outer = j.find("command"); outer != j.end() && outer->is_object()) {
      cmd = &*outer;
      if (!health) {
        auto inner = outer->find("command");
        cmd = inner != outer->end() && inner->is_object() ? &*inner : nullptr;
      }
    }
    if (cmd == nullptr || text(*cmd, "value").empty()) {
      error = where + ": the command is missing";
      return std::nullopt;
    }
    c.command = text(*cmd, "value");
    c.environment = env_from(*cmd);
  } else {
    error = where + ": unsupported check type \"" + type + "\"";
    return std::nullopt;
  }
  c.delay_seconds = number(j, "delay_seconds", c.delay_seconds);
  c.interval_seconds = number(j, "interval_seconds", c.interval_seconds);
  c.timeout_seconds = number(j, "timeout_seconds", c.timeout_seconds);
  c.grace_period_seconds = number(j, "grace_period_seconds", c.grace_period_seconds);
  if (auto f = j.find("consecutive_failures"); f != j.end() && f->is_number_unsigned()) {
    c.consecutive_failures = f->template get<std::uint32_t>();
  }
  return c;
}

template <class Tree>
std::optional<std::vector<Resource>> resources_from(const Tree& j, const char* key,
                                                    const std::string& where, std::string& error) {
  std::vector<Resource> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) {
    error = where + "." + key + ": must be a list";
    return std::nullopt;
  }
  for (const auto& r : *it) {
    std::string why;
    auto resource = resource_from_json(r, why);
    if (!resource) {
      error = where + ": " + why;
      return std::nullopt;
    }
    out.push_back(std::move(*resource));
  }
  return out;
}

constexpr std::pair<Operation::Type, const char*> kOps[] = {
    {Operation::Type::launch, "LAUNCH"},   {Operation::Type::launch_group, "LAUNCH_GROUP"},
    {Operation::Type::reserve, "RESERVE"}, {Operation::Type::unreserve, "UNRESERVE"},
    {Operation::Type::create, "CREATE"},   {Operation::Type::destroy, "DESTROY"}};

// The writers below put each object's keys in sorted order (see JsonText).

void write_env(JsonText& out, const Env& env) {
  out.key("environment").begin_object().key("variables").begin_array();
  for (const auto& [name, value] : env)
    out.begin_object().field("name", name).field("value", value).end_object();
  out.end_array().end_object();
}

void write_command(JsonText& out, const CommandInfo& c) {
  out.begin_object();
  if (!c.arguments.empty()) {
    out.key("arguments").values(c.arguments);
  }
  write_env(out, c.environment);
  out.field("shell", c.shell);
  if (!c.uris.empty()) {
    out.key("uris").begin_array();
    for (const auto& u : c.uris) {
      out.begin_object().field("executable", u.executable).field("extract", u.extract);
      out.field("value", u.value).end_object();
    }
    out.end_array();
  }
  if (!c.user.empty()) out.field("user", c.user);
  out.field("value", c.value).end_object();
}

// A HealthCheck (`health`) has its command at `command`, a CheckInfo one level deeper, and
// only a HealthCheck has a grace period, a failure count and an HTTP scheme.
void write_check(JsonText& out, const CommandCheck& c, bool health) {
  out.begin_object();
  if (c.type == CommandCheck::Type::command) {
    out.key("command").begin_object();
    if (!health) out.key("command").begin_object();
    write_env(out, c.environment);
    out.field("value", c.command).end_object();
    if (!health) out.end_object();
  }
  if (health) out.field("consecutive_failures", c.consecutive_failures);
  out.field("delay_seconds", c.delay_seconds);
  if (health) out.field("grace_period_seconds", c.grace_period_seconds);
  if (c.type == CommandCheck::Type::http) {
    out.key("http").begin_object().field("path", c.path).field("port", c.port);
    if (health) out.field("scheme", c.scheme);
    out.end_object();
  }
  out.field("interval_seconds", c.interval_seconds);
  if (c.type == CommandCheck::Type::tcp)
    out.key("tcp").begin_object().field("port", c.port).end_object();
  out.field("timeout_seconds", c.timeout_seconds).field("type", check_type_name(c.type));
  out.end_object();
}

}  // namespace

void write_json(JsonText& out, const TaskInfo& t) {
  out.begin_object();
  if (!t.agent_id.empty()) out.id_field("agent_id", t.agent_id);
  if (t.check) {
    out.key("check");
    write_check(out, *t.check, false);
  }
  if (t.command) {
    out.key("command");
    write_command(out, *t.command);
  }
  if (!t.rlimits.empty()) {
    out.key("container").begin_object().key("rlimit_info").begin_object();
    out.key("rlimits").begin_array();
    for (const RLimit& r : t.rlimits) {
      out.begin_object();
      if (r.hard) out.field("hard", *r.hard);
      if (r.soft) out.field("soft", *r.soft);
      out.field("type", r.type).end_object();
    }
    out.end_array().end_object().field("type", "MESOS").end_object();
  }
  if (t.executor) {
    out.key("executor");
    write_json(out, *t.executor);
  }
  if (t.health_check) {
    out.key("health_check");
    write_check(out, *t.health_check, true);
  }
  if (t.kill_grace_period_ns) {
    out.key("kill_policy").begin_object().key("grace_period").begin_object();
    out.field("nanoseconds", *t.kill_grace_period_ns).end_object().end_object();
  }
  if (!t.labels.empty()) json_fields::write_labels(out, t.labels);
  out.field("name", t.name).key("resources");
  write_json(out, t.resources);
  out.id_field("task_id", t.task_id).end_object();
}

void write_json(JsonText& out, const ExecutorInfo& e) {
  out.begin_object().id_field("executor_id", e.executor_id);
  out.id_field("framework_id", e.framework_id).field("name", e.name).key("resources");
  write_json(out, e.resources);
  out.field("type", "DEFAULT").end_object();
}

void write_json(JsonText& out, const Operation& op) {
  const char* type = "UNKNOWN";
  for (const auto& [t, name] : kOps) {
    if (t == op.type) type = name;
  }
  // The operation's own field sorts before "id" (create, destroy), between "id" and "type"
  // (launch, launch_group, reserve) or after "type" (unreserve).
  out.begin_object();
  switch (op.type) {
    case Operation::Type::create:
      out.key("create").begin_object().key("volumes");
      write_json(out, op.resources);
      out.end_object();
      break;
    case Operation::Type::destroy:
      out.key("destroy").begin_object().key("volumes");
      write_json(out, op.resources);
      out.end_object();
      break;
    default:
      break;
  }
  if (!op.id.empty()) out.id_field("id", op.id);
  switch (op.type) {
    case Operation::Type::launch:
      out.key("launch").begin_object().key("task_infos");
      json_fields::write_list(out, op.tasks);
      out.end_object();
      break;
    case Operation::Type::launch_group:
      out.key("launch_group").begin_object();
      if (op.executor) {
        out.key("executor");
        write_json(out, *op.executor);
      }
      out.key("task_group").begin_object().key("tasks");
      json_fields::write_list(out, op.tasks);
      out.end_object().end_object();
      break;
    case Operation::Type::reserve:
      out.key("reserve").begin_object().key("resources");
      write_json(out, op.resources);
      out.end_object();
      break;
    default:
      break;
  }
  out.field("type", type);
  if (op.type == Operation::Type::unreserve) {
    out.key("unreserve").begin_object().key("resources");
    write_json(out, op.resources);
    out.end_object();
  }
  out.end_object();
}

void write_json(JsonText& out, const AcceptCall& a) {
  out.begin_object().key("accept").begin_object();
  if (a.refuse_seconds)
    out.key("filters").begin_object().field("refuse_seconds", *a.refuse_seconds).end_object();
  out.key("offer_ids").begin_array();
  for (const auto& o : a.offer_ids)
    out.begin_object().field("value", o).end_object();
  out.end_array().key("operations").begin_array();
  // A launch's resources come twice: in its RESERVE and in its LAUNCH_GROUP.
  const ResourceTextReuse reuse(out);
  for (const Operation& op : a.operations)
    write_json(out, op);
  out.end_array().end_object();
  out.id_field("framework_id", a.framework_id).field("type", "ACCEPT").end_object();
}

json to_json(const TaskInfo& t) {
  return json_fields::parsed(t);
}
json to_json(const ExecutorInfo& e) {
  return json_fields::parsed(e);
}
json to_json(const Operation& op) {
  return json_fields::parsed(op);
}
json to_json(const AcceptCall& a) {
  return json_fields::parsed(a);
}

std::string accept_text(const AcceptCall& a) {
  // Sized from the last ACCEPT written on this thread, per operation: an ACCEPT of hundreds of
  // launches is a megabyte, and growing to it by doubling copied it all about once more.
  // At most 4 MB: one launch of a large pod must not size every ACCEPT after it.
  thread_local double bytes_per_operation = 0;
  std::string text;
  text.reserve(std::min<std::size_t>(
      std::size_t{4} << 20, static_cast<std::size_t>(bytes_per_operation * 1.1 *
                                                     static_cast<double>(a.operations.size())) +
                                256));
  JsonText out(text);
  write_json(out, a);
  if (!a.operations.empty())
    bytes_per_operation =
        static_cast<double>(text.size()) / static_cast<double>(a.operations.size());
  return text;
}

namespace {

template <class Tree>
std::optional<TaskInfo> read_task_info(const Tree& j, std::string& error, bool require_task_id) {
  error.clear();
  if (!j.is_object()) {
    error = "task: must be an object";
    return std::nullopt;
  }
  TaskInfo t;
  t.name = text(j, "name");
  t.task_id = id_value(j, "task_id").value_or("");
  if (t.task_id.empty() && require_task_id) {
    error = "task " + t.name + ": task_id is required";
    return std::nullopt;
  }
  const std::string where = "task " + t.task_id;
  t.agent_id = id_value(j, "agent_id").value_or("");
  auto resources = resources_from(j, "resources", where, error);
  if (!resources) return std::nullopt;
  t.resources = std::move(*resources);
  if (auto c = j.find("command"); c != j.end() && c->is_object()) t.command = command_from(*c);
  if (auto h = j.find("health_check"); h != j.end()) {
    t.health_check = check_from(*h, true, where + ".health_check", error);
    if (!error.empty()) return std::nullopt;
  }
  if (auto c = j.find("check"); c != j.end()) {
    t.check = check_from(*c, false, where + ".check", error);
    if (!error.empty()) return std::nullopt;
  }
  if (auto k = j.find("kill_policy"); k != j.end() && k->is_object()) {
    if (auto g = k->find("grace_period"); g != k->end() && g->is_object()) {
      if (auto ns = g->find("nanoseconds"); ns != g->end() && ns->is_number_integer()) {
        t.kill_grace_period_ns = ns->template get<std::int64_t>();
      }
    }
  }
  if (auto c = j.find("container"); c != j.end() && c->is_object()) {
    if (auto info = c->find("rlimit_info"); info != c->end() && info->is_object()) {
      auto list = info->find("rlimits");
      if (list != info->end() && list->is_array()) {
        for (const auto& item : *list) {
          RLimit r;
          r.type = item.is_object() ? text(item, "type") : "";
          if (!is_rlimit_type(r.type)) {
            error = where + ".container.rlimit_info: unsupported rlimit type \"" + r.type + "\"";
            return std::nullopt;
          }
          if (auto v = item.find("soft"); v != item.end() && v->is_number_unsigned())
            r.soft = v->template get<std::uint64_t>();
          if (auto v = item.find("hard"); v != item.end() && v->is_number_unsigned())
            r.hard = v->template get<std::uint64_t>();
          if (r.soft.has_value() != r.hard.has_value() || (r.soft && *r.soft > *r.hard)) {
            error = where + ".container.rlimit_info: " + r.type +
                    " needs both soft and hard (soft <= hard), or neither for unlimited";
            return std::nullopt;
          }
          t.rlimits.push_back(r);
        }
      }
    }
  }
  t.labels = json_fields::labels_from(j);
  if (auto e = j.find("executor"); e != j.end()) {
    auto executor = executor_info_from_json(*e, error);
    if (!executor) {
      error = where + ": " + error;
      return std::nullopt;
    }
    t.executor = std::move(*executor);
  }
  return t;
}

}  // namespace

bool is_rlimit_type(const std::string& type) {
  static const char* const kTypes[] = {
      "RLMT_AS",      "RLMT_CORE",     "RLMT_CPU",        "RLMT_DATA",   "RLMT_FSIZE", "RLMT_LOCKS",
      "RLMT_MEMLOCK", "RLMT_MSGQUEUE", "RLMT_NICE",       "RLMT_NOFILE", "RLMT_NPROC", "RLMT_RSS",
      "RLMT_RTPRIO",  "RLMT_RTTIME",   "RLMT_SIGPENDING", "RLMT_STACK"};
  for (const char* t : kTypes)
    if (type == t) return true;
  return false;
}

namespace {

template <class Tree>
std::optional<ExecutorInfo> read_executor_info(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "executor: must be an object";
    return std::nullopt;
  }
  ExecutorInfo e;
  e.executor_id = id_value(j, "executor_id").value_or("");
  e.framework_id = id_value(j, "framework_id").value_or("");
  e.name = text(j, "name");
  if (text(j, "type") != "DEFAULT") {
    error = "executor.type must be DEFAULT";
    return std::nullopt;
  }
  if (e.executor_id.empty() || e.framework_id.empty()) {
    error = std::string("executor.") + (e.executor_id.empty() ? "executor_id" : "framework_id") +
            " is required";
    return std::nullopt;
  }
  auto resources = resources_from(j, "resources", "executor " + e.executor_id, error);
  if (!resources) return std::nullopt;
  e.resources = std::move(*resources);
  return e;
}

template <class Tree>
std::optional<Operation> read_operation(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object()) {
    error = "operation: must be an object";
    return std::nullopt;
  }
  Operation op;
  const std::string type = text(j, "type");
  for (const auto& [value, name] : kOps) {
    if (type == name) op.type = value;
  }
  if (op.type == Operation::Type::unknown) {
    error = "operation: unsupported type \"" + type + "\"";
    return std::nullopt;
  }
  op.id = id_value(j, "id").value_or("");
  auto body_of = [&](const char* key) -> const Tree* {
    auto it = j.find(key);
    if (it != j.end() && it->is_object()) return &*it;
    error = type + ": `" + key + "` is missing";
    return nullptr;
  };
  auto tasks_from = [&](const Tree& list) -> bool {
    if (!list.is_array()) {
      error = type + ": tasks must be a list";
      return false;
    }
    for (const auto& t : list) {
      auto task = task_info_from_json(t, error);
      if (!task) return false;
      op.tasks.push_back(std::move(*task));
    }
    return true;
  };
  switch (op.type) {
    case Operation::Type::launch: {
      const Tree* b = body_of("launch");
      if (b == nullptr || (b->contains("task_infos") && !tasks_from((*b)["task_infos"])))
        return std::nullopt;
      break;
    }
    case Operation::Type::launch_group: {
      const Tree* b = body_of("launch_group");
      if (b == nullptr) return std::nullopt;
      auto ex = b->find("executor");
      if (ex == b->end() || !ex->is_object()) {
        error = "LAUNCH_GROUP: executor is required";
        return std::nullopt;
      }
      auto e = executor_info_from_json(*ex, error);
      if (!e) {
        error = "LAUNCH_GROUP: " + error;
        return std::nullopt;
      }
      op.executor = std::move(*e);
      auto group = b->find("task_group");
      if (group == b->end() || !group->is_object() || !group->contains("tasks")) {
        error = "LAUNCH_GROUP: task_group.tasks is required";
        return std::nullopt;
      }
      if (!tasks_from((*group)["tasks"])) return std::nullopt;
      break;
    }
    default: {
      const char* key = op.type == Operation::Type::reserve     ? "reserve"
                        : op.type == Operation::Type::unreserve ? "unreserve"
                        : op.type == Operation::Type::create    ? "create"
                                                                : "destroy";
      const char* list = op.type == Operation::Type::create || op.type == Operation::Type::destroy
                             ? "volumes"
                             : "resources";
      const Tree* b = body_of(key);
      if (b == nullptr) return std::nullopt;
      auto resources = resources_from(*b, list, type, error);
      if (!resources) return std::nullopt;
      op.resources = std::move(*resources);
      break;
    }
  }
  if (!op.id.empty() &&
      (op.type == Operation::Type::launch || op.type == Operation::Type::launch_group)) {
    error = type + ": an operation id is not allowed on launches";
    return std::nullopt;
  }
  return op;
}

template <class Tree>
std::optional<AcceptCall> read_accept(const Tree& j, std::string& error) {
  error.clear();
  if (!j.is_object() || text(j, "type") != "ACCEPT") {
    error = "call: not an ACCEPT";
    return std::nullopt;
  }
  AcceptCall a;
  a.framework_id = id_value(j, "framework_id").value_or("");
  if (a.framework_id.empty()) {
    error = "ACCEPT: framework_id is required";
    return std::nullopt;
  }
  auto b = j.find("accept");
  if (b == j.end() || !b->is_object()) {
    error = "ACCEPT: `accept` is missing";
    return std::nullopt;
  }
  if (auto ids = b->find("offer_ids"); ids != b->end() && ids->is_array()) {
    for (const auto& o : *ids) {
      if (o.is_object() && o.contains("value") && o["value"].is_string())
        a.offer_ids.push_back(o["value"].template get<std::string>());
    }
  }
  if (a.offer_ids.empty()) {
    error = "ACCEPT: offer_ids is required";
    return std::nullopt;
  }
  if (auto ops = b->find("operations"); ops != b->end() && ops->is_array()) {
    for (const auto& o : *ops) {
      auto op = operation_from_json(o, error);
      if (!op) return std::nullopt;
      a.operations.push_back(std::move(*op));
    }
  }
  if (auto f = b->find("filters"); f != b->end() && f->is_object()) {
    if (auto r = f->find("refuse_seconds"); r != f->end() && r->is_number())
      a.refuse_seconds = r->template get<double>();
  }
  return a;
}

}  // namespace

std::optional<TaskInfo> task_info_from_json(const json& j, std::string& error,
                                            bool require_task_id) {
  return read_task_info(j, error, require_task_id);
}
std::optional<TaskInfo> task_info_from_json(const JsonValue& j, std::string& error,
                                            bool require_task_id) {
  return read_task_info(j, error, require_task_id);
}
std::optional<ExecutorInfo> executor_info_from_json(const json& j, std::string& error) {
  return read_executor_info(j, error);
}
std::optional<ExecutorInfo> executor_info_from_json(const JsonValue& j, std::string& error) {
  return read_executor_info(j, error);
}
std::optional<Operation> operation_from_json(const json& j, std::string& error) {
  return read_operation(j, error);
}
std::optional<Operation> operation_from_json(const JsonValue& j, std::string& error) {
  return read_operation(j, error);
}
std::optional<AcceptCall> accept_from_json(const json& j, std::string& error) {
  return read_accept(j, error);
}
std::optional<AcceptCall> accept_from_json(const JsonValue& j, std::string& error) {
  return read_accept(j, error);
}

}  // namespace steward::mesos
