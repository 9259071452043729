#pragma once

// The `steward cluster up` process: one event loop owning the master and its agents, the
// runtimes that run executors, and the HTTP server (v1 scheduler and operator APIs, /state,
// and the cluster's own control endpoints). HTTP workers only parse and post to the loop.

#include <memory>
#include <string>

#include "cluster/cluster_config.hpp"

namespace steward::cluster {

struct DaemonOptions {
  std::string host = "127.0.0.1";
  int port = 5050;  // 0: any free port
  std::string data_dir;
  // How the agents start executors: this program with `executor` as first argument
  // (default: `steward-executor` beside the running program, else the running program).
  std::string executor_program;
};

class ClusterDaemon {
 public:
  ClusterDaemon(ClusterConfig config, DaemonOptions options);
  ~ClusterDaemon();
  ClusterDaemon(const ClusterDaemon&) = delete;
  ClusterDaemon& operator=(const ClusterDaemon&) = delete;

  // Binds and starts serving; false with `error` when it cannot.
  bool start(std::string& error);
  int port() const;
  // Blocks until request_stop() or stop(), from another thread or an HTTP shutdown call.
  void wait();
  void request_stop();
  // Stops serving and the loop. Unless `keep_tasks`, executors and their tasks are stopped
  // first (SIGTERM, then SIGKILL after a grace period); with it they keep running for the
  // next start to adopt. Idempotent; not from an HTTP worker.
  void stop(bool keep_tasks = false);
  // What the last shutdown request asked for (POST /cluster/v1/shutdown?keep_tasks=true).
  bool keep_tasks_requested() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::cluster
