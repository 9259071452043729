#pragma once

// What one pod instance reserves when its footprint is first acquired (dcos-commons §1.6):
// every resource set of every task of the pod (tasks not launched yet included), plus the
// executor's overhead and the pod's executor volumes, all under the service's role — or,
// for a pod with a pre-reserved role, refined from that static reservation. The offer
// evaluator matches this against offers; totals answer "could this agent ever fit it?".

#include <optional>
#include <string>
#include <vector>

#include "spec/service_spec.hpp"

namespace steward::offer {

// The reservation role of a service: its name with '/' turned into "__", then "-role".
std::string service_role(const std::string& service_name);

struct ExecutorOverhead {
  double cpus = 0.1;
  double mem_mb = 32;
  double disk_mb = 256;
};

struct ScalarNeed {
  std::string name;  // cpus, mem, gpus, disk
  double amount = 0;
};

struct PortNeed {
  std::string name;
  std::optional<int> port;              // unset: a dynamic port, chosen from the offer
  std::vector<spec::PortRange> ranges;  // where a dynamic port may come from (empty: anywhere)
  std::string env_key;                  // where the task finds it (PORT_<NAME> when not given)
};

struct VolumeNeed {
  spec::VolumeSpec spec;
};

// One resource set (or the executor), with everything it reserves.
struct SetNeed {
  std::string id;  // resource set id, or "executor"
  std::vector<ScalarNeed> scalars;
  std::vector<PortNeed> ports;
  std::vector<VolumeNeed> volumes;
  std::vector<std::string> tasks;  // the pod's tasks that run on it
};

struct PodFootprint {
  std::string pod_type;
  std::string role;               // the role reservations are made for
  std::string pre_reserved_role;  // "" or the static role whose resources are refined
  SetNeed executor;
  std::vector<SetNeed> sets;
  // Sums over everything: cpus, mem, gpus, disk (volumes included), ports count.
  double cpus = 0, mem_mb = 0, gpus = 0, disk_mb = 0;
  std::size_t ports = 0;
};

PodFootprint pod_footprint(const spec::PodSpec& pod, const std::string& service_role,
                           const ExecutorOverhead& overhead = {});

}  // namespace steward::offer
