// The scheduler's state store stops taking writes, as on a full disk: here its files may not
// grow (RLIMIT_FSIZE on the running `steward run`, with SIGXFSZ ignored, so that a write past
// the limit fails as one on a full disk does instead of killing it). Nothing the store did not
// take is launched, the offers of a launch pass that could not be stored are not left
// unanswered at the master, a status that cannot be stored waits unacknowledged, a command
// that cannot be stored changes nothing, and once the store takes writes again the deploy
// ends, every task the one on record.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include "scheduler_process.hpp"
#include "store_fault.hpp"

namespace steward::scheduler::testing {
namespace {

using cluster::testing::TempDir;

constexpr const char* kCluster = R"(
heartbeat_interval_seconds: 1
update_retry_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: a
    hostname: host-a
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 4000, ports: 31000-31099}
  - name: b
    hostname: host-b
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 4000, ports: 32000-32099}
)";

// `first` on host-a, then `second` on host-b: the first launch pass uses host-a's offer and
// leaves host-b's, which `second` needs later.
constexpr const char* kSpec = R"(
name: svc
pods:
  first:
    count: 1
    placement: hostname:LIKE:host-a
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
  second:
    count: 1
    placement: hostname:LIKE:host-b
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
plans:
  deploy:
    strategy: serial
    phases:
      first:
        pod: first
      second:
        pod: second
)";

TEST(StateStoreFailure, NothingUnstoredIsLaunchedAndTheDeployEndsOnceTheStoreTakesWritesAgain) {
  ClusterProcess cluster(kCluster);
  // No offers until the store has stopped taking writes.
  for (const char* agent : {"a", "b"})
    ASSERT_EQ(
        http(cluster.port(), "POST", std::string("/cluster/v1/agents/") + agent + "/stop").status,
        200);
  TempDir dir;
  const std::string spec = (dir.path() / "svc.yml").string();
  std::ofstream(spec) << kSpec;
  const std::string data = (dir.path() / "data").string();

  // Ignored here, ignored in the scheduler, which inherits it across fork and exec.
  struct sigaction ignore {};
  struct sigaction before {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &before), 0);
  SchedulerProcess s(spec, cluster, data, "svc", kFast);
  sigaction(SIGXFSZ, &before, nullptr);
  ASSERT_TRUE(eventually([&] { return s.log().find("reconciled") != std::string::npos; }))
      << s.log();

  // The write-ahead log takes every write (it is not checkpointed this early): from here on it
  // may not grow. The scheduler's own log stays far below that size.
  const fs::path wal = fs::path(data) / "svc" / "state.db-wal";
  const auto wal_size = fs::file_size(wal);
  ASSERT_GT(wal_size, 16u * 1024) << "the log file would meet the limit first";
  rlimit limit{};
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_FSIZE, nullptr, &limit), 0);
  const rlimit unlimited = limit;
  limit.rlim_cur = wal_size;
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);

  for (const char* agent : {"a", "b"})
    ASSERT_EQ(
        http(cluster.port(), "POST", std::string("/cluster/v1/agents/") + agent + "/start").status,
        200);
  // Every pass fails: the count goes up, the log says so once.
  const auto failures = [&] { return store_failures(s.get("/v1/metrics/prometheus").text); };
  ASSERT_TRUE(eventually([&] { return failures() >= 5; })) << s.log();
  EXPECT_EQ(occurrences(s.log(), "cannot write the state store: "), 1u) << s.log();
  EXPECT_EQ(occurrences(s.log(), "the launch above waits"), 1u) << s.log();
  // What could not be stored did not go out.
  EXPECT_TRUE(cluster_status(cluster)["tasks"].empty()) << cluster_status(cluster).dump();

  ASSERT_EQ(prlimit(s.pid(), RLIMIT_FSIZE, &unlimited, nullptr), 0);
  // `second` needs host-b's offer, which the failed pass had and did not use: answered, it
  // comes back; dropped, the master would hold it for the scheduler for good.
  ASSERT_TRUE(s.plan_complete("deploy", 60)) << s.log();
  EXPECT_EQ(occurrences(s.log(), "the state store takes writes again"), 1u) << s.log();
  std::map<std::string, std::string> launched;  // task name -> id, as the cluster has them
  const json status = cluster_status(cluster);
  for (const json& t : status["tasks"])
    launched[t["name"]] = t["id"];
  EXPECT_EQ(launched.size(), 2u) << status.dump();
  for (const char* pod : {"first-0", "second-0"}) {
    const json task = s.task(pod, std::string(pod) + "-server");
    EXPECT_EQ(task["status"], "RUNNING") << task.dump();
    EXPECT_EQ(task["id"], launched[std::string(pod) + "-server"]) << "launched once, as stored";
  }

  // A status that cannot be stored is not acknowledged, and the master sends it again: the
  // scheduler goes on (it answers here), and acts on it once the store takes writes.
  limit.rlim_cur = fs::file_size(wal);
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);
  const int failed_before = failures();
  const std::string failed_id = launched["first-0-server"];
  ASSERT_EQ(http(cluster.port(), "POST", "/cluster/v1/tasks/" + failed_id + "/fail").status, 200);
  ASSERT_TRUE(eventually([&] { return failures() >= failed_before + 2; })) << s.log();
  // A command the store refuses is answered with its error and changes nothing: the pod is
  // neither PAUSING (an override kept in memory only) nor killed.
  const HttpAnswer pause = s.post("/v1/pod/second-0/pause");
  EXPECT_EQ(pause.status, 500) << pause.text;
  EXPECT_NE(pause.text.find("state store"), std::string::npos) << pause.text;
  EXPECT_EQ(s.task("second-0", "second-0-server")["status"], "RUNNING") << s.log();
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_FSIZE, &unlimited, nullptr), 0);
  const json relaunched = s.relaunched("first-0", "first-0-server", failed_id);
  EXPECT_EQ(relaunched["status"], "RUNNING") << relaunched.dump() << s.log();
  const json second = s.task("second-0", "second-0-server");
  EXPECT_EQ(second["status"], "RUNNING") << second.dump();
  EXPECT_EQ(second["id"], launched["second-0-server"]) << "the refused pause killed nothing";
}

