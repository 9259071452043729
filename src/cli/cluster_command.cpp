#include "cli/cluster_command.hpp"
#include "sdk/service_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cluster/cluster_config.hpp"
#include "cluster/cluster_daemon.hpp"
#include "common/strings.hpp"
#include "mesos/scheduler_client.hpp"
#include "plan/plan_render.hpp"

namespace steward::cli {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Absolute: executors run in their sandboxes and must find everything from there.
std::string data_dir_of(const ClusterOptions& o) {
  sdk::ServeOptions serve;
  serve.cluster_dir = o.data_dir;
  return sdk::cluster_dir_of(serve);
}

bool split_address(const std::string& address, std::string& host, int& port) {
  return sdk::parse_address(address, host, port);
}

// cluster.json in the data directory says where a running cluster listens.
std::optional<json> read_cluster_file(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir) / "cluster.json");
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

bool process_alive(pid_t pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

std::optional<json> running_cluster(const std::string& data_dir) {
  auto j = read_cluster_file(data_dir);
  if (!j || !j->contains("pid") || !(*j)["pid"].is_number_integer()) return std::nullopt;
  if (!process_alive((*j)["pid"].get<pid_t>())) return std::nullopt;
  return j;
}

// The master a command talks to: --master, or the cluster recorded in the data directory.
bool locate_master(const ClusterOptions& o, std::string& host, int& port, std::ostream& err) {
  if (!o.master.empty()) {
    if (split_address(o.master, host, port)) return true;
    err << "error: --master must look like http://127.0.0.1:5050, not " << quote(o.master) << "\n";
    return false;
  }
  std::string dir = data_dir_of(o);
  auto j = running_cluster(dir);
  if (!j) {
    err << "error: no cluster is running from " << dir
        << " (start one with `steward cluster up`, or pass --master URL)\n";
    return false;
  }
  host = (*j).value("host", "127.0.0.1");
  port = (*j).value("port", 5050);
  return true;
}

std::optional<cluster::ClusterConfig> load_config(const ClusterOptions& o,
                                                  const std::string& data_dir, std::ostream& err) {
  if (o.config.empty()) {
    // The default shares this machine; the share is measured once and kept in the data
    // directory, so free disk shrinking between runs does not change the agents (a restart
    // must find the agents its checkpoint describes).
    const fs::path saved = fs::path(data_dir) / "machine.json";
    cluster::MachineShape shape;
    std::ifstream in(saved);
    json j = in ? json::parse(in, nullptr, false) : json();
    if (j.is_object() && j.value("cpus", 0.0) > 0 && j.value("mem_mb", 0.0) > 0 &&
        j.value("disk_mb", 0.0) > 0) {
      shape.cpus = j.value("cpus", 0.0);
      shape.mem_mb = j.value("mem_mb", 0.0);
      shape.disk_mb = j.value("disk_mb", 0.0);
    } else {
      shape = cluster::probe_machine(data_dir);
      // Written whole or not at all (a torn file would only mean measuring again).
      const fs::path tmp = saved.string() + ".tmp";
      std::ofstream(tmp) << json({{"cpus", shape.cpus},
                                  {"mem_mb", shape.mem_mb},
                                  {"disk_mb", shape.disk_mb}})
                                .dump()
                         << "\n";
      std::error_code ec;
      fs::rename(tmp, saved, ec);
    }
    return cluster::default_cluster_config(shape);
  }
  Diagnostics diagnostics;
  auto config = cluster::load_cluster_config(o.config, diagnostics);
  for (const Diagnostic& d : diagnostics.items())
    err << d.to_string() << "\n";
  return config;
}

std::atomic<bool> g_serving{false};

int serve(const cluster::ClusterConfig& config, const std::string& host, int port,
          const std::string& data_dir, std::ostream& out, std::ostream& err) {
  // Signals are taken by one thread with sigwait, never by a handler in a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  cluster::DaemonOptions options;
  options.host = host;
  options.port = port;
  options.data_dir = data_dir;
  cluster::ClusterDaemon daemon(config, options);
  std::string error;
  if (!daemon.start(error)) {
    err << "error: " << error << "\n";
    return 1;
  }
  out << "cluster up: http://" << host << ":" << daemon.port() << " (" << config.agents.size()
      << " agents, data in " << data_dir << ")" << std::endl;
  g_serving = true;
  std::thread waiter([&] {
    timespec tick{0, 200 * 1000 * 1000};
    while (g_serving) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        daemon.request_stop();
        return;
      }
    }
  });
  daemon.wait();
  g_serving = false;
  waiter.join();
  const bool keep = daemon.keep_tasks_requested();
  daemon.stop(keep);
  out << (keep ? "cluster stopped; its tasks keep running" : "cluster stopped") << std::endl;
  return 0;
}

