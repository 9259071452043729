#pragma once

// A scripted Mesos master for scheduler tests that need the master to do what the embedded
// cluster would not: hold an answer, or refuse a call.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/http_server.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/recordio.hpp"

namespace steward::scheduler::testing {

using namespace std::chrono_literals;
using nlohmann::json;

// Answers a scheduler's calls on loopback and records their types in order. SUBSCRIBE gets
// the stream of whatever events are pushed; an ACCEPT is answered only once released (and
// recorded again as "ACCEPT answered" then); every other call is answered 202 at once, or as
// refuse() says.
class ScriptedMaster {
 public:
  ScriptedMaster() {
    server_.post("/api/v1/scheduler", [this](const HttpServer::Request& req,
                                             HttpServer::Response& res) { call(req, res); });
    std::string error;
    EXPECT_TRUE(server_.listen("127.0.0.1", 0, error)) << error;
  }
  ~ScriptedMaster() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    server_.stop();
  }
  int port() const { return server_.port(); }

  void push(const mesos::Event& event) {
    std::lock_guard lock(mutex_);
    events_ += mesos::recordio_encode(mesos::event_text(event));
    cv_.notify_all();
  }
  // Calls of `type` are answered `status` with `body` from now on (0: 202 again).
  void refuse(const std::string& type, int status, const std::string& body = "") {
    std::lock_guard lock(mutex_);
    if (status == 0)
      refusals_.erase(type);
    else
      refusals_[type] = {status, body};
  }
  std::size_t count(const std::string& type) const {
    const std::vector<std::string> c = calls();
    return static_cast<std::size_t>(std::count(c.begin(), c.end(), type));
  }
  void release_accepts() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  bool received(const std::string& type) const {
    const std::vector<std::string> c = calls();
    return std::find(c.begin(), c.end(), type) != c.end();
  }

 private:
  void call(const HttpServer::Request& req, HttpServer::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    const std::string type = body.is_object() ? body.value("type", "") : "";
    std::unique_lock lock(mutex_);
    calls_.push_back(type);
    if (type == "SUBSCRIBE") {
      res.set_header("Mesos-Stream-Id", "stream-1");
      lock.unlock();
      res.stream(
          "application/json",
          [this](std::string& out) {
            std::unique_lock held(mutex_);
            cv_.wait_for(held, 50ms, [this] { return !events_.empty() || stopping_; });
            out += events_;
            events_.clear();
            return !stopping_;
          },
          [] {});
      return;
    }
    if (type == "ACCEPT") {
      cv_.wait_for(lock, 30s, [this] { return released_ || stopping_; });
      calls_.push_back("ACCEPT answered");
    }
    if (auto refused = refusals_.find(type); refused != refusals_.end()) {
      res.status = refused->second.first;
      res.set_content(refused->second.second, "text/plain");
      return;
    }
    res.status = 202;
  }

  HttpServer server_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string events_;  // RecordIO, not yet streamed
  std::vector<std::string> calls_;
  std::map<std::string, std::pair<int, std::string>> refusals_;  // type -> status, body
  bool released_ = false;
  bool stopping_ = false;
};

}  // namespace steward::scheduler::testing
