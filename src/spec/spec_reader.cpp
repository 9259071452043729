#include "spec/spec_reader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config_template_names.hpp"
#include "common/strings.hpp"

namespace steward::spec {

namespace {

namespace fs = std::filesystem;

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

constexpr int kMaxPort = 65535;

// Why each field that parses is nonetheless refused; never dropped silently.
const char* unsupported_reason(std::string_view field) {
  if (field == "image") {
    return "container images need a container runtime; Steward runs tasks on the host "
           "filesystem in a sandbox (ship the software with `uris` or install it on the hosts)";
  }
  if (field == "networks") {
    return "virtual networks need a container network runtime; Steward's tasks use the host "
           "network, and `ports` are reserved on the host";
  }
  if (field == "seccomp-unconfined" || field == "seccomp-profile-name") {
    return "seccomp profiles are applied by the Mesos container runtime, which Steward does "
           "not have";
  }
  if (field == "ipc-mode" || field == "shm-size") {
    return "IPC namespaces and private /dev/shm need a container runtime, which Steward does "
           "not have";
  }
  if (field == "transport-encryption") {
    return "TLS provisioning relies on the DC/OS certificate authority; ship certificates as "
           "`secrets` instead";
  }
  if (field == "external-volumes") {
    return "external volumes need the Docker volume isolator; use `volumes` (ROOT or MOUNT) "
           "or `host-volumes`";
  }
  return "not supported by Steward";
}

class SpecReader {
 public:
  SpecReader(YamlDocument& doc, const ReadContext& ctx, ServiceSpec& spec)
      : doc_(doc), ctx_(ctx), spec_(spec) {}

  void read(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      doc_.diagnostics().error({doc_.file(), 1, 1}, "", "the spec is empty",
                               "a spec needs at least `name` and `pods`");
      return;
    }
    auto top = doc_.fields(
        root, "", {"name", "web-url", "scheduler", "pods", "plans", "replacement-failure-policy"});
    if (!top) return;
    if (top->has("name")) {
      if (auto v = doc_.string(top->get("name"), "name")) spec_.name = *v;
    } else {
      doc_.diagnostics().error({doc_.file(), 1, 1}, "name", "is required",
                               "add `name: my-service` at the top of the file");
    }
    if (top->has("web-url")) {
      if (auto v = doc_.string(top->get("web-url"), "web-url")) spec_.web_url = *v;
    }
    if (top->has("scheduler")) read_scheduler(top->get("scheduler"));
    if (top->has("replacement-failure-policy"))
      read_replacement(top->get("replacement-failure-policy"));
    if (top->has("pods")) {
      read_pods(top->get("pods"));
    } else {
      doc_.diagnostics().error({doc_.file(), 1, 1}, "pods", "is required",
                               "add a `pods:` mapping with at least one pod type");
    }
    if (top->has("plans")) read_plan_specs(doc_, top->get("plans"), spec_);
  }

 private:
  void unsupported(const YamlFields& f, std::initializer_list<std::string_view> names) {
    for (std::string_view name : names) {
      if (f.has(name)) spec_.unsupported.push_back({f.path(name), unsupported_reason(name)});
    }
  }

  void read_scheduler(const YAML::Node& node) {
    auto f = doc_.fields(node, "scheduler", {"principal", "user", "zookeeper"});
    if (!f) return;
    if (f->has("principal")) {
      if (auto v = doc_.string(f->get("principal"), f->path("principal")))
        spec_.scheduler.principal = *v;
    }
    if (f->has("user")) {
      if (auto v = doc_.string(f->get("user"), f->path("user"))) spec_.scheduler.user = *v;
    }
    if (f->has("zookeeper")) {
      if (auto v = doc_.string(f->get("zookeeper"), f->path("zookeeper")))
        spec_.scheduler.zookeeper = *v;
    }
  }

  void read_replacement(const YAML::Node& node) {
    const std::string path = "replacement-failure-policy";
    auto f = doc_.fields(node, path, {"permanent-failure-timeout-secs", "min-replace-delay-secs"});
    if (!f) return;
    ReplacementFailurePolicy policy;
    if (f->has("permanent-failure-timeout-secs")) {
      auto key = "permanent-failure-timeout-secs";
      if (auto v = doc_.integer(f->get(key), f->path(key), 0, 365LL * 24 * 3600)) {
        policy.permanent_failure_timeout_s = static_cast<int>(*v);
      }
    }
    if (f->has("min-replace-delay-secs")) {
      auto key = "min-replace-delay-secs";
      if (auto v = doc_.integer(f->get(key), f->path(key), 0, 24 * 3600)) {
        policy.min_replace_delay_s = static_cast<int>(*v);
      }
    }
    spec_.replacement_failure_policy = policy;
  }

