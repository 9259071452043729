#pragma once

// What moving a service from one configuration to another means, computed from the stored
// configurations (the JSON of spec::to_json) and from the pod instances that exist: the fields
// that change, the pods that relaunch, deploy or go. Pure functions: the scheduler decides,
// `steward update --dry-run` shows the same answer.

#include <map>
#include <string>
#include <vector>

namespace steward::scheduler {

// "pods.hello.tasks.server.cpus: 0.1 -> 0.2", one line per changed leaf, in document order.
// Array elements that carry a name ("name", "id", "path" or a pod's "type") are shown by it.
std::vector<std::string> config_changes(const std::string& old_json, const std::string& new_json);

// Whether a pod type's tasks run the same under both configurations: the pod specs are equal
// once `count`, `placement` and `allow-decommission` are set aside (dcos-commons' config-id
// sweep). False when either configuration lacks the pod type or does not parse.
bool same_pod_config(const std::string& old_json, const std::string& new_json,
                     const std::string& pod_type);

struct UpdatePreview {
  std::vector<std::string> changes;       // config_changes
  std::vector<std::string> restart;       // instances relaunched on their footprint
  std::vector<std::string> deploy;        // instances added
  std::vector<std::string> decommission;  // instances removed (highest index first)
};

// `instances`: the pod instances that exist, "<pod>-<index>" -> the configuration id their
// tasks run; `configs`: those configurations by id (JSON).
UpdatePreview preview_update(const std::string& target_json, const std::string& candidate_json,
                             const std::map<std::string, std::string>& instances,
                             const std::map<std::string, std::string>& configs);

}  // namespace steward::scheduler
