#include "spec/config_validator.hpp"

#include "common/strings.hpp"

namespace steward::spec {

namespace {

std::string shown(const std::string& value) {
  return value.empty() ? "(none)" : quote(value);
}

std::string user_shown(const std::string& user) {
  return user.empty() ? "the scheduler's own" : quote(user);
}

std::string volumes_text(const std::vector<VolumeSpec>& volumes) {
  if (volumes.empty()) return "none";
  std::string out;
  for (const VolumeSpec& v : volumes) {
    if (!out.empty()) out += ", ";
    out += v.path + " " + std::string(to_string(v.type)) + " " + format_number(v.size_mb) + " MB";
    for (const std::string& p : v.profiles)
      out += " " + p;
  }
  return out;
}

bool same_volumes(const std::vector<VolumeSpec>& a, const std::vector<VolumeSpec>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].path != b[i].path || a[i].type != b[i].type || a[i].size_mb != b[i].size_mb ||
        a[i].profiles != b[i].profiles)
      return false;
  return true;
}

const std::vector<VolumeSpec>* task_volumes(const PodSpec& pod, const TaskSpec& task) {
  const ResourceSetSpec* rs = pod.find_resource_set(task.resource_set);
  return rs ? &rs->volumes : nullptr;
}

bool zone_aware(const PodSpec& pod) {
  for (const placement::Constraint& c : pod.placement.constraints)
    if (c.kind == placement::FieldKind::zone) return true;
  return false;
}

}  // namespace

std::vector<ConfigError> validate_config_update(
    const ServiceSpec& old_target, const ServiceSpec& candidate,
    const std::vector<std::shared_ptr<const ConfigValidator>>& custom) {
  std::vector<ConfigError> errors;
  auto refuse = [&](std::string field, std::string message) {
    errors.push_back({std::move(field), std::move(message)});
  };
  if (old_target.name != candidate.name)
    refuse("name", "the service name cannot change (" + quote(old_target.name) + " -> " +
                       quote(candidate.name) + ")");
  // A configuration stored before scheduler.user had a default of its own says "root" where
  // the spec said nothing, and such a scheduler registered as the user running it, as an
  // unset user does now: not a change.
  const bool stored_default =
      old_target.scheduler.user == "root" && candidate.scheduler.user.empty();
  if (old_target.scheduler.user != candidate.scheduler.user && !stored_default)
    refuse("scheduler.user", "the user cannot change (" + user_shown(old_target.scheduler.user) +
                                 " -> " + user_shown(candidate.scheduler.user) + ")");

  for (const PodSpec& old_pod : old_target.pods) {
    const std::string path = "pods." + old_pod.type;
    const PodSpec* pod = candidate.find_pod(old_pod.type);
    if (pod == nullptr) {
      // Removal is decided by the running configuration: it must have allowed it.
      if (!old_pod.allow_decommission)
        refuse(path, "pod type " + old_pod.type +
                         " cannot be removed: its running configuration does not set "
                         "allow-decommission: true");
      continue;
    }
    if (pod->count < old_pod.count && !pod->allow_decommission)
      refuse(path + ".count", "lowering the count (" + std::to_string(old_pod.count) + " -> " +
                                  std::to_string(pod->count) +
                                  ") needs allow-decommission: true in the pod");
    if (old_pod.pre_reserved_role != pod->pre_reserved_role)
      refuse(path + ".pre-reserved-role", "cannot change (" + shown(old_pod.pre_reserved_role) +
                                              " -> " + shown(pod->pre_reserved_role) + ")");
    if (old_pod.user != pod->user)
      refuse(path + ".user",
             "the user cannot change (" + shown(old_pod.user) + " -> " + shown(pod->user) + ")");
    if (!same_volumes(old_pod.volumes, pod->volumes))
      refuse(path + ".volumes", "volumes cannot change (" + volumes_text(old_pod.volumes) + " -> " +
                                    volumes_text(pod->volumes) + ")");
    for (const TaskSpec& old_task : old_pod.tasks) {
      const TaskSpec* task = pod->find_task(old_task.name);
      if (task == nullptr) {
        // Its running incarnations would hold their resources with nothing left to stop
        // them; the pod type goes as a whole, with allow-decommission.
        if (old_pod.count > 0)
          refuse(path + ".tasks." + old_task.name,
                 "a task cannot be removed from a pod that runs; remove the pod type (with "
                 "allow-decommission) instead");
        continue;
      }
      const auto* before = task_volumes(old_pod, old_task);
      const auto* after = task_volumes(*pod, *task);
      static const std::vector<VolumeSpec> kNone;
      if (!same_volumes(before ? *before : kNone, after ? *after : kNone))
        refuse(path + ".tasks." + task->name + ".volumes",
               "volumes cannot change (" + volumes_text(before ? *before : kNone) + " -> " +
                   volumes_text(after ? *after : kNone) + ")");
    }
    for (const TaskSpec& task : pod->tasks) {
      // A task new to a pod that runs already would need volumes its footprint never had.
      if (old_pod.find_task(task.name) != nullptr) continue;
      const auto* after = task_volumes(*pod, task);
      if (after && !after->empty() && old_pod.count > 0)
        refuse(
            path + ".tasks." + task.name + ".volumes",
            "a task added to an existing pod cannot bring volumes (" + volumes_text(*after) + ")");
    }
    if (zone_aware(old_pod) != zone_aware(*pod))
      refuse(path + ".placement", std::string("zone awareness cannot be switched ") +
                                      (zone_aware(old_pod) ? "off" : "on") + " (" +
                                      shown(old_pod.placement_text) + " -> " +
                                      shown(pod->placement_text) + ")");
  }
  for (const auto& v : custom)
    if (v)
      for (ConfigError& e : v->validate(old_target, candidate))
        errors.push_back(std::move(e));
  return errors;
}

}  // namespace steward::spec