std::string format_summary(const json& s) {
  std::ostringstream o;
  o << "cpus " << format_number(s.value("cpus", 0.0)) << "  mem "
    << format_number(s.value("mem", 0.0)) << "  disk " << format_number(s.value("disk", 0.0));
  if (s.value("gpus", 0.0) > 0) o << "  gpus " << format_number(s.value("gpus", 0.0));
  if (s.contains("ports")) o << "  ports " << s["ports"].get<std::string>();
  return o.str();
}

}  // namespace

std::string cluster_dir(const ClusterOptions& options) {
  return data_dir_of(options);
}

bool parse_address(const std::string& address, std::string& host, int& port) {
  return split_address(address, host, port);
}

bool running_cluster_address(const std::string& data_dir, std::string& host, int& port) {
  auto j = running_cluster(data_dir);
  if (!j) return false;
  host = j->value("host", "127.0.0.1");
  port = j->value("port", 5050);
  return true;
}

int run_cluster_up(const ClusterOptions& o, std::ostream& out, std::ostream& err) {
  std::string data_dir = data_dir_of(o);
  std::string host;
  int port = 0;
  if (!split_address(o.listen, host, port)) {
    err << "error: --listen must look like 127.0.0.1:5050, not " << quote(o.listen) << "\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    err << "error: cannot create " << data_dir << ": " << ec.message() << "\n";
    return 1;
  }
  auto config = load_config(o, data_dir, err);
  if (!config) return 2;
  if (auto running = running_cluster(data_dir)) {
    err << "error: a cluster is already running from " << data_dir << " at "
        << (*running).value("url", "?") << " (pid " << (*running)["pid"] << ")"
        << "; stop it with `steward cluster down`\n";
    return 1;
  }
  if (o.foreground) return serve(*config, host, port, data_dir, out, err);

  fs::remove(fs::path(data_dir) / "cluster.json", ec);
  const std::string log = (fs::path(data_dir) / "cluster.log").string();
  out.flush();
  err.flush();
  pid_t child = fork();
  if (child < 0) {
    err << "error: cannot start the cluster process: " << std::strerror(errno) << "\n";
    return 1;
  }
  if (child == 0) {
    setsid();
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd >= 0) dup2(null_fd, 0);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    int code = serve(*config, host, port, data_dir, std::cout, std::cerr);
    std::cout.flush();
    std::_Exit(code);
  }
  // Wait until the child listens (or dies), polling with a deadline.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      err << "error: the cluster process exited; see " << log << "\n";
      std::ifstream in(log);
      std::string line, last;
      while (std::getline(in, line))
        last = line;
      if (!last.empty()) err << "  " << last << "\n";
      return 1;
    }
    auto j = read_cluster_file(data_dir);
    if (j && j->value("pid", 0) == child) {
      out << "cluster up: " << j->value("url", "") << " (" << config->agents.size()
          << " agents, pid " << child << ", data in " << data_dir << ", log " << log << ")\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  err << "error: the cluster did not start within 30 s; see " << log << "\n";
  return 1;
}

int run_cluster_down(const ClusterOptions& o, std::ostream& out, std::ostream& err) {
  std::string data_dir = data_dir_of(o);
  auto running = running_cluster(data_dir);
  if (!running) {
    out << "no cluster is running from " << data_dir << "\n";
    return 0;
  }
  pid_t pid = (*running)["pid"].get<pid_t>();
  if (o.keep_tasks) {
    mesos::SchedulerClient client((*running).value("host", "127.0.0.1"),
                                  (*running).value("port", 0));
    auto r = client.request("POST", "/cluster/v1/shutdown?keep_tasks=true", "", {});
    if (r.status != 202) {
      err << "error: the cluster did not accept the shutdown: "
          << (r.status ? std::to_string(r.status) + " " + r.body : r.error) << "\n";
      return 1;
    }
  } else if (kill(pid, SIGTERM) != 0) {
    err << "error: cannot stop pid " << pid << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline) {
    waitpid(pid, nullptr, WNOHANG);  // reaps it when it is our own child (tests)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (process_alive(pid)) {
    err << "error: the cluster (pid " << pid << ") did not stop within 30 s\n";
    return 1;
  }
  out << (o.keep_tasks ? "cluster down; its tasks keep running until the next `cluster up`\n"
                       : "cluster down\n");
  return 0;
}

