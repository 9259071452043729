#pragma once

// `steward cluster up|down|status|agent|task`: the embedded cluster's life cycle.

#include <iosfwd>
#include <string>

namespace steward::cli {

struct ClusterOptions {
  std::string config;    // cluster.yml; empty: derived from this machine
  std::string data_dir;  // empty: $STEWARD_CLUSTER_DIR or ~/.steward/cluster
  std::string listen = "127.0.0.1:5050";
  bool foreground = false;
  bool json = false;
  bool keep_tasks = false;  // down: leave executors and tasks running
  std::string master;       // http://host:port of a running cluster; empty: from the data dir
  std::string action;       // agent stop|start|remove, task finish|fail
  std::string target;       // agent id or name, task id
};

// The cluster's data directory: --data-dir, $STEWARD_CLUSTER_DIR or ~/.steward/cluster.
std::string cluster_dir(const ClusterOptions& options);
// "http://host:port" or "host:port".
bool parse_address(const std::string& address, std::string& host, int& port);
// Where the cluster running from `data_dir` listens; false when none is running.
bool running_cluster_address(const std::string& data_dir, std::string& host, int& port);

int run_cluster_up(const ClusterOptions& options, std::ostream& out, std::ostream& err);
int run_cluster_down(const ClusterOptions& options, std::ostream& out, std::ostream& err);
int run_cluster_status(const ClusterOptions& options, std::ostream& out, std::ostream& err);
int run_cluster_agent(const ClusterOptions& options, std::ostream& out, std::ostream& err);
int run_cluster_task(const ClusterOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
