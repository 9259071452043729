#include "spec/service_spec.hpp"

#include <algorithm>
#include <cctype>

#include "common/config_template_names.hpp"

namespace steward::spec {

std::string_view to_string(GoalState g) {
  switch (g) {
    case GoalState::running:
      return "RUNNING";
    case GoalState::finish:
      return "FINISH";
    case GoalState::once:
      return "ONCE";
  }
  return "?";
}

std::string_view to_string(VolumeType t) {
  return t == VolumeType::root ? "ROOT" : "MOUNT";
}

std::string_view to_string(DiscoveryVisibility v) {
  switch (v) {
    case DiscoveryVisibility::framework:
      return "FRAMEWORK";
    case DiscoveryVisibility::cluster:
      return "CLUSTER";
    case DiscoveryVisibility::external:
      return "EXTERNAL";
  }
  return "?";
}

std::string_view to_string(HostVolumeMode m) {
  return m == HostVolumeMode::rw ? "RW" : "RO";
}

std::string_view to_string(Strategy s) {
  switch (s) {
    case Strategy::serial:
      return "serial";
    case Strategy::parallel:
      return "parallel";
    case Strategy::serial_canary:
      return "serial-canary";
    case Strategy::parallel_canary:
      return "parallel-canary";
    case Strategy::dependency:
      return "dependency";
  }
  return "?";
}

const TaskSpec* PodSpec::find_task(std::string_view name) const {
  auto it =
      std::find_if(tasks.begin(), tasks.end(), [&](const TaskSpec& t) { return t.name == name; });
  return it == tasks.end() ? nullptr : &*it;
}

const ResourceSetSpec* PodSpec::find_resource_set(std::string_view id) const {
  auto it = std::find_if(resource_sets.begin(), resource_sets.end(),
                         [&](const ResourceSetSpec& r) { return r.id == id; });
  return it == resource_sets.end() ? nullptr : &*it;
}

const PodSpec* ServiceSpec::find_pod(std::string_view type) const {
  auto it =
      std::find_if(pods.begin(), pods.end(), [&](const PodSpec& p) { return p.type == type; });
  return it == pods.end() ? nullptr : &*it;
}

const PlanSpec* ServiceSpec::find_plan(std::string_view plan_name) const {
  auto it = std::find_if(plans.begin(), plans.end(),
                         [&](const PlanSpec& p) { return p.name == plan_name; });
  return it == plans.end() ? nullptr : &*it;
}

SourceLocation ServiceSpec::locate(std::string path) const {
  while (true) {
    if (auto it = locations.find(path); it != locations.end()) return it->second;
    // Strip a trailing "[i]" or ".field" and try the parent.
    auto cut = path.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    path.resize(cut);
  }
  return {source_file, 0, 0};
}

std::string ConfigFileSpec::variable() const {
  std::string key(kConfigTemplateVariable);
  for (char c : name)
    key += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  return key;
}

}  // namespace steward::spec
