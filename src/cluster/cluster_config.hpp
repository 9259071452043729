#pragma once

// What an embedded cluster is made of: its agents (resources, static reservations,
// attributes, fault domain, simulated or real) and its timings. Read from cluster.yml, or
// derived from this machine when there is no file.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.hpp"
#include "mesos/resource.hpp"

namespace steward::cluster {

struct AgentResources {
  double cpus = 0;
  double mem = 0;   // MB
  double disk = 0;  // MB
  double gpus = 0;
  std::vector<mesos::ValueRange> ports;
  friend bool operator==(const AgentResources&, const AgentResources&) = default;
};

struct AgentConfig {
  std::string name;  // stable key of the agent in the data directory ("agent-0")
  std::string hostname = "localhost";
  AgentResources resources;                        // unreserved
  std::map<std::string, AgentResources> reserved;  // static reservations by role
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string region = "local";
  std::string zone;
  bool simulated = false;
  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;

  // Every resource of the agent, static reservations included, as Mesos would list them.
  std::vector<mesos::Resource> total_resources() const;
};

struct ClusterConfig {
  std::vector<AgentConfig> agents;
  double heartbeat_interval_seconds = 15;
  double update_retry_seconds = 10;   // an unacknowledged update is sent again after this
  double offer_interval_seconds = 1;  // batch allocation period
  // How often the daemon runs its timers: heartbeats, retries, filter expiry, the periodic
  // allocation, executor reaping and the checkpoint. Events that wait on one of these
  // (an executor's exit, an acknowledgement, a REVIVE or SUBSCRIBE) run it at once.
  double tick_seconds = 0.05;
  friend bool operator==(const ClusterConfig&, const ClusterConfig&) = default;
};

struct MachineShape {
  double cpus = 1;
  double mem_mb = 1024;
  double disk_mb = 10240;
};

// The machine this runs on: cpus, memory and free disk under `data_dir`.
MachineShape probe_machine(const std::string& data_dir);

// Three private agents in zones a, b, c (region local) and one public agent whose
// resources are statically reserved to `slave_public`, sharing `machine` between them.
ClusterConfig default_cluster_config(const MachineShape& machine);

// Reads cluster.yml. Errors name the file, line and field.
std::optional<ClusterConfig> parse_cluster_config(const std::string& text, const std::string& file,
                                                  Diagnostics& diagnostics);
std::optional<ClusterConfig> load_cluster_config(const std::string& file, Diagnostics& diagnostics);

}  // namespace steward::cluster
