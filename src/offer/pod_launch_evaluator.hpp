#pragma once

// One pod instance's launch against one offer, through the pipelines of dcos-commons §3.4:
//   new       — the pod has no footprint yet (or is being replaced): placement first, then the
//               whole footprint is reserved (RESERVE, CREATE) and the tasks launched on it;
//   existing  — the pod holds a footprint: only an offer from its agent that carries every
//               reservation the launched tasks (and, when not running, the executor) hold, by
//               resource_id, will do; the tasks relaunch on those resources with new task ids;
//   update    — existing, for a pod on an older configuration: the launched tasks are built
//               from the new pod spec and their resource sets resized in the same ACCEPT
//               (UNRESERVE -> RESERVE -> CREATE -> LAUNCH_GROUP).
// The result lists the operations in the order RESERVE -> CREATE -> LAUNCH_GROUP, and the
// TaskInfos to persist (every task of the pod, launched or footprint-only) before ACCEPT.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mesos/offer.hpp"
#include "mesos/task_info.hpp"
#include "offer/footprint_evaluator.hpp"
#include "offer/launch_builder.hpp"
#include "placement/placement_evaluator.hpp"
#include "spec/service_spec.hpp"

namespace steward::offer {

struct PodLaunchRequest {
  const spec::PodSpec* pod = nullptr;
  int index = 0;
  std::vector<std::string> tasks;  // task names of the pod spec to launch
  std::map<std::string, std::string> parameters;
  bool replace = false;  // permanent recovery: a new footprint, wherever placement allows
  // The pod runs an older configuration: its tasks are rebuilt from `pod` and relaunch on
  // their footprint resized to it (unreserve the excess, reserve the difference).
  bool update = false;
  // What the pod instance holds now, by task name ("hello-0-server"); the executor rides in
  // each TaskInfo.
  std::vector<mesos::TaskInfo> existing;
  // Whether another task of the pod is alive, so its executor will take more tasks. An
  // executor whose tasks have all ended is exiting, even while offers still list it.
  bool executor_live = true;
  // Where the other instances of the pod type run, for placement.
  std::vector<placement::PlacedTask> placed;
};

struct PodLaunchContext {
  std::string service_name;
  std::string framework_id;
  std::string config_id;
  std::string artifact_url;  // the scheduler's API, where tasks fetch config templates
  std::string role;          // the service role (pre-reserved pods refine under their own)
  std::string principal;
  ExecutorOverhead overhead;
  std::function<std::string()> new_id;
};

struct PodLaunch {
  std::vector<mesos::Operation> operations;
  std::vector<mesos::TaskInfo> store;           // every task of the pod, to persist first
  std::map<std::string, std::string> launched;  // task name -> new task id
  bool new_footprint = false;
  bool resized = false;  // the ACCEPT also changes what the pod holds (update pipeline)
};

struct PodLaunchEvaluation {
  std::optional<PodLaunch> launch;
  Outcome outcome;
};

placement::AgentFacts agent_facts(const mesos::Offer& offer);

// "hello-0"
std::string pod_instance_name(const std::string& pod_type, int index);

PodLaunchEvaluation evaluate_pod_launch(const PodLaunchRequest& request, const mesos::Offer& offer,
                                        const PodLaunchContext& context);

}  // namespace steward::offer
