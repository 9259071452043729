#include "spec/spec_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>

#include "common/strings.hpp"
#include "placement/placement_rule.hpp"
#include "spec/spec_summary.hpp"

namespace steward::spec {

namespace {

using nlohmann::json;

json to_json(const VolumeSpec& v) {
  json j = {{"path", v.path}, {"type", to_string(v.type)}, {"size", v.size_mb}};
  if (!v.profiles.empty()) j["profiles"] = v.profiles;
  return j;
}

json to_json(const PortSpec& p) {
  json j = {{"port", p.port}, {"advertise", p.advertise}};
  if (!p.env_key.empty()) j["env-key"] = p.env_key;
  if (!p.ranges.empty()) {
    json ranges = json::array();
    for (const auto& r : p.ranges) {
      json range = json::object();
      if (r.begin) range["begin"] = *r.begin;
      if (r.end) range["end"] = *r.end;
      ranges.push_back(range);
    }
    j["ranges"] = ranges;
  }
  if (p.vip) j["vip"] = {{"port", p.vip->port}, {"prefix", p.vip->prefix}};
  return j;
}

json limit_json(const std::optional<ResourceLimit>& l) {
  if (!l) return nullptr;
  if (l->unlimited) return "unlimited";
  return l->value;
}

json to_json(const ResourceSetSpec& s) {
  json j = {{"id", s.id},
            {"cpus", s.cpus},
            {"gpus", s.gpus},
            {"memory", s.memory_mb},
            {"implicit", s.implicit}};
  json ports = json::object();
  for (const auto& [name, port] : s.ports)
    ports[name] = to_json(port);
  j["ports"] = ports;
  json volumes = json::array();
  for (const auto& v : s.volumes)
    volumes.push_back(to_json(v));
  j["volumes"] = volumes;
  if (s.limits.cpus || s.limits.memory_mb) {
    j["resource-limits"] = {{"cpus", limit_json(s.limits.cpus)},
                            {"memory", limit_json(s.limits.memory_mb)}};
  }
  return j;
}

json to_json(const TaskSpec& t) {
  json j = {{"name", t.name},
            {"goal", to_string(t.goal)},
            {"essential", t.essential},
            {"cmd", t.cmd},
            {"resource-set", t.resource_set},
            {"kill-grace-period", t.kill_grace_period_s}};
  json env = json::object();
  for (const auto& [k, v] : t.env)
    env[k] = v;
  j["env"] = env;
  json labels = json::object();
  for (const auto& [k, v] : t.labels)
    labels[k] = v;
  j["labels"] = labels;
  // The template text too, not only its path: an edited template changes what the task
  // runs, so it must change the stored configuration.
  json configs = json::object();
  for (const auto& c : t.configs)
    configs[c.name] = {{"template", c.template_path}, {"dest", c.dest}, {"content", c.content}};
  j["configs"] = configs;
  if (t.health_check) {
    const auto& h = *t.health_check;
    j["health-check"] = {{"cmd", h.cmd},
                         {"interval", h.interval_s},
                         {"grace-period", h.grace_period_s},
                         {"max-consecutive-failures", h.max_consecutive_failures},
                         {"delay", h.delay_s},
                         {"timeout", h.timeout_s}};
  }
  if (t.readiness_check) {
    const auto& r = *t.readiness_check;
    j["readiness-check"] = {
        {"cmd", r.cmd}, {"interval", r.interval_s}, {"delay", r.delay_s}, {"timeout", r.timeout_s}};
  }
  if (t.discovery) {
    j["discovery"] = {{"prefix", t.discovery->prefix},
                      {"visibility", to_string(t.discovery->visibility)}};
  }
  return j;
}

json to_json(const PodSpec& p) {
  json j = {{"type", p.type},
            {"count", p.count},
            {"placement", p.placement_text},
            {"allow-decommission", p.allow_decommission},
            {"pre-reserved-role", p.pre_reserved_role},
            {"uris", p.uris},
            {"share-pid-namespace", p.share_pid_namespace},
            {"user", p.user}};
  json volumes = json::array();
  for (const auto& v : p.volumes)
    volumes.push_back(to_json(v));
  j["volumes"] = volumes;
  json rlimits = json::object();
  for (const auto& r : p.rlimits) {
    rlimits[r.name] = {{"soft", r.soft ? json(*r.soft) : json(nullptr)},
                       {"hard", r.hard ? json(*r.hard) : json(nullptr)}};
  }
  j["rlimits"] = rlimits;
  json secrets = json::object();
  for (const auto& s : p.secrets)
    secrets[s.name] = {{"secret", s.source}, {"env-key", s.env_key}, {"file", s.file}};
  j["secrets"] = secrets;
  json host_volumes = json::object();
  for (const auto& h : p.host_volumes) {
    host_volumes[h.name] = {{"host-path", h.host_path},
                            {"container-path", h.container_path},
                            {"mode", to_string(h.mode)}};
  }
  j["host-volumes"] = host_volumes;
  json sets = json::array();
  for (const auto& s : p.resource_sets)
    sets.push_back(to_json(s));
  j["resource-sets"] = sets;
  json tasks = json::array();
  for (const auto& t : p.tasks)
    tasks.push_back(to_json(t));
  j["tasks"] = tasks;
  return j;
}

}  // namespace

std::string to_json(const ServiceSpec& spec, int indent) {
  json j = {{"name", spec.name},
            {"web-url", spec.web_url},
            {"scheduler",
             {{"principal", spec.scheduler.principal},
              {"user", spec.scheduler.user},
              {"zookeeper", spec.scheduler.zookeeper}}}};
  if (spec.replacement_failure_policy) {
    j["replacement-failure-policy"] = {
        {"permanent-failure-timeout-secs",
         spec.replacement_failure_policy->permanent_failure_timeout_s},
        {"min-replace-delay-secs", spec.replacement_failure_policy->min_replace_delay_s}};
  }
  json pods = json::array();
  for (const auto& p : spec.pods)
    pods.push_back(to_json(p));
  j["pods"] = pods;
  json plans = json::array();
  for (const auto& plan : spec.plans) {
    json phases = json::array();
    for (const auto& phase : plan.phases) {
      json ph = {{"name", phase.name},
                 {"strategy", to_string(phase.strategy)},
                 {"pod", phase.pod},
                 {"step-count", count_steps(spec, phase)}};
      if (phase.steps) {
        json steps = json::array();
        for (const auto& e : *phase.steps) {
          steps.push_back({{e.index ? std::to_string(*e.index) : std::string("default"), e.steps}});
        }
        ph["steps"] = steps;
      }
      phases.push_back(ph);
    }
    plans.push_back(
        {{"name", plan.name}, {"strategy", to_string(plan.strategy)}, {"phases", phases}});
  }
  j["plans"] = plans;
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

// Thrown only inside the reader, so each field read stays one line; spec_from_json turns
// it into the caller's error string.
struct Malformed {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Malformed{path + ": " + what};
}

std::string at_index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string as_string(const json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "expected a string");
  return j.get<std::string>();
}

bool as_bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "expected true or false");
  return j.get<bool>();
}

