#include "sdk/service_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <thread>

#include "common/allocator.hpp"

namespace steward::sdk {

namespace fs = std::filesystem;

namespace {

// Waits for SIGINT or SIGTERM on a thread of its own, so the scheduler stops cleanly.
class SignalWatch {
 public:
  explicit SignalWatch(scheduler::ServiceScheduler& s) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &s] {
      timespec wait{0, 200 * 1000 * 1000};
      while (!done_) {
        if (sigtimedwait(&set_, nullptr, &wait) > 0) {
          if (signalled_) {
            // A second Ctrl-C: whatever holds the clean stop up (a code step that does not
            // return) is abandoned. The state is consistent at any instant by design.
            static const char kMessage[] = "stopping at once (second signal)\n";
            (void)!::write(2, kMessage, sizeof kMessage - 1);
            {
              // The API goes with the process: nothing should be told to look for it.
              std::lock_guard lock(mutex_);
              if (!api_file_.empty()) ::unlink(api_file_.c_str());
            }
            std::_Exit(130);
          }
          signalled_ = true;
          s.request_end();  // the main thread stops the API first, then the scheduler
        }
      }
    });
  }
  ~SignalWatch() {
    done_ = true;
    thread_.join();
  }
  bool signalled() const { return signalled_; }
  // The API's address file, removed by a stop at once.
  void api_file(std::string path) {
    std::lock_guard lock(mutex_);
    api_file_ = std::move(path);
  }

 private:
  std::mutex mutex_;
  std::string api_file_;
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::atomic<bool> signalled_{false};
  std::thread thread_;
};

}  // namespace

void add_serve_options(CLI::App& app, ServeOptions& run, bool starts_cluster) {
  app.add_option("--data-dir", run.data_dir,
                 "Where services keep their state, one folder each (default $STEWARD_DATA_DIR "
                 "or ~/.steward)");
  app.add_option("--master", run.master,
                 starts_cluster
                     ? "URL of a Mesos master (default: the local cluster, started if needed)"
                     : "URL of a Mesos master (default: the local cluster running from "
                       "--cluster-dir; start one with `steward cluster up`)");
  app.add_option("--cluster-dir", run.cluster_dir,
                 "The local cluster's data directory (default $STEWARD_CLUSTER_DIR or "
                 "~/.steward/cluster)");
  if (starts_cluster)
    app.add_option("--cluster-listen", run.cluster_listen,
                   "host:port of a local cluster started because none was running");
  app.add_option("--api-listen", run.api_listen,
                 "host:port for the scheduler's REST API (port 0: any free one)");
  app.add_option("--user", run.user,
                 "The framework user (default: the spec's scheduler.user, else the current user)");
  app.add_option("--auth-token-file", run.auth_token_file,
                 "A file holding a bearer token every mutating API request must carry "
                 "(the CLI sends $STEWARD_AUTH_TOKEN)");
  app.add_option("--backoff-initial", run.backoff_initial,
                 "Seconds before relaunching a task that failed once (default 3)");
  app.add_option("--backoff-factor", run.backoff_factor,
                 "Multiplier of the delay per further failure (default 2)");
  app.add_option("--backoff-max", run.backoff_max, "Longest launch delay in seconds (300)");
  app.add_option("--reconcile-backoff", run.reconcile_backoff,
                 "First retry of explicit reconciliation in seconds (default 4)");
  app.add_option("--reconcile-backoff-max", run.reconcile_backoff_max,
                 "Longest retry interval of explicit reconciliation (default 30)");
  app.add_option("--kill-resend", run.kill_resend,
                 "Seconds between repeated kills of a task that has not ended (default 5)");
  app.add_option("--launches-per-pass", run.launches_per_pass,
                 "Most pods launched per pass over the offers; the rest go at the next "
                 "(default 250)")
      ->check(CLI::PositiveNumber);
  app.add_option("--store-cache", run.store_cache,
                 "KiB of the state store kept in memory once the state is loaded (default 512)")
      ->check(CLI::Range(64, 1 << 20));
}