  void read_pods(const YAML::Node& node) {
    auto pods = doc_.entries(node, "pods");
    if (!pods) return;
    for (const auto& [type, pod_node] : *pods) {
      PodSpec pod;
      pod.type = type;
      read_pod(pod_node, "pods." + type, pod);
      spec_.pods.push_back(std::move(pod));
    }
  }

  void read_pod(const YAML::Node& node, const std::string& path, PodSpec& pod) {
    auto f = doc_.fields(node, path,
                         {"count", "placement", "allow-decommission", "pre-reserved-role", "uris",
                          "volume", "volumes", "resource-sets", "rlimits", "secrets",
                          "host-volumes", "share-pid-namespace", "user", "tasks"},
                         {"image", "networks", "seccomp-unconfined", "seccomp-profile-name",
                          "ipc-mode", "shm-size", "external-volumes"});
    if (!f) return;
    unsupported(*f, {"image", "networks", "seccomp-unconfined", "seccomp-profile-name", "ipc-mode",
                     "shm-size", "external-volumes"});
    if (f->has("count")) {
      if (auto v = doc_.integer(f->get("count"), f->path("count"), 0, 100000)) {
        pod.count = static_cast<int>(*v);
      }
    } else {
      doc_.missing(f->path("count"), "is required", "add `count: 1` to the pod");
    }
    if (f->has("placement")) {
      if (auto v = doc_.string(f->get("placement"), f->path("placement"))) pod.placement_text = *v;
    }
    if (f->has("allow-decommission")) {
      if (auto v = doc_.boolean(f->get("allow-decommission"), f->path("allow-decommission"))) {
        pod.allow_decommission = *v;
      }
    }
    if (f->has("pre-reserved-role")) {
      auto key = "pre-reserved-role";
      if (auto v = doc_.string(f->get(key), f->path(key))) pod.pre_reserved_role = *v;
    }
    if (f->has("uris")) {
      if (auto v = doc_.string_list(f->get("uris"), f->path("uris"))) pod.uris = *v;
    }
    read_volumes(*f, pod.volumes);
    if (f->has("rlimits")) read_rlimits(doc_, f->get("rlimits"), f->path("rlimits"), pod);
    if (f->has("secrets"))
      read_secrets(doc_, ctx_.base_dir, f->get("secrets"), f->path("secrets"), pod);
    if (f->has("host-volumes"))
      read_host_volumes(doc_, f->get("host-volumes"), f->path("host-volumes"), pod);
    if (f->has("share-pid-namespace")) {
      auto key = "share-pid-namespace";
      if (auto v = doc_.boolean(f->get(key), f->path(key))) pod.share_pid_namespace = *v;
    }
    if (f->has("user")) {
      if (auto v = doc_.string(f->get("user"), f->path("user"))) pod.user = *v;
    }
    if (f->has("resource-sets")) {
      if (auto sets = doc_.entries(f->get("resource-sets"), f->path("resource-sets"))) {
        for (const auto& [id, set_node] : *sets) {
          ResourceSetSpec set;
          set.id = id;
          read_resource_set(set_node, f->path("resource-sets") + "." + id, set);
          pod.resource_sets.push_back(std::move(set));
        }
      }
    }
    if (f->has("tasks")) {
      if (auto tasks = doc_.entries(f->get("tasks"), f->path("tasks"))) {
        for (const auto& [name, task_node] : *tasks) {
          TaskSpec task;
          task.name = name;
          read_task(task_node, f->path("tasks") + "." + name, pod, task);
          pod.tasks.push_back(std::move(task));
        }
      }
    } else {
      doc_.missing(f->path("tasks"), "is required",
                   "add a `tasks:` mapping with at least one task");
    }
    route_task_config(pod);
  }

  // TASKCFG_ALL_<K> reaches every task, TASKCFG_<POD>_<K> the tasks of one pod type; both
  // override the YAML env, the pod-specific one winning.
  void route_task_config(PodSpec& pod) {
    std::string pod_prefix = "TASKCFG_" + to_upper(pod.type) + "_";
    for (char& c : pod_prefix) {
      if (c == '-') c = '_';
    }
    std::vector<std::pair<std::string, std::string>> routed;
    for (const std::string& prefix : {std::string("TASKCFG_ALL_"), pod_prefix}) {
      for (const auto& [key, value] : ctx_.env) {
        if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
          routed.emplace_back(key.substr(prefix.size()), value);
        }
      }
    }
    for (TaskSpec& task : pod.tasks) {
      for (const auto& entry : routed) {
        auto it = std::find_if(task.env.begin(), task.env.end(),
                               [&](const auto& e) { return e.first == entry.first; });
        if (it == task.env.end()) {
          task.env.push_back(entry);
        } else {
          it->second = entry.second;
        }
      }
    }
  }