double as_number(const json& j, const std::string& path) {
  if (!j.is_number()) fail(path, "expected a number");
  return j.get<double>();
}

std::int64_t as_int64(const json& j, const std::string& path) {
  if (!j.is_number_integer()) fail(path, "expected an integer");
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail(path, "is out of range");
  return j.get<std::int64_t>();
}

int as_int(const json& j, const std::string& path) {
  const std::int64_t value = as_int64(j, path);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    fail(path, "is out of range");
  return static_cast<int>(value);
}

// Accepts exactly the spellings to_string writes, so nothing to_json cannot have written.
template <typename E>
E as_enum(const json& j, const std::string& path, std::initializer_list<E> values) {
  const std::string text = as_string(j, path);
  std::vector<std::string> known;
  for (E value : values) {
    if (to_string(value) == text) return value;
    known.emplace_back(to_string(value));
  }
  fail(path, "unknown value " + quote(text) + " (expected " + join_alternatives(known) + ")");
}

// One JSON object and where it sits, so every field read can name its path.
class Object {
 public:
  Object(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_, "expected an object");
  }

  const json& value() const { return j_; }
  std::string path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& require(const char* key) const {
    const json* v = find(key);
    if (v == nullptr) fail(path(key), "is required");
    return *v;
  }

  // Each leaves `out` as it is when the field is absent.
  void read(const char* key, std::string& out) const {
    if (const json* v = find(key)) out = as_string(*v, path(key));
  }
  void read(const char* key, bool& out) const {
    if (const json* v = find(key)) out = as_bool(*v, path(key));
  }
  void read(const char* key, double& out) const {
    if (const json* v = find(key)) out = as_number(*v, path(key));
  }
  void read(const char* key, int& out) const {
    if (const json* v = find(key)) out = as_int(*v, path(key));
  }
  void read(const char* key, std::vector<std::string>& out) const {
    for_each_item(
        key, [&](const json& item, const std::string& at) { out.push_back(as_string(item, at)); });
  }
  template <typename E>
  void read(const char* key, E& out, std::initializer_list<E> values) const {
    if (const json* v = find(key)) out = as_enum(*v, path(key), values);
  }

  // f(item, path) for each element of the array at `key`; absent is no elements.
  template <typename F>
  void for_each_item(const char* key, F&& f) const {
    const json* v = find(key);
    if (v == nullptr) return;
    const std::string at = path(key);
    if (!v->is_array()) fail(at, "expected an array");
    for (std::size_t i = 0; i < v->size(); ++i)
      f((*v)[i], at_index(at, i));
  }

  // f(name, value, path) for each member of the object at `key`; absent is no members.
  template <typename F>
  void for_each_member(const char* key, F&& f) const {
    const json* v = find(key);
    if (v == nullptr) return;
    const Object members(*v, path(key));
    for (auto it = v->begin(); it != v->end(); ++it)
      f(it.key(), it.value(), members.path(it.key()));
  }

 private:
  const json& j_;
  std::string path_;
};

