#include "cli/run_command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/api_server.hpp"
#include "cli/cluster_command.hpp"
#include "scheduler/service_scheduler.hpp"

namespace steward::cli {

namespace fs = std::filesystem;

namespace {

// The master to use: --master, the local cluster, or a local cluster started now.
bool find_master(const RunOptions& o, std::string& host, int& port, std::ostream& out,
                 std::ostream& err) {
  if (!o.master.empty()) {
    if (parse_address(o.master, host, port)) return true;
    err << "error: --master must look like http://127.0.0.1:5050, not \"" << o.master << "\"\n";
    return false;
  }
  ClusterOptions c;
  c.data_dir = o.cluster_dir;
  c.listen = o.cluster_listen;
  const std::string dir = cluster_dir(c);
  if (running_cluster_address(dir, host, port)) {
    out << "cluster: http://" << host << ":" << port << " (data " << dir << ", log " << dir
        << "/cluster.log)\n";
    return true;
  }
  out << "no cluster is running from " << dir << ": starting one in the background\n";
  if (run_cluster_up(c, out, err) != 0) return false;
  if (!running_cluster_address(dir, host, port)) {
    err << "error: the cluster started but " << dir << "/cluster.json says nothing\n";
    return false;
  }
  return true;
}

// The pid of a scheduler holding <dir>/scheduler.lock, or 0.
pid_t running_scheduler(const fs::path& dir) {
  const fs::path lock = dir / "scheduler.lock";
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  pid_t pid = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) std::ifstream(lock) >> pid;
  ::close(fd);  // releases the lock if we took it
  return pid;
}

// The master first (a local cluster is started when none runs), then the scheduler.
int serve(const RunOptions& o, scheduler::SchedulerOptions so, std::ostream& out,
          std::ostream& err) {
  // A bad flag is reported before anything starts (a local cluster included).
  std::string api_host, token;
  int api_port = 0;
  if (!sdk::check_serve_options(o, api_host, api_port, token, err)) return 2;
  if (!find_master(o, so.master_host, so.master_port, out, err)) return 1;
  return sdk::serve(o, std::move(so), {}, out, err);
}

std::string data_dir_of(const RunOptions& o) {
  return sdk::data_dir_of(o);
}

}  // namespace

int run_service(const RunOptions& o, std::ostream& out, std::ostream& err) {
  spec::LoadResult loaded = load_spec_input(o.input);
  if (!report(loaded.diagnostics, o.input.spec_path, err)) return 2;
  scheduler::SchedulerOptions so;
  so.spec = *loaded.spec;
  so.service_name = loaded.spec->name;
  if (o.uninstall) {
    so.spec.reset();  // everything to undo is in the state
    RunOptions u = o;
    u.name = so.service_name;
    return run_uninstall(u, out, err);
  }
  return serve(o, std::move(so), out, err);
}

int run_uninstall(const RunOptions& o, std::ostream& out, std::ostream& err) {
  if (o.name.empty() || o.name.find("..") != std::string::npos) {
    err << "error: a service name is required\n";
    return 2;
  }
  const fs::path dir = fs::path(data_dir_of(o)) / o.name;
  if (!fs::exists(dir / "state.db")) {
    err << "error: no service named " << o.name << " in " << data_dir_of(o) << "\n";
    return 1;
  }
  // A scheduler running this service is stopped first; the uninstall takes its place.
  if (pid_t pid = running_scheduler(dir); pid > 0) {
    out << "stopping the running scheduler of " << o.name << " (pid " << pid << ")\n";
    ::kill(pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (running_scheduler(dir) > 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        err << "error: the scheduler of " << o.name << " (pid " << pid
            << ") did not stop within 30 s\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  RunOptions u = o;
  u.uninstall = true;
  scheduler::SchedulerOptions so;
  so.service_name = o.name;
  return serve(u, std::move(so), out, err);
}

}  // namespace steward::cli
