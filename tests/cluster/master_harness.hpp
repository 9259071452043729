#pragma once

// Drives a Master directly on the test's thread: calls go in as JSON (through the same
// codecs the HTTP server uses), the simulated runtime's reports run when run() says so,
// and each framework's events are read back from its stream.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cluster/master.hpp"
#include "cluster/simulated_runtime.hpp"
#include "mesos/call_json.hpp"
#include "mesos/recordio.hpp"
#include "mesos/task_info_json.hpp"

namespace steward::cluster::testing {

using nlohmann::json;

struct TestFramework {
  std::string id;
  std::shared_ptr<EventStream> stream;
  std::vector<json> events;  // every event received so far
  std::size_t seen = 0;      // events already consumed by next()

  void drain() {
    mesos::RecordIoReader reader;
    while (auto record = stream->pop(std::chrono::milliseconds(0))) {
      reader.feed(*record);
      while (auto r = reader.next())
        events.push_back(json::parse(*r));
    }
  }
  // Events of `type` not consumed yet; consumes every event up to the last one returned.
  std::vector<json> take(const std::string& type) {
    drain();
    std::vector<json> out;
    for (std::size_t i = seen; i < events.size(); ++i)
      if (events[i]["type"] == type) out.push_back(events[i]);
    seen = events.size();
    return out;
  }
  std::vector<json> offers() {
    std::vector<json> out;
    for (const json& e : take("OFFERS"))
      for (const json& o : e["offers"]["offers"])
        out.push_back(o);
    return out;
  }
  std::vector<json> updates() {
    std::vector<json> out;
    for (const json& e : take("UPDATE"))
      out.push_back(e["update"]["status"]);
    return out;
  }
};

class MasterHarness {
 public:
  explicit MasterHarness(ClusterConfig config)
      : runtime_([this](std::function<void()> fn) { deferred_.push_back(std::move(fn)); },
                 [this](const std::string& agent, const std::string& fw, mesos::TaskStatus s) {
                   master->status_update(agent, std::move(s), now, fw);
                 },
                 [this](const std::string& agent, const std::string& fw, const std::string& ex) {
                   master->executor_terminated(agent, fw, ex, std::nullopt, now);
                 }) {
    master = std::make_unique<Master>(
        "M", std::move(config), [this](const AgentRecord&) -> AgentRuntime& { return runtime_; },
        "/nonexistent", now);
  }

  // Runs the runtime's pending reports (and what they trigger).
  void run() {
    while (!deferred_.empty()) {
      auto batch = std::move(deferred_);
      deferred_.clear();
      for (auto& fn : batch)
        fn();
    }
  }
  void advance(double seconds) {
    now += seconds;
    master->tick(now);
    run();
  }

