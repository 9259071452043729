#include "offer/pod_footprint.hpp"

#include <algorithm>

namespace steward::offer {

std::string service_role(const std::string& service_name) {
  std::string role;
  for (char c : service_name) {
    if (c == '/')
      role += "__";
    else
      role += c;
  }
  // A leading '/' (a Marathon app path) leaves a leading "__": dcos-commons drops it.
  while (role.rfind("__", 0) == 0)
    role.erase(0, 2);
  return role + "-role";
}

namespace {

void add_scalar(SetNeed& set, const char* name, double amount) {
  if (amount > 0) set.scalars.push_back({name, amount});
}

}  // namespace

PodFootprint pod_footprint(const spec::PodSpec& pod, const std::string& role,
                           const ExecutorOverhead& overhead) {
  PodFootprint f;
  f.pod_type = pod.type;
  f.pre_reserved_role = pod.pre_reserved_role;
  f.role = pod.pre_reserved_role.empty() ? role : pod.pre_reserved_role + "/" + role;

  f.executor.id = "executor";
  add_scalar(f.executor, "cpus", overhead.cpus);
  add_scalar(f.executor, "mem", overhead.mem_mb);
  add_scalar(f.executor, "disk", overhead.disk_mb);
  for (const spec::VolumeSpec& v : pod.volumes)
    f.executor.volumes.push_back({v});

  for (const spec::ResourceSetSpec& rs : pod.resource_sets) {
    SetNeed set;
    set.id = rs.id;
    add_scalar(set, "cpus", rs.cpus);
    add_scalar(set, "mem", rs.memory_mb);
    add_scalar(set, "gpus", rs.gpus);
    for (const auto& [name, port] : rs.ports) {
      PortNeed need;
      need.name = name;
      if (port.port > 0)
        need.port = port.port;  // 0 in the spec: dynamic
      else
        need.ranges = port.ranges;
      need.env_key = port.env_key;  // no default PORT_<NAME> variable, as dcos-commons since 2017
      set.ports.push_back(std::move(need));
    }
    for (const spec::VolumeSpec& v : rs.volumes)
      set.volumes.push_back({v});
    for (const spec::TaskSpec& t : pod.tasks)
      if (t.resource_set == rs.id) set.tasks.push_back(t.name);
    f.sets.push_back(std::move(set));
  }

  auto total = [&](const SetNeed& set) {
    for (const ScalarNeed& s : set.scalars) {
      if (s.name == "cpus") f.cpus += s.amount;
      if (s.name == "mem") f.mem_mb += s.amount;
      if (s.name == "gpus") f.gpus += s.amount;
      if (s.name == "disk") f.disk_mb += s.amount;
    }
    for (const VolumeNeed& v : set.volumes)
      f.disk_mb += v.spec.size_mb;
    f.ports += set.ports.size();
  };
  total(f.executor);
  for (const SetNeed& set : f.sets)
    total(set);
  return f;
}

}  // namespace steward::offer
