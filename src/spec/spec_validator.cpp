#include "spec/spec_validator.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include "common/strings.hpp"

namespace steward::spec {

namespace {

// Patterns are string literals; compiling a std::regex costs far more than matching, so
// each is compiled once per thread.
bool matches(const std::string& text, const char* pattern) {
  thread_local std::unordered_map<const char*, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_match(text, it->second);
}

constexpr const char* kDnsLabel = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
constexpr const char* kEnvName = "[A-Za-z_][A-Za-z0-9_]*";

const std::set<std::string>& known_rlimits() {
  static const std::set<std::string> names = {
      "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
      "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
      "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
      "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};
  return names;
}

class Validator {
 public:
  Validator(ServiceSpec& spec, Diagnostics& d) : spec_(spec), d_(d) {}

  void run() {
    check_service();
    std::map<std::string, std::string> discovery_owner;   // prefix -> pod type
    std::map<std::string, std::string> advertised_owner;  // port name -> field path
    for (PodSpec& pod : spec_.pods) {
      check_pod(pod);
      for (const TaskSpec& task : pod.tasks) {
        if (!task.discovery || task.discovery->prefix.empty()) continue;
        auto [it, fresh] = discovery_owner.emplace(task.discovery->prefix, pod.type);
        if (!fresh && it->second != pod.type) {
          error(task_path(pod, task) + ".discovery.prefix",
                "prefix " + quote(task.discovery->prefix) + " is also used by pod " + it->second,
                "discovery prefixes must be distinct across pod types");
        }
      }
      for (const ResourceSetSpec& set : pod.resource_sets) {
        for (const auto& [name, port] : set.ports) {
          if (!port.advertise) continue;
          std::string path = set_path(pod, set) + ".ports." + name;
          auto [it, fresh] = advertised_owner.emplace(name, path);
          if (!fresh) {
            error(path, "advertised port name " + quote(name) + " is also used at " + it->second,
                  "advertised port names must be unique in the service");
          }
        }
      }
    }
    for (const PlanSpec& plan : spec_.plans)
      check_plan(plan);
    for (const auto& field : spec_.unsupported) {
      error(field.path, "is not supported: " + field.reason, "remove it from the spec");
    }
  }

 private:
  void error(const std::string& path, std::string message, std::string hint = {}) {
    d_.error(spec_.locate(path), path, std::move(message), std::move(hint));
  }
  void warning(const std::string& path, std::string message, std::string hint = {}) {
    d_.warning(spec_.locate(path), path, std::move(message), std::move(hint));
  }
  // A field read, stored and shown, that this runtime does not carry out yet: said at every
  // load rather than left to be found out.
  void not_applied(const std::string& path, const std::string& instead) {
    warning(path, "is accepted but not applied by this version: " + instead);
  }

  static std::string task_path(const PodSpec& pod, const TaskSpec& task) {
    return "pods." + pod.type + ".tasks." + task.name;
  }
  static std::string set_path(const PodSpec& pod, const ResourceSetSpec& set) {
    if (!set.implicit) return "pods." + pod.type + ".resource-sets." + set.id;
    std::string task = set.id.substr(0, set.id.size() - std::string("-resource-set").size());
    return "pods." + pod.type + ".tasks." + task;
  }

  void check_service() {
    if (spec_.locations.count("name")) {
      const std::string& name = spec_.name;
      std::string flat;
      for (char c : name) {
        if (c != '/') flat += c;
      }
      if (name.empty()) {
        error("name", "must not be empty");
      } else if (name.find("__") != std::string::npos) {
        error("name", "must not contain \"__\", got " + quote(name));
      } else if (flat.size() > 63) {
        error("name",
              "must be at most 63 characters without slashes, got " + std::to_string(flat.size()));
      } else if (!matches(name,
                          "/?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[a-z0-9]([a-z0-9.-]*[a-z0-9])?)*")) {
        error("name", quote(name) + " is not a valid service name",
              "use lower-case letters, digits, '-' and '.', optionally in /folders, e.g. "
              "hello-world");
      }
    }
    if (!spec_.scheduler.zookeeper.empty())
      not_applied("scheduler.zookeeper", "the state is kept in SQLite, in the data directory");
    if (!spec_.web_url.empty() && !matches(spec_.web_url, "https?://[^\\s]+")) {
      error("web-url", "must be an http:// or https:// URL, got " + quote(spec_.web_url));
    }
    if (!spec_.scheduler.user.empty() && !matches(spec_.scheduler.user, "[a-z_][a-z0-9_.-]*\\$?")) {
      error("scheduler.user", quote(spec_.scheduler.user) + " is not a valid user name");
    }
    if (spec_.pods.empty() && spec_.locations.count("pods")) {
      error("pods", "must define at least one pod type");
    }
  }

  void check_pod(PodSpec& pod) {
    const std::string path = "pods." + pod.type;
    if (!matches(pod.type, kDnsLabel)) {
      error(path, "pod type " + quote(pod.type) + " is not a valid name",
            "use lower-case letters, digits and '-', starting and ending with a letter or digit");
    }
    if (pod.tasks.empty() && spec_.locations.count(path + ".tasks")) {
      error(path + ".tasks", "must define at least one task");
    }
    if (!pod.placement_text.empty()) {
      auto parsed = placement::parse_placement(pod.placement_text);
      for (const std::string& message : parsed.errors) {
        error(path + ".placement", message);
      }
      if (parsed.ok()) pod.placement = parsed.rule;
    }
    if (!pod.pre_reserved_role.empty() &&
        !matches(pod.pre_reserved_role,
                 "[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")) {
      error(path + ".pre-reserved-role",
            quote(pod.pre_reserved_role) + " is not a valid role name");
    }
    if (!pod.secrets.empty())
      not_applied(path + ".secrets", "tasks start without them; ship a secret as a `uris` file");
    if (!pod.host_volumes.empty())
      not_applied(path + ".host-volumes", "nothing is mounted into the sandbox");
    if (pod.share_pid_namespace)
      not_applied(path + ".share-pid-namespace", "each task has its own process group");
    if (!pod.user.empty() && !matches(pod.user, "[a-z_][a-z0-9_.-]*\\$?")) {
      error(path + ".user", quote(pod.user) + " is not a valid user name");
    }
    for (std::size_t i = 0; i < pod.uris.size(); ++i) {
      const std::string& uri = pod.uris[i];
      if (!matches(uri, "(https?|file)://[^\\s]+|/[^\\s]*")) {
        error(path + ".uris[" + std::to_string(i) + "]",
              quote(uri) + " is not a URI Steward can fetch",
              "use http://, https://, file:// or an absolute path");
      }
    }
    for (const RLimitSpec& limit : pod.rlimits) {
      const std::string lpath = path + ".rlimits." + limit.name;
      if (!known_rlimits().count(limit.name)) {
        std::vector<std::string> names(known_rlimits().begin(), known_rlimits().end());
        auto near = closest_match(limit.name, names);
        error(lpath, "unknown resource limit " + quote(limit.name),
              near ? "did you mean " + *near + "?" : "use one of " + join_alternatives(names));
      }
      if (limit.soft.has_value() != limit.hard.has_value()) {
        error(lpath, "soft and hard must be given together", "set both, or neither for unlimited");
      } else if (limit.soft && *limit.soft > *limit.hard) {
        error(lpath, "soft limit " + std::to_string(*limit.soft) + " is above hard limit " +
                         std::to_string(*limit.hard));
      }
    }
    std::set<std::string> secret_targets;
    for (const SecretSpec& secret : pod.secrets) {
      const std::string spath = path + ".secrets." + secret.name;
      if (!secret.env_key.empty() && !matches(secret.env_key, kEnvName)) {
        error(spath + ".env-key",
              quote(secret.env_key) + " is not a valid environment variable name");
      }
      if (!secret.file.empty() && !secret_targets.insert(secret.file).second) {
        error(spath + ".file", "another secret is also written to " + quote(secret.file));
      }
    }
    std::set<std::string> host_targets;
    for (const HostVolumeSpec& hv : pod.host_volumes) {
      if (!hv.container_path.empty() && !host_targets.insert(hv.container_path).second) {
        error(path + ".host-volumes." + hv.name + ".container-path",
              "another host volume is also mounted at " + quote(hv.container_path));
      }
    }
    check_volumes(pod.volumes);

    // Fixed ports: every resource set of a pod is reserved together on one agent, so one
    // number can appear only once per pod.
    std::map<int, std::string> fixed_ports;
    std::set<std::string> used_sets;
    for (const TaskSpec& task : pod.tasks)
      used_sets.insert(task.resource_set);
    for (const ResourceSetSpec& set : pod.resource_sets) {
      const std::string rpath = set_path(pod, set);
      if (!set.implicit && !used_sets.count(set.id)) {
        warning(rpath, "resource set " + quote(set.id) + " is not used by any task");
      }
      if (set.limits.cpus || set.limits.memory_mb)
        not_applied(rpath + ".resource-limits", "tasks are not held to them");
      if (set.cpus <= 0) {
        error(rpath + ".cpus", set.implicit ? "the task needs cpus" : "the resource set needs cpus",
              set.implicit ? "add `cpus: 0.1`, or run the task on a `resource-set`"
                           : "add `cpus: 0.1`");
      }
      if (set.memory_mb <= 0) {
        error(rpath + ".memory",
              set.implicit ? "the task needs memory" : "the resource set needs memory",
              set.implicit ? "add `memory: 256` (MB), or run the task on a `resource-set`"
                           : "add `memory: 256` (MB)");
      }
      if (set.limits.cpus && !set.limits.cpus->unlimited && set.limits.cpus->value < set.cpus) {
        error(rpath + ".resource-limits.cpus",
              "limit " + format_number(set.limits.cpus->value) + " is below the request of " +
                  format_number(set.cpus) + " cpus",
              "raise the limit or write unlimited");
      }
      if (set.limits.memory_mb && !set.limits.memory_mb->unlimited &&
          set.limits.memory_mb->value < set.memory_mb) {
        error(rpath + ".resource-limits.memory",
              "limit " + format_number(set.limits.memory_mb->value) + " is below the request of " +
                  format_number(set.memory_mb) + " MB",
              "raise the limit or write unlimited");
      }
      check_ports(rpath, set, fixed_ports);
      std::vector<VolumeSpec> all = pod.volumes;
      all.insert(all.end(), set.volumes.begin(), set.volumes.end());
      check_volumes(set.volumes);
      check_volume_paths(rpath, all);
    }

    for (const TaskSpec& task : pod.tasks) {
      const std::string tpath = task_path(pod, task);
      if (task.discovery)
        not_applied(tpath + ".discovery", "endpoints name the task's agent, not a DNS prefix");
      if (!task.resource_set.empty() && pod.find_resource_set(task.resource_set) == nullptr) {
        std::vector<std::string> ids;
        for (const auto& set : pod.resource_sets) {
          if (!set.implicit) ids.push_back(set.id);
        }
        auto near = closest_match(task.resource_set, ids);
        error(tpath + ".resource-set",
              "no resource set " + quote(task.resource_set) + " in pod " + pod.type,
              near          ? "did you mean " + *near + "?"
              : ids.empty() ? "define it under the pod's resource-sets"
                            : "use one of " + join_alternatives(ids));
      }
      if (task.cmd.find_first_not_of(" \t\n") == std::string::npos &&
          spec_.locations.count(tpath + ".cmd")) {
        error(tpath + ".cmd", "must not be empty");
      }
      for (const auto& [key, value] : task.env) {
        if (key.empty() || key.find('=') != std::string::npos ||
            key.find('\0') != std::string::npos) {
          error(tpath + ".env." + key, quote(key) + " is not a valid environment variable name");
        }
      }
      std::set<std::string> dests;
      std::map<std::string, std::string> keys;  // CONFIG_TEMPLATE_<NAME> -> config name
      for (const ConfigFileSpec& config : task.configs) {
        const std::string cpath = tpath + ".configs." + config.name;
        if (!config.dest.empty() && !dests.insert(config.dest).second) {
          error(cpath + ".dest",
                "another config of this task is also written to " + quote(config.dest));
        }
        // The name is the template's file in the sandbox and its CONFIG_TEMPLATE_ variable.
        if (config.name.empty() || config.name.find('/') != std::string::npos ||
            config.name == "." || config.name == "..") {
          error(cpath, "a config's name is a file name: not empty, no '/', not \".\" or \"..\"");
          continue;
        }
        const std::string key = config.variable();
        if (auto [it, added] = keys.try_emplace(key, config.name); !added) {
          error(cpath, "its variable " + key + " is also config " + quote(it->second) + "'s",
                "name the configs so that they differ in more than case and punctuation");
        }
      }
      if (task.discovery && !task.discovery->prefix.empty() &&
          !matches(task.discovery->prefix, kDnsLabel)) {
        error(tpath + ".discovery.prefix",
              quote(task.discovery->prefix) + " is not a valid DNS label");
      }
      if (task.readiness_check && task.goal != GoalState::running) {
        warning(tpath + ".readiness-check", "only RUNNING tasks are gated by a readiness check");
      }
    }
  }

  void check_ports(const std::string& rpath, const ResourceSetSpec& set,
                   std::map<int, std::string>& fixed) {
    std::set<std::string> names;
    for (const auto& [name, port] : set.ports)
      names.insert(name);
    for (const auto& [name, port] : set.ports) {
      const std::string ppath = rpath + ".ports." + name;
      if (port.port > 0) {
        auto [it, fresh] = fixed.emplace(port.port, ppath);
        if (!fresh) {
          error(ppath + ".port",
                "port " + std::to_string(port.port) + " is also reserved by " + it->second,
                "a pod is placed on one agent, so each fixed port can be used once per pod");
        }
        if (!port.ranges.empty()) {
          error(ppath + ".ranges", "ranges apply only to dynamic ports",
                "set `port: 0` or drop the ranges");
        }
      }
      if (!port.env_key.empty() && !matches(port.env_key, kEnvName)) {
        error(ppath + ".env-key",
              quote(port.env_key) + " is not a valid environment variable name");
      }
      if (port.vip && port.vip->prefix != name && names.count(port.vip->prefix)) {
        error(ppath + ".vip.prefix",
              "VIP prefix " + quote(port.vip->prefix) + " is the name of another port");
      }
    }
  }

  void check_volumes(const std::vector<VolumeSpec>& volumes) {
    static const std::regex profile("[a-zA-Z0-9_.-]{1,128}");
    for (const VolumeSpec& v : volumes) {
      for (const std::string& p : v.profiles) {
        if (v.type != VolumeType::mount) {
          error(v.field + ".profiles", "profiles apply only to MOUNT volumes",
                "set `type: MOUNT` or drop the profiles");
          break;
        }
        if (!std::regex_match(p, profile)) {
          error(v.field + ".profiles", quote(p) + " is not a valid profile name",
                "use 1 to 128 of letters, digits, '_', '.' and '-'");
        }
      }
    }
  }

  void check_volume_paths(const std::string& path, const std::vector<VolumeSpec>& volumes) {
    std::set<std::string> seen;
    for (const VolumeSpec& v : volumes) {
      if (!v.path.empty() && !seen.insert(v.path).second) {
        error(path, "two volumes are mounted at " + quote(v.path), "give each volume its own path");
      }
    }
  }

  void check_plan(const PlanSpec& plan) {
    const std::string path = "plans." + plan.name;
    if (!matches(plan.name, "[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      error(path, "plan name " + quote(plan.name) + " is not valid",
            "use letters, digits, '-', '_' and '.'");
    }
    for (const char* reserved : {"recovery", "decommission", "uninstall"}) {
      if (plan.name == reserved) {
        error(path, quote(plan.name) + " is a built-in plan and cannot be defined in the spec",
              "choose another name");
      }
    }
    if (plan.phases.empty() && spec_.locations.count(path + ".phases")) {
      error(path + ".phases", "must define at least one phase");
    }
    for (const PhaseSpec& phase : plan.phases)
      check_phase(path + ".phases." + phase.name, phase);
  }

  void check_phase(const std::string& path, const PhaseSpec& phase) {
    if (phase.pod.empty()) return;  // reported while reading
    const PodSpec* pod = spec_.find_pod(phase.pod);
    if (pod == nullptr) {
      std::vector<std::string> types;
      for (const auto& p : spec_.pods)
        types.push_back(p.type);
      auto near = closest_match(phase.pod, types);
      error(path + ".pod", "no pod type " + quote(phase.pod),
            near ? "did you mean " + *near + "?" : "use one of " + join_alternatives(types));
      return;
    }
    if (!phase.steps) return;
    std::set<int> indices;
    bool has_default = false;
    for (std::size_t i = 0; i < phase.steps->size(); ++i) {
      const StepsEntry& entry = (*phase.steps)[i];
      const std::string epath = path + ".steps[" + std::to_string(i) + "]";
      if (entry.index) {
        if (!indices.insert(*entry.index).second) {
          error(epath, "pod index " + std::to_string(*entry.index) + " has steps twice",
                "merge the two entries");
        }
        if (*entry.index >= pod->count) {
          warning(epath, "pod " + pod->type + " has " + std::to_string(pod->count) +
                             " instances, so index " + std::to_string(*entry.index) +
                             " never runs");
        }
      } else if (has_default) {
        error(epath, "default has steps twice", "merge the two entries");
      } else {
        has_default = true;
      }
      for (std::size_t s = 0; s < entry.steps.size(); ++s) {
        check_step(epath + "[" + std::to_string(s) + "]", *pod, entry.steps[s]);
      }
    }
    if (!has_default) {
      for (int i = 0; i < pod->count; ++i) {
        if (!indices.count(i)) {
          error(path + ".steps", "no steps for pod index " + std::to_string(i) + " and no default",
                "add `- default: [[task]]`, or `- default: []` to run nothing on other instances");
          break;
        }
      }
    }
  }

  void check_step(const std::string& path, const PodSpec& pod,
                  const std::vector<std::string>& tasks) {
    std::map<std::string, std::string> set_owner;
    std::map<std::string, std::string> prefix_owner;
    std::set<std::string> seen;
    for (const std::string& name : tasks) {
      const TaskSpec* task = pod.find_task(name);
      if (task == nullptr) {
        std::vector<std::string> names;
        for (const auto& t : pod.tasks)
          names.push_back(t.name);
        auto near = closest_match(name, names);
        error(path, "pod " + pod.type + " has no task " + quote(name),
              near ? "did you mean " + *near + "?" : "use one of " + join_alternatives(names));
        continue;
      }
      if (!seen.insert(name).second) {
        error(path, "task " + quote(name) + " appears twice in one step");
        continue;
      }
      auto [it, fresh] = set_owner.emplace(task->resource_set, name);
      if (!fresh) {
        error(path,
              "tasks " + quote(it->second) + " and " + quote(name) + " share resource set \"" +
                  task->resource_set + "\" and cannot run in the same step",
              "put them in separate steps: [[" + it->second + "], [" + name + "]]");
      }
      if (task->discovery && !task->discovery->prefix.empty()) {
        auto [pit, pfresh] = prefix_owner.emplace(task->discovery->prefix, name);
        if (!pfresh) {
          error(path, "tasks " + quote(pit->second) + " and " + quote(name) +
                          " share discovery prefix " + quote(task->discovery->prefix) +
                          " and cannot run in the same step");
        }
      }
    }
  }

  ServiceSpec& spec_;
  Diagnostics& d_;
};

}  // namespace

void validate_service_spec(ServiceSpec& spec, Diagnostics& diagnostics) {
  Validator(spec, diagnostics).run();
}

}  // namespace steward::spec