  void read_resource_set(const YAML::Node& node, const std::string& path, ResourceSetSpec& set) {
    auto f = doc_.fields(
        node, path, {"cpus", "gpus", "memory", "ports", "volume", "volumes", "resource-limits"});
    if (!f) return;
    read_resources(*f, set);
  }

  // cpus/gpus/memory/ports/volume(s)/resource-limits, shared by tasks and resource sets.
  void read_resources(const YamlFields& f, ResourceSetSpec& set) {
    if (f.has("cpus")) {
      if (auto v = doc_.number(f.get("cpus"), f.path("cpus"), 0, true)) set.cpus = *v;
    }
    if (f.has("gpus")) {
      if (auto v = doc_.integer(f.get("gpus"), f.path("gpus"), 0, 1024)) {
        set.gpus = static_cast<double>(*v);
      }
    }
    if (f.has("memory")) {
      if (auto v = doc_.number(f.get("memory"), f.path("memory"), 0, true)) set.memory_mb = *v;
    }
    if (f.has("ports")) read_ports(f.get("ports"), f.path("ports"), set);
    read_volumes(f, set.volumes);
    if (f.has("resource-limits")) {
      read_limits(f.get("resource-limits"), f.path("resource-limits"), set.limits);
    }
  }

  void read_limits(const YAML::Node& node, const std::string& path, ResourceLimits& limits) {
    auto f = doc_.fields(node, path, {"cpus", "memory"});
    if (!f) return;
    auto one = [&](const char* key) -> std::optional<ResourceLimit> {
      YAML::Node v = f->get(key);
      if (v.IsScalar() && iequals(v.Scalar(), "unlimited")) return ResourceLimit{true, 0};
      auto n = doc_.number(v, f->path(key), 0, true);
      if (!n) return std::nullopt;
      return ResourceLimit{false, *n};
    };
    if (f->has("cpus")) limits.cpus = one("cpus");
    if (f->has("memory")) limits.memory_mb = one("memory");
  }

  void read_volumes(const YamlFields& f, std::vector<VolumeSpec>& out) {
    if (f.has("volume") && f.has("volumes")) {
      doc_.error(f.get("volumes"), f.path("volumes"), "cannot be given together with `volume`",
                 "use `volume` for one volume or `volumes` for several, not both");
      return;
    }
    if (f.has("volume")) {
      VolumeSpec v;
      if (read_volume(f.get("volume"), f.path("volume"), v)) out.push_back(std::move(v));
    }
    if (f.has("volumes")) {
      // dcos-commons takes a mapping name -> volume (names unused); a list is accepted too.
      YAML::Node node = f.get("volumes");
      if (node.IsSequence()) {
        doc_.spend(node.size());
        const std::vector<YAML::Node> items = YamlDocument::elements(node);
        for (std::size_t i = 0; i < items.size(); ++i) {
          VolumeSpec v;
          if (read_volume(items[i], index_path(f.path("volumes"), i), v))
            out.push_back(std::move(v));
        }
      } else if (auto entries = doc_.entries(node, f.path("volumes"))) {
        for (const auto& [name, vol_node] : *entries) {
          VolumeSpec v;
          if (read_volume(vol_node, f.path("volumes") + "." + name, v)) out.push_back(std::move(v));
        }
      }
    }
  }