OrderedMap<std::string> read_strings(const Object& o, const char* key) {
  OrderedMap<std::string> out;
  o.for_each_member(key, [&](const std::string& name, const json& v, const std::string& at) {
    out.emplace_back(name, as_string(v, at));
  });
  return out;
}

VolumeSpec read_volume(const json& j, const std::string& path) {
  const Object o(j, path);
  VolumeSpec v;
  o.read("path", v.path);
  o.read("type", v.type, {VolumeType::root, VolumeType::mount});
  o.read("size", v.size_mb);
  o.read("profiles", v.profiles);
  return v;
}

PortSpec read_port(const std::string& name, const json& j, const std::string& path) {
  const Object o(j, path);
  PortSpec p;
  p.name = name;
  o.read("port", p.port);
  o.read("advertise", p.advertise);
  o.read("env-key", p.env_key);
  o.for_each_item("ranges", [&](const json& item, const std::string& at) {
    const Object range(item, at);
    PortRange r;
    if (const json* b = range.find("begin")) r.begin = as_int(*b, range.path("begin"));
    if (const json* e = range.find("end")) r.end = as_int(*e, range.path("end"));
    p.ranges.push_back(r);
  });
  if (const json* vip = o.find("vip")) {
    const Object v(*vip, o.path("vip"));
    p.vip.emplace();
    v.read("port", p.vip->port);
    v.read("prefix", p.vip->prefix);
  }
  return p;
}

// null is "no limit set", which to_json writes when only the other resource has one.
std::optional<ResourceLimit> read_limit(const Object& o, const char* key) {
  const json* v = o.find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string() && v->get_ref<const std::string&>() == "unlimited")
    return ResourceLimit{true, 0};
  if (v->is_number()) return ResourceLimit{false, v->get<double>()};
  fail(o.path(key), "expected a number, \"unlimited\" or null");
}

ResourceSetSpec read_resource_set(const json& j, const std::string& path) {
  const Object o(j, path);
  ResourceSetSpec s;
  s.id = as_string(o.require("id"), o.path("id"));
  o.read("cpus", s.cpus);
  o.read("gpus", s.gpus);
  o.read("memory", s.memory_mb);
  o.read("implicit", s.implicit);
  o.for_each_member("ports", [&](const std::string& name, const json& v, const std::string& at) {
    s.ports.emplace_back(name, read_port(name, v, at));
  });
  o.for_each_item("volumes", [&](const json& item, const std::string& at) {
    s.volumes.push_back(read_volume(item, at));
  });
  if (const json* limits = o.find("resource-limits")) {
    const Object l(*limits, o.path("resource-limits"));
    s.limits.cpus = read_limit(l, "cpus");
    s.limits.memory_mb = read_limit(l, "memory");
  }
  return s;
}

