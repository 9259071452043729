#include "offer/launch_builder.hpp"

#include <algorithm>
#include <set>

#include "common/config_template_names.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"

namespace steward::offer {

namespace {

std::string sanitized(const std::string& service) {
  std::string out;
  for (char c : service)
    out += c == '/' ? '.' : c;
  while (!out.empty() && out.front() == '.')
    out.erase(0, 1);
  return out;
}

std::string rlimit_type(const std::string& spec_name) {
  // The spec says RLIMIT_NOFILE; Mesos says RLMT_NOFILE.
  if (spec_name.rfind("RLIMIT_", 0) == 0) return "RLMT_" + spec_name.substr(7);
  return spec_name;
}

}  // namespace

std::string new_task_id(const std::string& service_name, const std::string& task_name,
                        const std::string& id) {
  return sanitized(service_name) + "__" + task_name + "__" + id;
}

std::string template_url(const std::string& api, const std::string& config_id,
                         const std::string& pod_type, const std::string& task,
                         const std::string& config) {
  return api + std::string(kTemplateArtifacts) + url_segment(config_id) + "/" +
         url_segment(pod_type) + "/" + url_segment(task) + "/" + url_segment(config);
}

void rebase_template_uris(mesos::CommandInfo& command, const std::string& api,
                          const std::string& config_id) {
  constexpr std::string_view kPath = kTemplateArtifacts;
  constexpr std::string_view kTemplateFolder = kConfigTemplateFolder;
  // Only the task's own templates: a pod's `uris` may name another scheduler's.
  std::set<std::string> files;
  for (const auto& [key, value] : command.environment)
    if (key.rfind(kConfigTemplateVariable, 0) == 0 && value.rfind(kTemplateFolder, 0) == 0)
      files.insert(value.substr(kTemplateFolder.size(), value.find(',') - kTemplateFolder.size()));
  for (mesos::CommandInfo::Uri& uri : command.uris) {
    const auto at = uri.value.find(kPath);
    if (at == std::string::npos) continue;
    // <config id>/<pod type>/<task>/<config name>
    const std::string rest = uri.value.substr(at + kPath.size());
    const auto id_end = rest.find('/');
    if (id_end == std::string::npos || std::count(rest.begin(), rest.end(), '/') != 3 ||
        !files.count(rest.substr(rest.rfind('/') + 1)))
      continue;
    uri.value = api + std::string(kPath) + url_segment(config_id) + rest.substr(id_end);
  }
}

std::string task_name(const spec::PodSpec& pod, int index, const spec::TaskSpec& task) {
  return pod.type + "-" + std::to_string(index) + "-" + task.name;
}

mesos::ExecutorInfo build_executor(const spec::PodSpec& pod, int, const FootprintFit& fit,
                                   const LaunchContext& context) {
  mesos::ExecutorInfo e;
  e.executor_id = pod.type + "__" + context.new_id();
  e.framework_id = context.framework_id;
  e.name = pod.type;
  if (auto it = fit.held.find("executor"); it != fit.held.end()) e.resources = it->second;
  return e;
}

mesos::TaskInfo build_task(const spec::PodSpec& pod, int index, const spec::TaskSpec& task,
                           const FootprintFit& fit, const LaunchContext& context, bool launch) {
  mesos::TaskInfo t;
  t.name = task_name(pod, index, task);
  if (launch) t.task_id = new_task_id(context.service_name, t.name, context.new_id());
  t.agent_id = context.agent_id;
  if (auto it = fit.held.find(task.resource_set); it != fit.held.end()) t.resources = it->second;

  mesos::CommandInfo command;
  command.shell = true;
  command.value = task.cmd;
  command.user = pod.user;
  for (const std::string& uri : pod.uris)
    command.uris.push_back({uri, true, false});
  auto& env = command.environment;
  for (const auto& [k, v] : task.env)
    set_env(env, k, v);
  set_env(env, "TASK_NAME", t.name);
  set_env(env, t.name, "true");
  set_env(env, "POD_INSTANCE_INDEX", std::to_string(index));
  set_env(env, "FRAMEWORK_NAME", context.service_name);
  if (!context.region.empty()) set_env(env, "REGION", context.region);
  if (!context.zone.empty()) set_env(env, "ZONE", context.zone);
  if (const spec::ResourceSetSpec* rs = pod.find_resource_set(task.resource_set)) {
    auto ports = fit.ports.find(rs->id);
    for (const auto& [name, port] : rs->ports) {
      if (port.env_key.empty() || ports == fit.ports.end()) continue;
      if (auto p = ports->second.find(name); p != ports->second.end())
        set_env(env, port.env_key, std::to_string(p->second));
    }
  }
  for (const auto& [k, v] : context.parameters)
    set_env(env, k, v);
  // Each config template is fetched into the sandbox's config-templates/ (named by the last
  // segment of its URL) and rendered by the executor into its dest before the task starts:
  // CONFIG_TEMPLATE_<NAME> is "config-templates/<file>,<dest>", as dcos-commons gives its
  // bootstrap helper.
  for (const spec::ConfigFileSpec& c : task.configs) {
    command.uris.push_back(
        {template_url(context.artifact_url, context.config_id, pod.type, task.name, c.name), false,
         false});
    set_env(env, c.variable(),
            std::string(kConfigTemplateFolder) + url_segment(c.name) + "," + c.dest);
  }
  t.command = std::move(command);

  if (task.health_check) {
    mesos::CommandCheck h;
    h.command = task.health_check->cmd;
    h.environment = t.command->environment;
    h.interval_seconds = task.health_check->interval_s;
    h.grace_period_seconds = task.health_check->grace_period_s;
    h.consecutive_failures =
        static_cast<std::uint32_t>(task.health_check->max_consecutive_failures);
    h.delay_seconds = task.health_check->delay_s;
    h.timeout_seconds = task.health_check->timeout_s;
    t.health_check = h;
  }
  if (task.readiness_check) {
    mesos::CommandCheck c;
    c.command = task.readiness_check->cmd;
    c.environment = t.command->environment;
    c.interval_seconds = task.readiness_check->interval_s;
    c.delay_seconds = task.readiness_check->delay_s;
    c.timeout_seconds = task.readiness_check->timeout_s;
    t.check = c;
  }
  if (task.kill_grace_period_s > 0)
    t.kill_grace_period_ns = static_cast<std::int64_t>(task.kill_grace_period_s) * 1000000000;
  for (const spec::RLimitSpec& r : pod.rlimits) {
    mesos::RLimit limit;
    limit.type = rlimit_type(r.name);
    if (r.soft && r.hard) {
      limit.soft = static_cast<std::uint64_t>(*r.soft);
      limit.hard = static_cast<std::uint64_t>(*r.hard);
    }
    t.rlimits.push_back(limit);
  }
  t.labels = {{"target_configuration", context.config_id},
              {"task_type", task.name},
              {"index", std::to_string(index)},
              {"offer_hostname", context.hostname},
              {"goal_state", std::string(spec::to_string(task.goal))}};
  if (!context.zone.empty()) t.labels.push_back({"offer_zone", context.zone});
  if (!context.region.empty()) t.labels.push_back({"offer_region", context.region});
  // Which port each name got, for endpoints (dcos-commons keeps them in DiscoveryInfo).
  if (const spec::ResourceSetSpec* rs = pod.find_resource_set(task.resource_set)) {
    if (auto ports = fit.ports.find(rs->id); ports != fit.ports.end())
      for (const auto& [name, port] : ports->second)
        t.labels.push_back({"port:" + name, std::to_string(port)});
  }
  for (const auto& [k, v] : task.labels)
    t.labels.push_back({k, v});
  return t;
}

}  // namespace steward::offer