// One pod of one RUNNING task, deployed by a real `steward run` on its own cluster.
struct OnePod {
  ClusterProcess cluster{kCluster};
  TempDir dir;
  std::string data = (dir.path() / "data").string();
  SchedulerProcess s{
      write_spec(dir.path(), "svc.yml", one_task_spec("svc", 1, "RUNNING", "sleep 1000")), cluster,
      data, "svc", kFast};
  fs::path db() const { return fs::path(data) / "svc" / "state.db"; }  // its SQLite store
};

// An agent that is removed takes the reservations the scheduler meant to release there with
// it (its tasks' TASK_GONE_BY_OPERATOR): they are dropped from the garbage list. A store that
// refuses that write (a trigger refusing it in the scheduler's SQLite) fails the status batch,
// and the status, resent, finds nothing more to drop: the next ticks write the list, and the
// scheduler goes on meanwhile.
TEST(StateStoreFailure, AGoneAgentsGarbageIsForgottenOnceTheStoreTakesIt) {
  OnePod pod;
  ClusterProcess& cluster = pod.cluster;
  SchedulerProcess& s = pod.s;
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json first = s.task("svc-0", "svc-0-server");
  std::string agent_name;
  const json agents = cluster_status(cluster)["agents"];
  for (const json& a : agents)
    if (a["id"] == first["agent"]) agent_name = a["name"];
  ASSERT_FALSE(agent_name.empty()) << cluster_status(cluster).dump();

  // The pod's agent goes away; replaced elsewhere, its old footprint there is garbage.
  ASSERT_EQ(http(cluster.port(), "POST", "/cluster/v1/agents/" + agent_name + "/stop").status, 200);
  ASSERT_EQ(s.post("/v1/pod/svc-0/replace").status, 200);
  const json second = s.relaunched("svc-0", "svc-0-server", first["id"]);
  ASSERT_EQ(second["status"], "RUNNING") << s.log();
  const auto garbage = [&] { return s.get("/v1/state/properties/gc-resources").text; };
  ASSERT_NE(garbage().find(first["agent"].get<std::string>()), std::string::npos) << garbage();

  const fs::path db = pod.db();
  refuse_properties(db, "refuse_gc", "gc-resources", "injected: no room");
  const auto failures = [&] { return store_failures(s.get("/v1/metrics/prometheus").text); };
  ASSERT_EQ(http(cluster.port(), "POST", "/cluster/v1/agents/" + agent_name + "/remove").status,
            200);
  ASSERT_TRUE(eventually([&] { return failures() >= 3; })) << s.log();
  EXPECT_EQ(s.get("/v1/health").status, 200) << "the scheduler goes on";
  EXPECT_NE(garbage().find(first["agent"].get<std::string>()), std::string::npos);

  drop_refusal(db, "refuse_gc");
  EXPECT_TRUE(eventually([&] {
    return garbage().find(first["agent"].get<std::string>()) == std::string::npos;
  })) << garbage();
  EXPECT_EQ(occurrences(s.log(), "agent " + first["agent"].get<std::string>() + " is gone: "), 1u)
      << s.log();
  EXPECT_EQ(s.task("svc-0", "svc-0-server")["id"], second["id"]);
}

