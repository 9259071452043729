#pragma once

// The service spec: what a service author writes in svc.yml, after templating and
// validation. Plain data; loading lives in SpecLoader, checks in SpecValidator.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/diagnostic.hpp"
#include "placement/placement_rule.hpp"

namespace steward::spec {

// Several specs keep YAML's order (pods deploy in declaration order, env in file order),
// so ordered maps are vectors of pairs.
template <typename T>
using OrderedMap = std::vector<std::pair<std::string, T>>;

enum class GoalState { running, finish, once };
enum class VolumeType { root, mount };
enum class DiscoveryVisibility { framework, cluster, external };
enum class HostVolumeMode { rw, ro };

std::string_view to_string(GoalState g);
std::string_view to_string(VolumeType t);
std::string_view to_string(DiscoveryVisibility v);
std::string_view to_string(HostVolumeMode m);

struct VolumeSpec {
  std::string path;  // relative to the task sandbox
  VolumeType type = VolumeType::root;
  double size_mb = 0;
  std::vector<std::string> profiles;  // MOUNT only
  std::string field;                  // where it is written, e.g. pods.app.volumes[0]
};

struct PortRange {
  std::optional<int> begin;
  std::optional<int> end;
};

struct VipSpec {
  int port = 0;
  std::string prefix;  // defaults to the port's name
};

struct PortSpec {
  std::string name;
  int port = 0;  // 0 = dynamic
  std::vector<PortRange> ranges;
  std::string env_key;
  bool advertise = false;
  std::optional<VipSpec> vip;
};

struct HealthCheckSpec {
  std::string cmd;
  double interval_s = 0;
  double grace_period_s = 0;
  int max_consecutive_failures = 0;
  double delay_s = 0;
  double timeout_s = 0;
};

struct ReadinessCheckSpec {
  std::string cmd;
  double interval_s = 0;
  double delay_s = 0;
  double timeout_s = 0;
};

struct DiscoverySpec {
  std::string prefix;
  DiscoveryVisibility visibility = DiscoveryVisibility::cluster;
};

struct ConfigFileSpec {
  std::string name;
  std::string template_path;  // as written, relative to the spec's folder
  std::string dest;           // relative to the task sandbox
  std::string content;        // the template text, read when the spec is loaded

  // CONFIG_TEMPLATE_<NAME> in the task's environment: the name upper-cased, every character
  // but letters and digits as '_'.
  std::string variable() const;
};

// `unlimited` is a limit too, distinct from "no limit set".
struct ResourceLimit {
  bool unlimited = false;
  double value = 0;
};

struct ResourceLimits {
  std::optional<ResourceLimit> cpus;
  std::optional<ResourceLimit> memory_mb;
};

// A named footprint. Inline task resources become the implicit set "<task>-resource-set".
struct ResourceSetSpec {
  std::string id;
  double cpus = 0;
  double gpus = 0;
  double memory_mb = 0;
  OrderedMap<PortSpec> ports;
  std::vector<VolumeSpec> volumes;
  ResourceLimits limits;
  bool implicit = false;
};

struct TaskSpec {
  std::string name;
  GoalState goal = GoalState::running;
  bool essential = true;
  std::string cmd;
  OrderedMap<std::string> env;  // YAML env, then TASKCFG_* routing on top
  OrderedMap<std::string> labels;
  std::vector<ConfigFileSpec> configs;
  std::string resource_set;  // id of the set this task runs on (implicit or named)
  std::optional<HealthCheckSpec> health_check;
  std::optional<ReadinessCheckSpec> readiness_check;
  std::optional<DiscoverySpec> discovery;
  int kill_grace_period_s = 0;
};

struct RLimitSpec {
  std::string name;  // RLIMIT_*
  std::optional<std::int64_t> soft;
  std::optional<std::int64_t> hard;
};

struct SecretSpec {
  std::string name;
  std::string source;   // local file path, relative to the spec's folder unless absolute
  std::string env_key;  // set: exposed as an env variable
  std::string file;     // set: written to this path relative to the sandbox
};

struct HostVolumeSpec {
  std::string name;
  std::string host_path;
  std::string container_path;
  HostVolumeMode mode = HostVolumeMode::rw;
};

struct PodSpec {
  std::string type;
  int count = 0;
  std::string placement_text;
  placement::PlacementRule placement;
  bool allow_decommission = false;
  std::string pre_reserved_role;
  std::vector<std::string> uris;
  std::vector<VolumeSpec> volumes;  // executor volumes, shared by every task of the pod
  std::vector<RLimitSpec> rlimits;
  std::vector<SecretSpec> secrets;
  std::vector<HostVolumeSpec> host_volumes;
  bool share_pid_namespace = false;
  std::string user;                            // empty: the scheduler's user
  std::vector<ResourceSetSpec> resource_sets;  // named ones first, then implicit ones
  std::vector<TaskSpec> tasks;

  const TaskSpec* find_task(std::string_view name) const;
  const ResourceSetSpec* find_resource_set(std::string_view id) const;
};

enum class Strategy { serial, parallel, serial_canary, parallel_canary, dependency };
std::string_view to_string(Strategy s);

// One `steps` entry: for pod index `index` (nullopt = default), run these steps in order,
// each launching the listed tasks together.
struct StepsEntry {
  std::optional<int> index;
  std::vector<std::vector<std::string>> steps;
};

struct PhaseSpec {
  std::string name;
  Strategy strategy = Strategy::serial;
  std::string pod;
  std::optional<std::vector<StepsEntry>> steps;  // nullopt: one step per instance, all tasks
};

struct PlanSpec {
  std::string name;
  Strategy strategy = Strategy::serial;
  std::vector<PhaseSpec> phases;
};

struct SchedulerSpec {
  std::string principal;  // default "<name>-principal"
  std::string user;       // empty: the user running `steward run` (dcos-commons: root)
  std::string zookeeper;  // empty: local state
};

struct ReplacementFailurePolicy {
  int permanent_failure_timeout_s = 1200;
  int min_replace_delay_s = 10;
};

struct ServiceSpec {
  std::string name;
  std::string web_url;
  SchedulerSpec scheduler;
  std::vector<PodSpec> pods;
  std::vector<PlanSpec> plans;
  std::optional<ReplacementFailurePolicy> replacement_failure_policy;
  std::string source_file;  // the file it was loaded from

  // Fields that parse but cannot work on Steward's engines (image, networks, ...); the
  // validator refuses each with the reason rather than dropping it silently.
  struct UnsupportedField {
    std::string path;
    std::string reason;
  };
  std::vector<UnsupportedField> unsupported;

  // Where each field was written, by field path ("pods.world.tasks.server.cpus"), so
  // checks that span fields can still point at a line.
  std::map<std::string, SourceLocation> locations;
  // The location of `path`, or of its closest recorded parent.
  SourceLocation locate(std::string path) const;

  const PodSpec* find_pod(std::string_view type) const;
  const PlanSpec* find_plan(std::string_view name) const;
};

}  // namespace steward::spec
