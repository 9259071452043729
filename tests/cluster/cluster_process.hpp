#pragma once

// The real `steward cluster up` as a child process on a free loopback port, with its own
// data directory, and a framework client that records every event it receives. Waits poll
// with a deadline; nothing sleeps for a fixed time.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mesos/scheduler_client.hpp"

namespace steward::cluster::testing {

using nlohmann::json;
namespace fs = std::filesystem;

inline bool eventually(const std::function<bool()>& done, double seconds = 20) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("steward-cluster-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class ClusterProcess {
 public:
  explicit ClusterProcess(const std::string& config_yaml) {
    config_ = (dir_.path() / "cluster.yml").string();
    std::ofstream(config_) << config_yaml;
    data_dir_ = (dir_.path() / "data").string();
    start();
  }
  ~ClusterProcess() { stop(SIGTERM); }

  void start() { ASSERT_TRUE(try_start()) << "the cluster did not start; log:\n" << log(); }

  // Starts the daemon; false when it exits instead of listening (see log()).
  bool try_start() {
    fs::remove(fs::path(data_dir_) / "cluster.json");
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = (dir_.path() / "cluster.log").string();
      FILE* f = freopen(log.c_str(), "a", stdout);
      (void)f;
      dup2(1, 2);
      execl(STEWARD_BINARY, STEWARD_BINARY, "cluster", "up", "--foreground", "--listen",
            listen_.c_str(), "--data-dir", data_dir_.c_str(), "--config", config_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    bool exited = false;
    bool up = eventually([&] {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        pid_ = -1;
        return true;
      }
      std::ifstream in(fs::path(data_dir_) / "cluster.json");
      if (!in) return false;
      json j = json::parse(in, nullptr, false);
      if (j.is_discarded() || j.value("pid", 0) != pid_) return false;
      port_ = j.value("port", 0);
      return port_ > 0;
    });
    return up && !exited;
  }

  // The next start listens on the port of this one (schedulers keep their --master).
  void keep_port() { listen_ = "127.0.0.1:" + std::to_string(port_); }

  // Rewrites cluster.yml (for the next start).
  void set_config(const std::string& yaml) { std::ofstream(config_) << yaml; }

  void stop(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string log() const {
    std::ifstream in(dir_.path() / "cluster.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  const fs::path& dir() const { return dir_.path(); }

  mesos::SchedulerClient::Response post(
      const std::string& path, const std::string& body,
      const std::string& content_type = "application/json") const {
    mesos::SchedulerClient client("127.0.0.1", port_);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return client.request("POST", path, body, headers);
  }
  mesos::SchedulerClient::Response get(const std::string& path) const {
    return mesos::SchedulerClient("127.0.0.1", port_).request("GET", path, "", {});
  }
  json operator_call(const std::string& type) const {
    auto r = post("/api/v1", json({{"type", type}}).dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

 private:
  TempDir dir_;
  std::string config_;
  std::string data_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string listen_ = "127.0.0.1:0";
};

// A scheduler over the real HTTP API: records every event, answers nothing on its own.
class Framework {
 public:
  explicit Framework(int port) : client_("127.0.0.1", port) {}
  // The subscription's reader thread records into the members below: it must end before
  // they go (an event arriving during destruction wrote into a freed vector).
  ~Framework() { client_.disconnect(); }
  Framework(const Framework&) = delete;
  Framework& operator=(const Framework&) = delete;

  mesos::SchedulerClient::Response subscribe(json info, const std::string& id = {}) {
    if (!id.empty()) info["id"] = {{"value", id}};
    json call = {{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}};
    if (!id.empty()) call["framework_id"] = {{"value", id}};
    auto r = client_.subscribe(
        call.dump(),
        [this](std::string record) {
          json e = json::parse(record, nullptr, false);
          // Acknowledges every update that asks for it, as a scheduler must, before
          // recording it (the ack goes out on its own connection).
          if (auto_acknowledge && e.value("type", "") == "UPDATE" &&
              e["update"]["status"].contains("uuid"))
            acknowledge(e["update"]["status"]);
          std::lock_guard lock(mutex_);
          if (e.value("type", "") == "SUBSCRIBED")
            id_ = e["subscribed"]["framework_id"]["value"].get<std::string>();
          events_.push_back(std::move(e));
          cv_.notify_all();
        },
        [this](std::string) {
          std::lock_guard lock(mutex_);
          closed_ = true;
          cv_.notify_all();
        });
    if (r.status == 200) {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !events_.empty() || closed_; });
    }
    return r;
  }

  std::string id() const {
    std::lock_guard lock(mutex_);
    return id_;
  }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  mesos::SchedulerClient::Response call(json call) {
    call["framework_id"] = {{"value", id()}};
    return client_.call(call.dump());
  }
  void disconnect() { client_.disconnect(); }
  mesos::SchedulerClient& client() { return client_; }
  bool auto_acknowledge = true;

  // Waits for the first event not yet taken that matches `pred`, and takes it (null json
  // when none came in time).
  json wait_for(const std::function<bool(const json&)>& pred, double seconds = 20) {
    std::unique_lock lock(mutex_);
    json found;
    cv_.wait_for(lock, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)), [&] {
      taken_.resize(events_.size(), false);
      for (std::size_t i = 0; i < events_.size(); ++i)
        if (!taken_[i] && pred(events_[i])) {
          found = events_[i];
          taken_[i] = true;
          return true;
        }
      return false;
    });
    return found;
  }
  // Every event so far, for failure messages.
  std::string dump() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const json& e : events_) {
      if (e.value("type", "") == "HEARTBEAT") continue;
      std::string line = e.dump();
      out += line.substr(0, 1200) + "\n";
    }
    return out;
  }
  json wait_event(const std::string& type, double seconds = 20) {
    return wait_for([&](const json& e) { return e.value("type", "") == type; }, seconds);
  }
  // Waits for an update of `task` in `state`.
  json wait_update(const std::string& task, const std::string& state, double seconds = 30) {
    json e = wait_for(
        [&](const json& ev) {
          if (ev.value("type", "") != "UPDATE") return false;
          const json& s = ev["update"]["status"];
          return s["task_id"]["value"] == task && s["state"] == state;
        },
        seconds);
    return e.is_null() ? e : e["update"]["status"];
  }
  // Every offer received and not taken yet, once `enough` holds for them.
  std::vector<json> offers_until(const std::function<bool(const std::vector<json>&)>& enough,
                                 double seconds = 20) {
    std::vector<json> all;
    eventually(
        [&] {
          for (json e = wait_event("OFFERS", 0.05); !e.is_null(); e = wait_event("OFFERS", 0.05))
            for (const json& o : e["offers"]["offers"])
              all.push_back(o);
          return enough(all);
        },
        seconds);
    return all;
  }
  std::vector<json> offers(double seconds = 20) {
    json e = wait_event("OFFERS", seconds);
    std::vector<json> out;
    if (!e.is_null())
      for (const json& o : e["offers"]["offers"])
        out.push_back(o);
    return out;
  }

 private:
  void acknowledge(const json& s) {
    json call = {{"type", "ACKNOWLEDGE"},
                 {"framework_id", {{"value", id()}}},
                 {"acknowledge",
                  {{"agent_id", s["agent_id"]}, {"task_id", s["task_id"]}, {"uuid", s["uuid"]}}}};
    client_.call(call.dump());
  }

  mesos::SchedulerClient client_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<json> events_;
  std::vector<bool> taken_;
  std::string id_;
  bool closed_ = false;
};

}  // namespace steward::cluster::testing