  TestFramework subscribe(json framework_info, const std::string& id = {}) {
    TestFramework fw;
    if (!id.empty()) framework_info["id"] = {{"value", id}};
    json call = {{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", framework_info}}}};
    if (!id.empty()) call["framework_id"] = {{"value", id}};
    std::string error;
    auto parsed = mesos::call_from_json(call, error);
    EXPECT_TRUE(parsed) << error;
    fw.stream = std::make_shared<EventStream>("stream-" + std::to_string(++streams_));
    CallOutcome o = master->subscribe(*parsed, fw.stream, now);
    EXPECT_EQ(o.status, 200) << o.message;
    fw.id = o.framework_id;
    master->allocate(now);
    return fw;
  }

  CallOutcome call(TestFramework& fw, json call) {
    call["framework_id"] = {{"value", fw.id}};
    std::string error;
    CallOutcome o;
    if (call["type"] == "ACCEPT") {
      auto parsed = mesos::accept_from_json(call, error);
      if (!parsed) return {400, error};
      o = master->accept(*parsed, fw.stream->id(), now);
    } else {
      auto parsed = mesos::call_from_json(call, error);
      if (!parsed) return {400, error};
      o = master->handle(*parsed, fw.stream->id(), now);
    }
    run();
    return o;
  }

  // Acknowledges every update that carries a uuid.
  void acknowledge(TestFramework& fw, const std::vector<json>& statuses) {
    for (const json& s : statuses) {
      if (!s.contains("uuid")) continue;
      CallOutcome o = call(
          fw, {{"type", "ACKNOWLEDGE"},
               {"acknowledge",
                {{"agent_id", s["agent_id"]}, {"task_id", s["task_id"]}, {"uuid", s["uuid"]}}}});
      EXPECT_EQ(o.status, 202) << o.message;
    }
  }

  double now = 1000;
  std::unique_ptr<Master> master;
  SimulatedRuntime& runtime() { return runtime_; }

 private:
  std::vector<std::function<void()>> deferred_;
  SimulatedRuntime runtime_;
  int streams_ = 0;
};

inline json framework_info(const std::string& name, const std::string& role,
                           bool partition_aware = true, double failover_timeout = 0) {
  json caps = json::array({{{"type", "MULTI_ROLE"}}, {{"type", "RESERVATION_REFINEMENT"}}});
  if (partition_aware) caps.push_back({{"type", "PARTITION_AWARE"}});
  return {{"user", "nobody"},
          {"name", name},
          {"roles", json::array({role})},
          {"principal", name + "-principal"},
          {"failover_timeout", failover_timeout},
          {"checkpoint", true},
          {"capabilities", caps}};
}

inline json scalar(const std::string& name, double value, const std::string& role,
                   json reservations = json::array()) {
  json r = {{"name", name},
            {"type", "SCALAR"},
            {"scalar", {{"value", value}}},
            {"allocation_info", {{"role", role}}}};
  if (!reservations.empty()) r["reservations"] = reservations;
  return r;
}

inline json dynamic(const std::string& role, const std::string& principal,
                    const std::string& resource_id) {
  return {
      {"type", "DYNAMIC"},
      {"role", role},
      {"principal", principal},
      {"labels", {{"labels", json::array({{{"key", "resource_id"}, {"value", resource_id}}})}}}};
}

inline json volume(double size, const std::string& role, json reservations,
                   const std::string& persistence_id, const std::string& path) {
  json r = scalar("disk", size, role, std::move(reservations));
  r["disk"] = {{"persistence", {{"id", persistence_id}}},
               {"volume", {{"mode", "RW"}, {"container_path", path}}}};
  return r;
}

// The smallest executor the master accepts (0.1 cpus, 32 MB, some disk), unreserved.
inline json small_executor(const std::string& role) {
  return {scalar("cpus", 0.1, role), scalar("mem", 32, role), scalar("disk", 10, role)};
}

inline json accept(const json& offer_ids, json operations, double refuse = 5) {
  return {{"type", "ACCEPT"},
          {"accept",
           {{"offer_ids", offer_ids},
            {"operations", operations},
            {"filters", {{"refuse_seconds", refuse}}}}}};
}

inline json offer_ids(const std::vector<json>& offers) {
  json ids = json::array();
  for (const json& o : offers)
    ids.push_back(o["id"]);
  return ids;
}

inline json launch_group(const std::string& framework_id, const std::string& executor_id,
                         json executor_resources, json tasks) {
  return {{"type", "LAUNCH_GROUP"},
          {"launch_group",
           {{"executor",
             {{"type", "DEFAULT"},
              {"executor_id", {{"value", executor_id}}},
              {"framework_id", {{"value", framework_id}}},
              {"resources", executor_resources}}},
            {"task_group", {{"tasks", tasks}}}}}};
}

inline json task(const std::string& id, json resources, const std::string& command = "sleep 1000") {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"resources", resources},
          {"command", {{"value", command}}}};
}

// One agent with 4 cpus, 4 GB, 10 GB disk and ports 31000-31099.
inline ClusterConfig one_agent(bool simulated = true) {
  ClusterConfig config;
  AgentConfig agent;
  agent.name = "agent-0";
  agent.resources.cpus = 4;
  agent.resources.mem = 4096;
  agent.resources.disk = 10000;
  agent.resources.ports = {{31000, 31099}};
  agent.zone = "a";
  agent.simulated = simulated;
  config.agents.push_back(agent);
  return config;
}

}  // namespace steward::cluster::testing
