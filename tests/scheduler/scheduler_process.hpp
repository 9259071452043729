#pragma once

// The real `steward run SPEC` as a child process against a ClusterProcess, with its own data
// directory; its REST API is found through <data-dir>/<service>/api, as the CLI finds it.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../cluster/cluster_process.hpp"
#include "mesos/scheduler_client.hpp"

namespace steward::scheduler::testing {

using cluster::testing::ClusterProcess;
using cluster::testing::eventually;
using nlohmann::json;
namespace fs = std::filesystem;

// Two real agents with fast timings: the cluster most scheduler tests need.
inline constexpr const char* kTwoAgents = R"(
heartbeat_interval_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: a
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 31000-31099}
  - name: b
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 32000-32099}
)";

struct HttpAnswer {
  int status = 0;
  json body;
  std::string text;
};

inline HttpAnswer http(int port, const std::string& method, const std::string& path,
                       const std::string& body = "") {
  mesos::SchedulerClient client("127.0.0.1", port);
  std::vector<std::pair<std::string, std::string>> headers;
  if (method == "POST") headers.emplace_back("Content-Type", "application/json");
  auto r = client.request(method, path, body, headers);
  return {r.status, json::parse(r.body, nullptr, false), r.body};
}

// The embedded cluster's own status document (agents, reservations, volumes, tasks).
inline json cluster_status(const ClusterProcess& cluster) {
  return http(cluster.port(), "GET", "/cluster/v1/status").body;
}

// In a forked child: becomes `steward ARGS...` (never returns).
[[noreturn]] inline void exec_steward(const std::vector<std::string>& args,
                                      const std::string& program = STEWARD_BINARY) {
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(program.c_str(), argv.data());
  _exit(127);
}

// Runs `steward ARGS...` to completion; returns its exit code, output in `out`. A command
// still running after `seconds` is killed (SIGKILL: 137), so a test that expects it to end
// fails instead of hanging.
inline int run_steward(const std::vector<std::string>& args, std::string& out,
                       double seconds = 300) {
  const std::string log =
      fs::temp_directory_path() / ("steward-cli-" + std::to_string(getpid()) + ".log");
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(log.c_str(), "w", stdout);
    (void)f;
    dup2(1, 2);
    exec_steward(args);
  }
  int status = 0;
  if (!eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, seconds)) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  std::ifstream in(log);
  out.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class SchedulerProcess {
 public:
  // A service's own scheduler binary (SchedulerBuilder): `program [SPEC] FLAGS...`.
  struct Program {
    std::string path;
  };
  SchedulerProcess(Program program, std::string spec, const ClusterProcess& cluster,
                   std::string data_dir, std::string service, std::vector<std::string> extra = {})
      : program_(std::move(program.path)),
        spec_(std::move(spec)),
        cluster_port_(cluster.port()),
        data_dir_(std::move(data_dir)),
        service_(std::move(service)),
        extra_(std::move(extra)) {
    start();
  }
  SchedulerProcess(std::string spec, const ClusterProcess& cluster, std::string data_dir,
                   std::string service, std::vector<std::string> extra = {})
      : SchedulerProcess(std::move(spec), cluster.port(), std::move(data_dir), std::move(service),
                         std::move(extra)) {}
  // Against any master on loopback: a scripted one.
  SchedulerProcess(std::string spec, int master_port, std::string data_dir, std::string service,
                   std::vector<std::string> extra = {})
      : spec_(std::move(spec)),
        cluster_port_(master_port),
        data_dir_(std::move(data_dir)),
        service_(std::move(service)),
        extra_(std::move(extra)) {
    start();
  }
  ~SchedulerProcess() { stop(SIGTERM); }

  // Flags for the next start().
  void set_extra(std::vector<std::string> extra) { extra_ = std::move(extra); }

  void start() {
    fs::remove(api_file());
    log_ = data_dir_ + "/" + service_ + ".log";
    fs::create_directories(data_dir_);
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = freopen(log_.c_str(), "a", stdout);
      (void)f;
      dup2(1, 2);
      std::vector<std::string> args;
      if (program_ == STEWARD_BINARY) args.push_back("run");
      if (!spec_.empty()) args.push_back(spec_);
      for (std::string a :
           {std::string("--master"), "http://127.0.0.1:" + std::to_string(cluster_port_),
            std::string("--data-dir"), data_dir_, std::string("--api-listen"),
            std::string("127.0.0.1:0")})
        args.push_back(a);
      args.insert(args.end(), extra_.begin(), extra_.end());
      exec_steward(args, program_);
    }
    ASSERT_TRUE(eventually([&] {
      std::ifstream in(api_file());
      std::string url;
      if (!(in >> url)) return false;
      port_ = std::atoi(url.substr(url.rfind(':') + 1).c_str());
      return port_ > 0;
    })) << "the scheduler did not start; log:\n"
        << log();
  }

  // Waits for the process to end on its own (an uninstall); its exit code.
  int wait_exit(double seconds = 60) {
    int code = -1;
    eventually(
        [&] {
          int status = 0;
          if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
          code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          pid_ = -1;
          return true;
        },
        seconds);
    return code;
  }

  // Signals the scheduler and waits for it; its exit code (128 + signal when killed).
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  HttpAnswer get(const std::string& path) const { return http(port_, "GET", path); }
  HttpAnswer post(const std::string& path, const std::string& body = "") const {
    return http(port_, "POST", path, body);
  }

  // Waits until the plan answers 200 (COMPLETE).
  bool plan_complete(const std::string& plan, double seconds = 60) const {
    return eventually([&] { return get("/v1/plans/" + plan).status == 200; }, seconds);
  }
  // The status of a step by name in a plan ("" when absent).
  std::string step_status(const std::string& plan, const std::string& step) const {
    json p = get("/v1/plans/" + plan).body;
    if (!p.is_object()) return "";
    for (const json& phase : p["phases"])
      for (const json& s : phase["steps"])
        if (s["name"] == step) return s["status"];
    return "";
  }
  // task name -> {id, status, agent} of a pod instance.
  json pod(const std::string& name) const { return get("/v1/pod/" + name + "/status").body; }
  // Waits until the task runs under a task id other than `old_id`; its last status.
  json relaunched(const std::string& pod_name, const std::string& task_name,
                  const json& old_id) const {
    json now;
    eventually(
        [&] {
          now = task(pod_name, task_name);
          return now["id"] != old_id && now["status"] == "RUNNING";
        },
        30);
    return now;
  }
  json task(const std::string& pod_name, const std::string& task_name) const {
    json p = pod(pod_name);
    if (!p.is_object()) return json();
    for (const json& t : p["tasks"])
      if (t["name"] == task_name) return t;
    return json();
  }

  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string api_file() const { return data_dir_ + "/" + service_ + "/api"; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }

 private:
  std::string program_ = STEWARD_BINARY;
  std::string spec_;
  int cluster_port_;
  std::string data_dir_;
  std::string service_;
  std::vector<std::string> extra_;
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Fast timings for tests: the defaults are minutes long.
inline const std::vector<std::string> kFast = {"--backoff-initial",   "0.5", "--backoff-max", "2",
                                               "--reconcile-backoff", "0.5", "--kill-resend", "1"};