TaskSpec read_task(const json& j, const std::string& path) {
  const Object o(j, path);
  TaskSpec t;
  t.name = as_string(o.require("name"), o.path("name"));
  o.read("goal", t.goal, {GoalState::running, GoalState::finish, GoalState::once});
  o.read("essential", t.essential);
  o.read("cmd", t.cmd);
  o.read("resource-set", t.resource_set);
  o.read("kill-grace-period", t.kill_grace_period_s);
  t.env = read_strings(o, "env");
  t.labels = read_strings(o, "labels");
  o.for_each_member("configs", [&](const std::string& name, const json& v, const std::string& at) {
    const Object c(v, at);
    ConfigFileSpec config;
    config.name = name;
    c.read("template", config.template_path);
    c.read("dest", config.dest);
    c.read("content", config.content);
    t.configs.push_back(std::move(config));
  });
  if (const json* v = o.find("health-check")) {
    const Object h(*v, o.path("health-check"));
    HealthCheckSpec check;
    h.read("cmd", check.cmd);
    h.read("interval", check.interval_s);
    h.read("grace-period", check.grace_period_s);
    h.read("max-consecutive-failures", check.max_consecutive_failures);
    h.read("delay", check.delay_s);
    h.read("timeout", check.timeout_s);
    t.health_check = check;
  }
  if (const json* v = o.find("readiness-check")) {
    const Object r(*v, o.path("readiness-check"));
    ReadinessCheckSpec check;
    r.read("cmd", check.cmd);
    r.read("interval", check.interval_s);
    r.read("delay", check.delay_s);
    r.read("timeout", check.timeout_s);
    t.readiness_check = check;
  }
  if (const json* v = o.find("discovery")) {
    const Object d(*v, o.path("discovery"));
    DiscoverySpec discovery;
    d.read("prefix", discovery.prefix);
    d.read("visibility", discovery.visibility,
           {DiscoveryVisibility::framework, DiscoveryVisibility::cluster,
            DiscoveryVisibility::external});
    t.discovery = discovery;
  }
  return t;
}

constexpr int kMaxPodCount = 100000;

PodSpec read_pod(const json& j, const std::string& path) {
  const Object o(j, path);
  PodSpec p;
  p.type = as_string(o.require("type"), o.path("type"));
  o.read("count", p.count);
  // The loader's limit; a count from elsewhere would size every loop over instances.
  if (p.count < 0 || p.count > kMaxPodCount)
    fail(o.path("count"), "must be between 0 and " + std::to_string(kMaxPodCount));
  o.read("placement", p.placement_text);
  // The rule is what the offer matcher uses; the text alone would place anywhere.
  if (!p.placement_text.empty()) {
    auto parsed = placement::parse_placement(p.placement_text);
    if (!parsed.ok()) {
      std::string problems;
      for (const std::string& e : parsed.errors)
        problems += (problems.empty() ? "" : "; ") + e;
      fail(o.path("placement"), problems);
    }
    p.placement = std::move(parsed.rule);
  }
  o.read("allow-decommission", p.allow_decommission);
  o.read("pre-reserved-role", p.pre_reserved_role);
  o.read("uris", p.uris);
  o.read("share-pid-namespace", p.share_pid_namespace);
  o.read("user", p.user);
  o.for_each_item("volumes", [&](const json& item, const std::string& at) {
    p.volumes.push_back(read_volume(item, at));
  });
  o.for_each_member("rlimits", [&](const std::string& name, const json& v, const std::string& at) {
    const Object r(v, at);
    RLimitSpec limit;
    limit.name = name;
    // null is "not set", as to_json writes it.
    if (const json* soft = r.find("soft"); soft != nullptr && !soft->is_null())
      limit.soft = as_int64(*soft, r.path("soft"));
    if (const json* hard = r.find("hard"); hard != nullptr && !hard->is_null())
      limit.hard = as_int64(*hard, r.path("hard"));
    p.rlimits.push_back(limit);
  });
  o.for_each_member("secrets", [&](const std::string& name, const json& v, const std::string& at) {
    const Object s(v, at);
    SecretSpec secret;
    secret.name = name;
    s.read("secret", secret.source);
    s.read("env-key", secret.env_key);
    s.read("file", secret.file);
    p.secrets.push_back(std::move(secret));
  });
  o.for_each_member("host-volumes",
                    [&](const std::string& name, const json& v, const std::string& at) {
                      const Object h(v, at);
                      HostVolumeSpec volume;
                      volume.name = name;
                      h.read("host-path", volume.host_path);
                      h.read("container-path", volume.container_path);
                      h.read("mode", volume.mode, {HostVolumeMode::rw, HostVolumeMode::ro});
                      p.host_volumes.push_back(std::move(volume));
                    });
  o.for_each_item("resource-sets", [&](const json& item, const std::string& at) {
    p.resource_sets.push_back(read_resource_set(item, at));
  });
  o.for_each_item("tasks", [&](const json& item, const std::string& at) {
    p.tasks.push_back(read_task(item, at));
  });
  return p;
}

