#include "spec/spec_summary.hpp"

#include <sstream>

#include "common/strings.hpp"

namespace steward::spec {

namespace {

std::string resources(const ResourceSetSpec& set) {
  std::string out =
      "cpus " + format_number(set.cpus) + ", memory " + format_number(set.memory_mb) + " MB";
  if (set.gpus > 0) out += ", gpus " + format_number(set.gpus);
  for (const auto& [name, port] : set.ports) {
    out += ", port " + name + "=" +
           (port.port == 0 ? std::string("dynamic") : std::to_string(port.port));
    if (port.advertise) out += " (advertised)";
  }
  return out;
}

std::string volume(const VolumeSpec& v) {
  return v.path + " " + format_number(v.size_mb) + " MB " + std::string(to_string(v.type));
}

}  // namespace

int count_steps(const ServiceSpec& spec, const PhaseSpec& phase) {
  const PodSpec* pod = spec.find_pod(phase.pod);
  if (pod == nullptr) return 0;
  if (!phase.steps) return pod->count;
  int total = 0;
  for (int i = 0; i < pod->count; ++i) {
    // An explicit index wins over default wherever the two appear in the list.
    const StepsEntry* chosen = nullptr;
    for (const StepsEntry& e : *phase.steps) {
      if (e.index ? *e.index == i : chosen == nullptr) chosen = &e;
    }
    if (chosen != nullptr) total += static_cast<int>(chosen->steps.size());
  }
  return total;
}

std::string summarize(const ServiceSpec& spec) {
  std::ostringstream out;
  int instances = 0;
  std::size_t tasks = 0;
  for (const PodSpec& pod : spec.pods) {
    instances += pod.count;
    tasks += pod.tasks.size();
  }
  out << spec.name << ": valid (" << spec.pods.size() << " pod type"
      << (spec.pods.size() == 1 ? "" : "s") << ", " << instances << " pod instance"
      << (instances == 1 ? "" : "s") << ", " << tasks << " task" << (tasks == 1 ? "" : "s")
      << ")\n";
  out << "scheduler: principal " << spec.scheduler.principal << ", user "
      << (spec.scheduler.user.empty() ? "the scheduler's own" : spec.scheduler.user) << ", state "
      << (spec.scheduler.zookeeper.empty() ? "local (SQLite)"
                                           : "ZooKeeper " + spec.scheduler.zookeeper)
      << "\n";
  if (!spec.web_url.empty()) out << "web-url: " << spec.web_url << "\n";
  out << "\npods:\n";
  for (const PodSpec& pod : spec.pods) {
    out << "  " << pod.type << " x" << pod.count;
    if (!pod.placement.empty()) out << "  placement " << placement::to_string(pod.placement);
    if (!pod.pre_reserved_role.empty()) out << "  pre-reserved-role " << pod.pre_reserved_role;
    if (pod.allow_decommission) out << "  allow-decommission";
    out << "\n";
    for (const VolumeSpec& v : pod.volumes)
      out << "    pod volume " << volume(v) << "\n";
    for (const ResourceSetSpec& set : pod.resource_sets) {
      std::vector<const TaskSpec*> users;
      for (const TaskSpec& t : pod.tasks) {
        if (t.resource_set == set.id) users.push_back(&t);
      }
      if (set.implicit) {
        for (const TaskSpec* t : users) {
          out << "    " << t->name << " (" << to_string(t->goal)
              << (t->essential ? "" : ", non-essential") << "): " << resources(set) << "\n";
        }
      } else {
        out << "    resource set " << set.id << ": " << resources(set) << "\n";
        for (const TaskSpec* t : users) {
          out << "      " << t->name << " (" << to_string(t->goal)
              << (t->essential ? "" : ", non-essential") << ")\n";
        }
      }
      for (const VolumeSpec& v : set.volumes)
        out << "      volume " << volume(v) << "\n";
      for (const TaskSpec* t : users) {
        if (t->health_check)
          out << "      " << t->name << " health check every "
              << format_number(t->health_check->interval_s) << " s\n";
        if (t->readiness_check)
          out << "      " << t->name << " readiness check every "
              << format_number(t->readiness_check->interval_s) << " s\n";
      }
    }
  }
  out << "\nplans:\n";
  if (spec.find_plan("deploy") == nullptr) {
    out << "  deploy (serial, generated):";
    const char* sep = " ";
    for (const PodSpec& pod : spec.pods) {
      out << sep << pod.type << " [" << pod.count << " step" << (pod.count == 1 ? "" : "s") << "]";
      sep = ", ";
    }
    out << "\n";
  }
  for (const PlanSpec& plan : spec.plans) {
    out << "  " << plan.name << " (" << to_string(plan.strategy) << "):";
    const char* sep = " ";
    for (const PhaseSpec& phase : plan.phases) {
      int steps = count_steps(spec, phase);
      out << sep << phase.name << " " << to_string(phase.strategy) << " [" << steps << " step"
          << (steps == 1 ? "" : "s") << "]";
      sep = ", ";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace steward::spec
