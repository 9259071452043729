#pragma once

// `steward run SPEC`: the service's scheduler, in the foreground, against the embedded cluster
// (started in the background when none is running) or any Mesos master (--master).
// `steward uninstall NAME` (or `steward run --uninstall SPEC`): kill, release, deregister, wipe.

#include <iosfwd>
#include <string>

#include "cli/spec_input.hpp"

namespace steward::cli {

struct RunOptions {
  SpecInput input;
  std::string name;         // uninstall: the service, when no spec is given
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
};

int run_service(const RunOptions& options, std::ostream& out, std::ostream& err);
int run_uninstall(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace steward::cli