inline std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; ++at)
    ++n;
  return n;
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Volumes of `role` on every agent: persistence id -> agent name.
inline std::map<std::string, std::string> volumes(const ClusterProcess& cluster,
                                                  const std::string& role) {
  std::map<std::string, std::string> out;
  json s = cluster_status(cluster);
  for (const json& a : s["agents"])
    for (const json& v : a["volumes"])
      if (v["role"] == role) out[v["persistence_id"]] = a["name"];
  return out;
}

// A file's whole text ("" when it cannot be read).
inline std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline std::string write_spec(const fs::path& dir, const std::string& file,
                              const std::string& text) {
  fs::create_directories(dir);
  const fs::path p = dir / file;
  std::ofstream(p) << text;
  return p.string();
}

// svc.yml of one pod type with one task of 0.1 cpus and 32 MB: `pod_extra` and `task_extra`
// are YAML lines for the pod and the task, `top_extra` for the service.
inline std::string one_task_spec(const std::string& name, int count, const std::string& goal,
                                 const std::string& cmd, const std::string& task_extra = "",
                                 const std::string& pod_extra = "",
                                 const std::string& top_extra = "") {
  return "name: " + name + "\n" + top_extra + "pods:\n  " + name +
         ":\n    count: " + std::to_string(count) + "\n" + pod_extra +
         "    tasks:\n      server:\n        goal: " + goal + "\n        cmd: " + cmd +
         "\n        cpus: 0.1\n        memory: 32\n" + task_extra;
}

// The process group of the task process whose environment says MESOS_TASK_ID=<id>.
inline pid_t task_process_group(const std::string& task_id) {
  const std::string needle = "MESOS_TASK_ID=" + task_id;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "environ");
    std::string env(std::istreambuf_iterator<char>(in), {});
    std::size_t at = 0;
    while (at < env.size()) {
      std::size_t end = env.find('\0', at);
      if (end == std::string::npos) end = env.size();
      if (env.compare(at, end - at, needle) == 0) {
        const pid_t pid = std::atoi(name.c_str());
        const pid_t group = getpgid(pid);
        if (group == pid) return group;  // the task's own group leader
      }
      at = end + 1;
    }
  }
  return -1;
}

}  // namespace steward::scheduler::testing