// A pod command whose writes the store refuses (triggers in the scheduler's SQLite) is answered
// with the store's error, changes nothing, and is counted and logged with the store's failures;
// the same command goes through once the store takes it.
TEST(StateStoreFailure, APodCommandTheStoreRefusesIsCountedAndChangesNothing) {
  OnePod pod;
  SchedulerProcess& s = pod.s;
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json first = s.task("svc-0", "svc-0-server");
  const fs::path db = pod.db();
  const auto failures = [&] { return store_failures(s.get("/v1/metrics/prometheus").text); };
  const int failed_before = failures();

  // An idle service with no readiness check writes neither table by itself, so every failure
  // counted from here on is a command's.
  refuse_inserts(db, "refuse_override", "goal_overrides", "injected: no room");
  refuse_inserts(db, "refuse_task", "tasks", "injected: no room");
  for (const char* command : {"pause", "replace"}) {
    const HttpAnswer answer = s.post(std::string("/v1/pod/svc-0/") + command);
    EXPECT_EQ(answer.status, 500) << command << ": " << answer.text;
    EXPECT_NE(answer.text.find("injected: no room"), std::string::npos) << answer.text;
  }
  EXPECT_EQ(failures(), failed_before + 2);
  EXPECT_EQ(occurrences(s.log(), "pod pause svc-0 not done: cannot write the state store: "), 1u)
      << s.log();
  EXPECT_EQ(occurrences(s.log(), "pod replace svc-0 not done: cannot write the state store: "), 1u)
      << s.log();
  const json still = s.task("svc-0", "svc-0-server");
  EXPECT_EQ(still["status"], "RUNNING") << still.dump();
  EXPECT_EQ(still["id"], first["id"]) << "nothing killed";
  EXPECT_EQ(still.value("permanently_failed", false), false) << still.dump();

  drop_refusal(db, "refuse_override");
  drop_refusal(db, "refuse_task");
  ASSERT_EQ(s.post("/v1/pod/svc-0/pause").status, 200) << s.log();
  EXPECT_TRUE(eventually([&] { return s.task("svc-0", "svc-0-server")["status"] == "PAUSED"; }))
      << s.task("svc-0", "svc-0-server").dump() << s.log();
  EXPECT_EQ(failures(), failed_before + 2);
}

}  // namespace
}  // namespace steward::scheduler::testing