int run_cluster_status(const ClusterOptions& o, std::ostream& out, std::ostream& err) {
  std::string host;
  int port = 0;
  if (!locate_master(o, host, port, err)) return 1;
  mesos::SchedulerClient client(host, port);
  auto r = client.request("GET", "/cluster/v1/status", "", {});
  if (r.status != 200) {
    err << "error: cannot read the cluster status from http://" << host << ":" << port << ": "
        << (r.status ? std::to_string(r.status) + " " + r.body : r.error) << "\n";
    return 1;
  }
  json s = json::parse(r.body, nullptr, false);
  if (s.is_discarded()) {
    err << "error: the cluster answered with something that is not JSON\n";
    return 1;
  }
  if (o.json) {
    out << s.dump(2) << "\n";
    return 0;
  }
  out << "master " << s.value("master_id", "") << " at http://" << host << ":" << port << "\n";
  // (A daemon of an earlier build says nothing of its checkpoint.)
  if (const json c = s.value("checkpoint", json()); c.is_object() && c.value("ok", true)) {
    out << "checkpoint written\n";
  } else if (c.is_object()) {
    const int tries = c.value("failed_tries", 0);
    out << "checkpoint FAILING: " << tries << (tries == 1 ? " try has" : " tries have")
        << " failed since " << plan::format_time(std::llround(c.value("failing_since", 0.0) * 1000))
        << ": " << c.value("error", "")
        << "\n  executors hear of no acknowledgement until it is written\n";
  }
  out << "\n";
  out << "AGENTS\n";
  for (const json& a : s["agents"]) {
    out << "  " << a.value("name", "") << "  " << a.value("id", "") << "  " << a.value("state", "")
        << "  zone " << a.value("region", "") << "/" << a.value("zone", "")
        << (a.value("simulated", false) ? "  (simulated)" : "") << "\n";
    out << "    total    " << format_summary(a["total"]) << "\n";
    out << "    used     " << format_summary(a["used"]) << "\n";
    out << "    offered  " << format_summary(a["offered"]) << "\n";
    out << "    free     " << format_summary(a["free"]) << "\n";
    for (const auto& [role, summary] : a["reserved"].items())
      out << "    reserved " << role << ": " << format_summary(summary) << "\n";
    for (const json& v : a["volumes"])
      out << "    volume   " << v.value("persistence_id", "") << " (" << v.value("role", "") << ", "
          << format_number(v.value("size_mb", 0.0)) << " MB) at " << v.value("container_path", "")
          << "\n";
    for (const json& e : a["executors"])
      out << "    executor " << e.value("executor_id", "") << " (" << e["tasks"].size()
          << " tasks)\n";
  }
  out << "\nFRAMEWORKS\n";
  if (s["frameworks"].empty()) out << "  (none)\n";
  for (const json& f : s["frameworks"])
    out << "  " << f.value("name", "") << "  " << f.value("id", "") << "  "
        << (f.value("connected", false) ? "connected" : "disconnected") << "  "
        << f["tasks"].get<std::size_t>() << " tasks\n";
  out << "\nTASKS\n";
  if (s["tasks"].empty()) out << "  (none)\n";
  for (const json& t : s["tasks"])
    out << "  " << std::left << std::setw(40) << t.value("id", "") << " " << std::setw(14)
        << t.value("state", "") << " " << t.value("agent_id", "") << "\n";
  return 0;
}

namespace {
// POST /cluster/v1/<kind>s/<target>/<action>, then one line saying what happened.
int control(const ClusterOptions& o, const std::string& kind, const std::string& done,
            std::ostream& out, std::ostream& err) {
  std::string host;
  int port = 0;
  if (!locate_master(o, host, port, err)) return 1;
  mesos::SchedulerClient client(host, port);
  auto r = client.request("POST", "/cluster/v1/" + kind + "s/" + o.target + "/" + o.action, "", {});
  if (r.status != 200) {
    err << "error: " << kind << " " << o.action << " " << o.target << ": "
        << (r.status ? r.body : r.error) << "\n";
    return r.status == 404 ? 2 : 1;
  }
  out << kind << " " << o.target << ": " << done << "\n";
  return 0;
}
}  // namespace

int run_cluster_agent(const ClusterOptions& o, std::ostream& out, std::ostream& err) {
  const char* done = o.action == "stop" ? "stopped" : o.action == "start" ? "started" : "removed";
  return control(o, "agent", done, out, err);
}

int run_cluster_task(const ClusterOptions& o, std::ostream& out, std::ostream& err) {
  return control(o, "task", o.action == "finish" ? "finished" : "failed", out, err);
}

}  // namespace steward::cli
