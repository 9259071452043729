// The recovery extension point used the way HDFS uses it: a name node replaced on a new
// volume first bootstraps from a peer, then starts. The scheduler runs in this process (the
// overrider is C++), against the real cluster and real task processes.

#include "steward/recovery_overrider.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "scheduler/service_scheduler.hpp"
#include "scheduler_process.hpp"
#include "spec/spec_loader.hpp"

namespace steward::scheduler::testing {
namespace {

constexpr const char* kSpec = R"(
name: hdfs-like
pods:
  name:
    count: 2
    resource-sets:
      name-resources:
        cpus: 0.1
        memory: 32
        volume:
          path: data
          type: ROOT
          size: 32
    tasks:
      bootstrap:
        goal: FINISH
        resource-set: name-resources
        cmd: echo "bootstrapped from $PEER" > data/bootstrap
      node:
        goal: RUNNING
        resource-set: name-resources
        cmd: echo node >> data/log && sleep 1000
plans:
  deploy:
    strategy: serial
    phases:
      name:
        strategy: serial
        pod: name
        steps:
          - default: [[node]]
)";

// Replaces the default recovery of a permanently failed name node; counts its calls.
class NameNodeRecovery : public RecoveryOverrider {
 public:
  std::optional<RecoveryPhaseSpec> override_recovery(const FailedPod& pod) override {
    ++calls;
    if (pod.pod_type != "name" || pod.type != RecoveryType::permanent) return std::nullopt;
    RecoveryPhaseSpec phase;
    phase.name = "permanent-name-failure-recovery";
    const std::string peer = "name-" + std::to_string(1 - pod.index);
    phase.steps.push_back({"bootstrap", {"bootstrap"}, {{"PEER", peer}}});
    phase.steps.push_back({"node", {"node"}, {}});
    return phase;
  }
  std::atomic<int> calls{0};
};

json plan(ServiceScheduler& s, const std::string& name) {
  auto text = s.plan_json(name, nullptr);
  return text ? json::parse(*text) : json();
}

json task(ServiceScheduler& s, const std::string& pod, const std::string& name) {
  json p = json::parse(s.pod_status_json(pod));
  for (const json& t : p["tasks"])
    if (t["name"] == name) return t;
  return json();
}

TEST(RecoveryOverrider, APermanentlyFailedNameNodeBootstrapsFromAPeerOnItsNewVolume) {
  ClusterProcess cluster(kTwoAgents);
  const fs::path spec_path = cluster.dir() / "svc.yml";
  std::ofstream(spec_path) << kSpec;
  auto loaded = spec::load_spec_file(spec_path.string(), {});
  ASSERT_TRUE(loaded.spec);

  auto overrider = std::make_shared<NameNodeRecovery>();
  SchedulerOptions o;
  o.spec = *loaded.spec;
  o.state_dir = (cluster.dir() / "state").string();
  o.master_port = cluster.port();
  o.backoff = {0.5, 2, 2, 10};
  o.reconcile.base_backoff_seconds = 0.5;
  o.kill_resend_seconds = 1;
  o.recovery_overrider = overrider;
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  plan::Status status = plan::Status::pending;
  ASSERT_TRUE(eventually([&] {
    s.plan_json("deploy", &status);
    return status == plan::Status::complete;
  }));
  const json before = task(s, "name-0", "name-0-node");

  // A transient failure keeps the default recovery: the overrider declines it.
  const pid_t group = task_process_group(task(s, "name-1", "name-1-node")["id"]);
  ASSERT_GT(group, 0);
  ::kill(-group, SIGKILL);
  ASSERT_TRUE(eventually(
      [&] {
        const json r = plan(s, "recovery");
        return r["phases"].size() == 1 && r["phases"][0]["name"] == "name-1:[node]" &&
               r["status"] == "COMPLETE";
      },
      30))
      << plan(s, "recovery").dump(1);
  EXPECT_GE(overrider->calls.load(), 1);

  // Replace name-0: the overrider's phase bootstraps it from name-1, then starts it.
  ASSERT_TRUE(s.pod_command("replace", "name-0"));
  json recovery;
  ASSERT_TRUE(eventually(
      [&] {
        recovery = plan(s, "recovery");
        for (const json& phase : recovery["phases"])
          if (phase["name"] == "permanent-name-failure-recovery" && phase["status"] == "COMPLETE")
            return true;
        return false;
      },
      30))
      << recovery.dump(1);
  for (const json& phase : recovery["phases"])
    if (phase["name"] == "permanent-name-failure-recovery") {
      ASSERT_EQ(phase["steps"].size(), 2u);
      EXPECT_EQ(phase["steps"][0]["name"], "bootstrap");
      EXPECT_EQ(phase["steps"][1]["name"], "node");
    }
  const json after = task(s, "name-0", "name-0-node");
  EXPECT_NE(after["id"], before["id"]);
  EXPECT_EQ(after["status"], "RUNNING");
  // The new volume holds the bootstrap's output and only the new node's line.
  std::string bootstrap, log;
  ASSERT_TRUE(eventually([&] {
    const json st = cluster_status(cluster);
    for (const json& a : st["agents"])
      for (const json& v : a["volumes"]) {
        std::ifstream b(fs::path(v["path"].get<std::string>()) / "bootstrap");
        std::string text(std::istreambuf_iterator<char>(b), {});
        if (text.empty()) continue;
        bootstrap = text;
        std::ifstream l(fs::path(v["path"].get<std::string>()) / "log");
        log.assign(std::istreambuf_iterator<char>(l), {});
      }
    return !bootstrap.empty() && !log.empty();
  })) << cluster_status(cluster).dump(1);
  EXPECT_EQ(bootstrap, "bootstrapped from name-1\n");
  EXPECT_EQ(log, "node\n");
  s.stop();
}

}  // namespace
}  // namespace steward::scheduler::testing