  bool read_volume(const YAML::Node& node, const std::string& path, VolumeSpec& v) {
    auto f = doc_.fields(node, path, {"path", "type", "size", "profiles"});
    if (!f) return false;
    v.field = path;
    bool ok = true;
    if (f->has("path")) {
      if (auto p = doc_.string(f->get("path"), f->path("path"))) {
        v.path = *p;
        ok = check_sandbox_path(doc_, f->get("path"), f->path("path"), v.path) && ok;
        // The executor fetches a task's config templates there, as root, before the task:
        // through a volume's link it would write into what the task left in the volume.
        if (const fs::path normal = fs::path(v.path).lexically_normal();
            !normal.empty() && *normal.begin() == fs::path(kConfigTemplateFolder.substr(
                                                      0, kConfigTemplateFolder.size() - 1))) {
          doc_.error(
              f->get("path"), f->path("path"),
              "config-templates is where tasks' config templates are fetched, got " + quote(v.path),
              "mount the volume elsewhere");
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      doc_.missing(f->path("path"), "is required", "give the volume a path inside the sandbox");
      ok = false;
    }
    if (f->has("type")) {
      if (auto t = doc_.string(f->get("type"), f->path("type"))) {
        if (iequals(*t, "ROOT")) {
          v.type = VolumeType::root;
        } else if (iequals(*t, "MOUNT")) {
          v.type = VolumeType::mount;
        } else {
          doc_.error(f->get("type"), f->path("type"), "must be ROOT or MOUNT, got " + quote(*t));
          ok = false;
        }
      }
    } else {
      doc_.missing(
          f->path("type"), "is required",
          "write `type: ROOT` (a share of the agent's disk) or `type: MOUNT` (a whole disk)");
      ok = false;
    }
    if (f->has("size")) {
      if (auto s = doc_.number(f->get("size"), f->path("size"), 0, true)) {
        v.size_mb = *s;
      } else {
        ok = false;
      }
    } else {
      doc_.missing(f->path("size"), "is required",
                   "give the volume a size in MB, e.g. `size: 512`");
      ok = false;
    }
    if (f->has("profiles")) {
      if (auto p = doc_.string_list(f->get("profiles"), f->path("profiles"))) v.profiles = *p;
    }
    return ok;
  }

  void read_ports(const YAML::Node& node, const std::string& path, ResourceSetSpec& set) {
    auto entries = doc_.entries(node, path);
    if (!entries) return;
    for (const auto& [name, port_node] : *entries) {
      PortSpec port;
      port.name = name;
      const std::string ppath = path + "." + name;
      auto f = doc_.fields(port_node, ppath, {"port", "ranges", "env-key", "advertise", "vip"});
      if (!f) continue;
      if (f->has("port")) {
        if (auto v = doc_.integer(f->get("port"), f->path("port"), 0, kMaxPort)) {
          port.port = static_cast<int>(*v);
        }
      } else {
        doc_.missing(f->path("port"), "is required", "write `port: 0` for a dynamic port");
      }
      if (f->has("ranges") &&
          doc_.is_sequence(f->get("ranges"), f->path("ranges"), "{begin, end}")) {
        const std::vector<YAML::Node> ranges = YamlDocument::elements(f->get("ranges"));
        for (std::size_t i = 0; i < ranges.size(); ++i) {
          const std::string rpath = index_path(f->path("ranges"), i);
          auto rf = doc_.fields(ranges[i], rpath, {"begin", "end"});
          if (!rf) continue;
          PortRange range;
          if (rf->has("begin")) {
            if (auto v = doc_.integer(rf->get("begin"), rf->path("begin"), 1, kMaxPort)) {
              range.begin = static_cast<int>(*v);
            }
          }
          if (rf->has("end")) {
            if (auto v = doc_.integer(rf->get("end"), rf->path("end"), 1, kMaxPort)) {
              range.end = static_cast<int>(*v);
            }
          }
          if (range.begin && range.end && *range.begin > *range.end) {
            doc_.error(ranges[i], rpath,
                       "begin " + std::to_string(*range.begin) + " is above end " +
                           std::to_string(*range.end),
                       "swap begin and end");
          }
          port.ranges.push_back(range);
        }
      }
      if (f->has("env-key")) {
        if (auto v = doc_.string(f->get("env-key"), f->path("env-key"))) port.env_key = *v;
      }
      if (f->has("advertise")) {
        if (auto v = doc_.boolean(f->get("advertise"), f->path("advertise"))) port.advertise = *v;
      }
      if (f->has("vip")) {
        auto vf = doc_.fields(f->get("vip"), f->path("vip"), {"port", "prefix"});
        if (vf) {
          VipSpec vip;
          vip.prefix = name;
          if (vf->has("port")) {
            if (auto v = doc_.integer(vf->get("port"), vf->path("port"), 1, kMaxPort)) {
              vip.port = static_cast<int>(*v);
            }
          } else {
            doc_.missing(vf->path("port"), "is required", "give the VIP a port");
          }
          if (vf->has("prefix")) {
            if (auto v = doc_.string(vf->get("prefix"), vf->path("prefix"))) vip.prefix = *v;
          }
          port.vip = vip;
        }
      }
      set.ports.emplace_back(name, std::move(port));
    }
  }

  void read_task(const YAML::Node& node, const std::string& path, PodSpec& pod, TaskSpec& task) {
    auto f = doc_.fields(node, path,
                         {"goal", "essential", "cmd", "env", "labels", "configs", "cpus", "gpus",
                          "memory", "ports", "volume", "volumes", "resource-set", "health-check",
                          "readiness-check", "discovery", "kill-grace-period", "resource-limits"},
                         {"transport-encryption", "ipc-mode", "shm-size"});
    if (!f) return;
    unsupported(*f, {"transport-encryption", "ipc-mode", "shm-size"});
    if (f->has("goal")) {
      if (auto g = doc_.string(f->get("goal"), f->path("goal"))) {
        if (iequals(*g, "RUNNING")) {
          task.goal = GoalState::running;
        } else if (iequals(*g, "FINISH")) {
          task.goal = GoalState::finish;
        } else if (iequals(*g, "ONCE")) {
          task.goal = GoalState::once;
        } else if (iequals(*g, "FINISHED")) {
          doc_.error(f->get("goal"), f->path("goal"), "FINISHED is not a goal state",
                     "write FINISH");
        } else {
          doc_.error(f->get("goal"), f->path("goal"),
                     "must be RUNNING, FINISH or ONCE, got " + quote(*g));
        }
      }
    } else {
      doc_.missing(f->path("goal"), "is required", "write `goal: RUNNING`, `FINISH` or `ONCE`");
    }
    if (f->has("essential")) {
      if (auto v = doc_.boolean(f->get("essential"), f->path("essential"))) task.essential = *v;
    }
    if (f->has("cmd")) {
      if (auto v = doc_.string(f->get("cmd"), f->path("cmd"))) task.cmd = *v;
    } else {
      doc_.missing(f->path("cmd"), "is required", "give the task a shell command");
    }
    if (f->has("env")) {
      if (auto entries = doc_.entries(f->get("env"), f->path("env"))) {
        for (const auto& [key, value] : *entries) {
          // `KEY:` with no value is an empty string, not a missing variable.
          if (value.IsNull()) {
            task.env.emplace_back(key, "");
          } else if (auto v = doc_.string(value, f->path("env") + "." + key)) {
            task.env.emplace_back(key, *v);
          }
        }
      }
    }
    if (f->has("labels")) {
      if (auto v = doc_.string(f->get("labels"), f->path("labels"))) {
        read_labels(doc_, f->get("labels"), f->path("labels"), *v, task);
      }
    }
    if (f->has("configs"))
      read_configs(doc_, ctx_.base_dir, f->get("configs"), f->path("configs"), task);

    bool inline_resources = false;
    for (auto key : {"cpus", "gpus", "memory", "ports", "volume", "volumes", "resource-limits"}) {
      if (f->has(key)) inline_resources = true;
    }
    if (f->has("resource-set")) {
      if (auto v = doc_.string(f->get("resource-set"), f->path("resource-set")))
        task.resource_set = *v;
      if (inline_resources) {
        doc_.error(f->get("resource-set"), f->path("resource-set"),
                   "cannot be combined with cpus, gpus, memory, ports, volumes or resource-limits "
                   "on the task",
                   "move the task's resources into resource set " + quote(task.resource_set));
      }
    } else {
      ResourceSetSpec set;
      set.id = task.name + "-resource-set";
      set.implicit = true;
      read_resources(*f, set);
      task.resource_set = set.id;
      pod.resource_sets.push_back(std::move(set));
    }
    if (f->has("health-check"))
      read_health(doc_, f->get("health-check"), f->path("health-check"), task);
    if (f->has("readiness-check"))
      read_readiness(doc_, f->get("readiness-check"), f->path("readiness-check"), task);
    if (f->has("discovery")) read_discovery(doc_, f->get("discovery"), f->path("discovery"), task);
    if (f->has("kill-grace-period")) {
      auto key = "kill-grace-period";
      if (auto v = doc_.integer(f->get(key), f->path(key), 0, 3600)) {
        task.kill_grace_period_s = static_cast<int>(*v);
      }
    }
  }

  YamlDocument& doc_;
  const ReadContext& ctx_;
  ServiceSpec& spec_;
};

}  // namespace

void read_service_spec(YamlDocument& doc, const YAML::Node& root, const ReadContext& ctx,
                       ServiceSpec& spec) {
  SpecReader(doc, ctx, spec).read(root);
}

}  // namespace steward::spec
