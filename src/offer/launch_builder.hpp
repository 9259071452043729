#pragma once

// Turns a pod instance and the footprint it holds into what LAUNCH_GROUP carries: the
// DEFAULT ExecutorInfo (the executor's share of the footprint) and a TaskInfo per task on its
// resource set's resources, with the environment dcos-commons gives tasks (TASK_NAME,
// POD_INSTANCE_INDEX, FRAMEWORK_NAME, ports' env-keys, REGION/ZONE, TASKCFG routing already
// in the spec), checks, kill grace, rlimits, URIs and the labels recovery relies on
// (target_configuration, task_type, index, offer_hostname, offer_zone, offer_region).

#include <functional>
#include <map>
#include <string>

#include "mesos/task_info.hpp"
#include "offer/footprint_evaluator.hpp"
#include "spec/service_spec.hpp"

namespace steward::offer {

struct LaunchContext {
  std::string service_name;
  std::string framework_id;
  std::string agent_id;
  std::string hostname;
  std::string region;
  std::string zone;
  std::string config_id;
  std::map<std::string, std::string> parameters;  // plan parameters, as extra env
  // The scheduler's API ("http://host:port"), where tasks fetch their config templates.
  std::string artifact_url;
  std::function<std::string()> new_id;
};

// "<service>__<task name>__<id>", with '/' in the service name turned into '.'.
std::string new_task_id(const std::string& service_name, const std::string& task_name,
                        const std::string& id);

// Where the scheduler's API serves a config template of a configuration, as dcos-commons
// does: <api>/v1/artifacts/template/<config id>/<pod type>/<task>/<config name>.
std::string template_url(const std::string& api, const std::string& config_id,
                         const std::string& pod_type, const std::string& task,
                         const std::string& config);

// A stored task relaunched as it was fetches its templates from where the API answers now (a
// restarted scheduler may listen elsewhere), under the configuration it is labelled with now
// (an update that left its pod as it was relabels it, and drops the configuration it was
// launched from).
void rebase_template_uris(mesos::CommandInfo& command, const std::string& api,
                          const std::string& config_id);

// "<pod>-<index>-<task>", the key tasks are stored under.
std::string task_name(const spec::PodSpec& pod, int index, const spec::TaskSpec& task);

mesos::ExecutorInfo build_executor(const spec::PodSpec& pod, int index, const FootprintFit& fit,
                                   const LaunchContext& context);

// `launch` false: the TaskInfo is stored as footprint only (empty task id).
mesos::TaskInfo build_task(const spec::PodSpec& pod, int index, const spec::TaskSpec& task,
                           const FootprintFit& fit, const LaunchContext& context, bool launch);

}  // namespace steward::offer