std::string data_dir_of(const ServeOptions& o) {
  if (!o.data_dir.empty()) return o.data_dir;
  if (const char* env = std::getenv("STEWARD_DATA_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.steward";
}

bool parse_address(const std::string& address, std::string& host, int& port) {
  std::string rest = address;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = rest.substr(0, colon);
  char* end = nullptr;
  const std::string digits = rest.substr(colon + 1);
  const long p = std::strtol(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0' || p < 0 || p > 65535) return false;
  port = static_cast<int>(p);
  return true;
}

// The API's address as tasks on other machines reach it: a wildcard listen address is the
// machine's name.
std::string reachable_url(const std::string& host, int port) {
  std::string name = host;
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    char buf[256] = {};
    name = gethostname(buf, sizeof buf - 1) == 0 && buf[0] != '\0' ? buf : "localhost";
  }
  if (name.find(':') != std::string::npos && name.front() != '[') name = "[" + name + "]";
  return "http://" + name + ":" + std::to_string(port);
}

bool check_serve_options(const ServeOptions& o, std::string& api_host, int& api_port,
                         std::string& token, std::ostream& err) {
  if (!parse_address(o.api_listen, api_host, api_port)) {
    err << "error: --api-listen must look like 127.0.0.1:8080, not \"" << o.api_listen << "\"\n";
    return false;
  }
  if (!o.auth_token_file.empty()) {
    std::ifstream in(o.auth_token_file);
    if (!(in >> token)) {
      err << "error: cannot read a token from --auth-token-file " << o.auth_token_file << "\n";
      return false;
    }
  }
  return true;
}

std::string cluster_dir_of(const ServeOptions& o) {
  std::string dir;
  if (!o.cluster_dir.empty()) {
    dir = o.cluster_dir;
  } else if (const char* env = std::getenv("STEWARD_CLUSTER_DIR"); env && *env) {
    dir = env;
  } else {
    const char* home = std::getenv("HOME");
    dir = std::string(home && *home ? home : ".") + "/.steward/cluster";
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(dir, ec);
  return ec ? dir : absolute.lexically_normal().string();
}

bool local_cluster_address(const std::string& cluster_dir, std::string& host, int& port) {
  std::ifstream in(fs::path(cluster_dir) / "cluster.json");
  if (!in) return false;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer()) return false;
  const pid_t pid = j["pid"].get<pid_t>();
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;  // gone
  host = j.value("host", "127.0.0.1");
  port = j.value("port", 5050);
  return true;
}

int serve(const ServeOptions& o, scheduler::SchedulerOptions so, api::ApiExtensions extensions,
          std::ostream& out, std::ostream& err) {
  const std::string data_dir = data_dir_of(o);
  so.state_dir = (fs::path(data_dir) / so.service_name).string();
  so.user = o.user;
  so.uninstall = o.uninstall;
  so.backoff = {o.backoff_initial, o.backoff_factor, o.backoff_max};
  so.reconcile.base_backoff_seconds = o.reconcile_backoff;
  so.reconcile.max_backoff_seconds = o.reconcile_backoff_max;
  so.kill_resend_seconds = o.kill_resend;
  so.launches_per_pass = o.launches_per_pass;
  so.store_cache_kib = o.store_cache;
  std::string api_host, token;
  int api_port = 0;
  if (!check_serve_options(o, api_host, api_port, token, err)) return 2;
  keep_heap_small();
  std::error_code ec;
  fs::create_directories(so.state_dir, ec);
  if (ec) {
    err << "error: cannot create " << so.state_dir << ": " << ec.message() << "\n";
    return 1;
  }
  scheduler::ServiceScheduler scheduler(so);
  SignalWatch signals(scheduler);
  std::string error;
  // The lock first: a second scheduler of the service must not serve, nor say where it does.
  if (!scheduler.open(error)) {
    err << "error: " << error << "\n";
    return 1;
  }
  // Then the API, which answers while the state loads (health says INITIALIZING; the rest
  // waits for the load): with many tasks stored the load is the longest part of a start.
  api::ApiServer api(scheduler, token, std::move(extensions));
  if (!api.start(api_host, api_port, error)) {
    err << "error: " << error << "\n";
    scheduler.stop();
    return 1;
  }
  const std::string url = "http://" + api_host + ":" + std::to_string(api.port());
  const fs::path api_file = fs::path(so.state_dir) / "api";
  {
    std::ofstream f(api_file.string() + ".tmp");
    f << url << "\n";
  }
  fs::rename(api_file.string() + ".tmp", api_file, ec);
  signals.api_file(api_file.string());
  scheduler.set_api_url(reachable_url(api_host, api.port()));
  if (!scheduler.start(error)) {
    err << "error: " << error << "\n";
    api.stop();
    scheduler.stop();
    fs::remove(api_file, ec);
    return 1;
  }
  out << so.service_name << ": " << (o.uninstall ? "uninstalling" : "scheduler running") << "; API "
      << url << ", state " << so.state_dir << "\n"
      << "  watch it: curl " << url << "/v1/plans/deploy\n";
  out.flush();
  scheduler.wait();
  api.stop();
  scheduler.stop();
  fs::remove(api_file, ec);
  if (scheduler.uninstall_complete()) {
    out << so.service_name << ": uninstalled\n";
    return 0;
  }
  if (signals.signalled()) {
    out << so.service_name << ": scheduler stopped; tasks keep running (run again to resume)\n";
    return 0;
  }
  err << "error: " << scheduler.end_reason() << "\n";
  return 1;
}

}  // namespace steward::sdk
