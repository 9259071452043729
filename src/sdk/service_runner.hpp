#pragma once

// Running a service's scheduler in the foreground: the part of `steward run` that a service's
// own scheduler binary (SchedulerBuilder) shares with the steward CLI. The scheduler, its REST
// API and the address file, until Ctrl-C, SIGTERM, an uninstall, or the scheduler's own end.

#include <iosfwd>
#include <string>

#include "api/api_server.hpp"
#include "scheduler/service_scheduler.hpp"

namespace CLI {
class App;
}

namespace steward::sdk {

struct ServeOptions {
  std::string data_dir;     // default $STEWARD_DATA_DIR or ~/.steward
  std::string cluster_dir;  // default $STEWARD_CLUSTER_DIR or ~/.steward/cluster
  std::string master;       // URL of a master; empty: the local cluster
  std::string cluster_listen = "127.0.0.1:5050";  // for a local cluster started by `run`
  std::string api_listen = "127.0.0.1:0";
  std::string user;             // framework user; empty: the current user
  std::string auth_token_file;  // set: mutating API requests need this bearer token
  bool uninstall = false;
  double backoff_initial = 3;
  double backoff_factor = 2;
  double backoff_max = 300;
  double reconcile_backoff = 4;
  double reconcile_backoff_max = 30;
  double kill_resend = 5;
  std::size_t launches_per_pass = 250;
  int store_cache = 512;  // KiB
};

// The flags of `steward run` that fill ServeOptions (--uninstall aside). A service's own
// scheduler cannot start a local cluster (`starts_cluster` false): it only uses a running one.
void add_serve_options(CLI::App& app, ServeOptions& options, bool starts_cluster = true);

std::string data_dir_of(const ServeOptions& options);

// "http://host:port" or "host:port".
bool parse_address(const std::string& address, std::string& host, int& port);
// Where the local cluster running from `cluster_dir` (its cluster.json, its process alive)
// listens; false when none runs.
bool local_cluster_address(const std::string& cluster_dir, std::string& host, int& port);
// --cluster-dir, $STEWARD_CLUSTER_DIR or ~/.steward/cluster, absolute.
std::string cluster_dir_of(const ServeOptions& options);

// The flags serve() reads itself (--api-listen, --auth-token-file): checked before anything
// starts. False with the message written to `err`; `api_host`, `api_port`, `token` filled.
bool check_serve_options(const ServeOptions& options, std::string& api_host, int& api_port,
                         std::string& token, std::ostream& err);

// `so.master_host` / `so.master_port` must be set. The exit code: 0 after a signal or a
// finished uninstall, 1 when the scheduler cannot run or ends on its own, 2 for a bad flag.
int serve(const ServeOptions& options, scheduler::SchedulerOptions so,
          api::ApiExtensions extensions, std::ostream& out, std::ostream& err);

}  // namespace steward::sdk