const std::initializer_list<Strategy> kStrategies = {
    Strategy::serial, Strategy::parallel, Strategy::serial_canary, Strategy::parallel_canary,
    Strategy::dependency};

// One `steps` entry as to_json writes it: {"<pod index>"|"default": [[task, ...], ...]}.
StepsEntry read_steps_entry(const json& j, const std::string& path) {
  const Object o(j, path);
  if (j.size() != 1) fail(path, "expected one member, \"default\" or a pod index");
  const std::string& key = j.begin().key();
  StepsEntry entry;
  if (key != "default") {
    auto index = parse_int(key);
    if (!index || *index < std::numeric_limits<int>::min() ||
        *index > std::numeric_limits<int>::max())
      fail(path, quote(key) + " is neither \"default\" nor a pod index");
    entry.index = static_cast<int>(*index);
  }
  const std::string steps_path = o.path(key);
  const json& steps = j.begin().value();
  if (!steps.is_array()) fail(steps_path, "expected an array");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string step_path = at_index(steps_path, i);
    if (!steps[i].is_array()) fail(step_path, "expected an array");
    std::vector<std::string> tasks;
    for (std::size_t k = 0; k < steps[i].size(); ++k)
      tasks.push_back(as_string(steps[i][k], at_index(step_path, k)));
    entry.steps.push_back(std::move(tasks));
  }
  return entry;
}

PlanSpec read_plan(const json& j, const std::string& path) {
  const Object o(j, path);
  PlanSpec plan;
  plan.name = as_string(o.require("name"), o.path("name"));
  o.read("strategy", plan.strategy, kStrategies);
  // "step-count" is derived from the pods, so it is not read back.
  o.for_each_item("phases", [&](const json& item, const std::string& at) {
    const Object ph(item, at);
    PhaseSpec phase;
    phase.name = as_string(ph.require("name"), ph.path("name"));
    ph.read("strategy", phase.strategy, kStrategies);
    phase.pod = as_string(ph.require("pod"), ph.path("pod"));
    // Absent and empty differ: absent runs every task once per instance.
    if (ph.find("steps") != nullptr) {
      phase.steps.emplace();
      ph.for_each_item("steps", [&](const json& entry, const std::string& entry_path) {
        phase.steps->push_back(read_steps_entry(entry, entry_path));
      });
    }
    plan.phases.push_back(std::move(phase));
  });
  return plan;
}

ServiceSpec read_spec(const json& j) {
  if (!j.is_object()) throw Malformed{"expected an object at the top level"};
  const Object o(j, "");
  ServiceSpec spec;
  spec.name = as_string(o.require("name"), "name");
  o.read("web-url", spec.web_url);
  if (const json* v = o.find("scheduler")) {
    const Object s(*v, "scheduler");
    s.read("principal", spec.scheduler.principal);
    s.read("user", spec.scheduler.user);
    s.read("zookeeper", spec.scheduler.zookeeper);
  }
  if (const json* v = o.find("replacement-failure-policy")) {
    const Object r(*v, "replacement-failure-policy");
    ReplacementFailurePolicy policy;
    r.read("permanent-failure-timeout-secs", policy.permanent_failure_timeout_s);
    r.read("min-replace-delay-secs", policy.min_replace_delay_s);
    spec.replacement_failure_policy = policy;
  }
  o.for_each_item("pods", [&](const json& item, const std::string& at) {
    spec.pods.push_back(read_pod(item, at));
  });
  o.for_each_item("plans", [&](const json& item, const std::string& at) {
    spec.plans.push_back(read_plan(item, at));
  });
  return spec;
}

// nlohmann prefixes its messages with an id ("[json.exception.parse_error.101] "), which
// means nothing to whoever reads the error.
std::string without_exception_id(const char* what) {
  std::string_view message(what);
  if (!message.empty() && message.front() == '[') {
    auto end = message.find("] ");
    if (end != std::string_view::npos) message.remove_prefix(end + 2);
  }
  return std::string(message);
}

}  // namespace

std::optional<ServiceSpec> spec_from_json(std::string_view json_text, std::string& error) {
  error.clear();
  json j;
  try {
    j = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    error = "not valid JSON: " + without_exception_id(e.what());
    return std::nullopt;
  }
  try {
    return read_spec(j);
  } catch (const Malformed& m) {
    error = m.message;
  } catch (const json::exception& e) {
    // The reader checks every type before it converts, so this is a bug, not bad input.
    error = "cannot read the configuration: " + without_exception_id(e.what());
  }
  return std::nullopt;
}

}  // namespace steward::spec
