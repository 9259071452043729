// The service scheduler end to end: the real cluster, the real `steward run` scheduler and real
// task processes on loopback. Each test names the behaviour it demonstrates.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>
#include <thread>

#include "common/http_connection.hpp"
#include "scheduler_process.hpp"

namespace steward::scheduler::testing {
namespace {

const std::string kHelloWorld = std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml";

// Three agents with their own hostnames and zones, plus a public one.
constexpr const char* kCluster = R"(
heartbeat_interval_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: a
    hostname: host-a
    zone: a
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 31000-31099}
  - name: b
    hostname: host-b
    zone: b
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 32000-32099}
  - name: c
    hostname: host-c
    zone: c
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 33000-33099}
  - name: public
    hostname: host-p
    zone: a
    reserved:
      slave_public: {cpus: 2, mem: 2048, disk: 4000, ports: [34000-34099]}
)";

// The file `name` under any directory called `task_id` below the cluster's data.
std::string task_file(const ClusterProcess& cluster, const std::string& task_id,
                      const std::string& name) {
  for (const auto& e : fs::recursive_directory_iterator(
           cluster.data_dir(), fs::directory_options::skip_permission_denied)) {
    if (e.is_directory() && !e.is_symlink() && e.path().filename() == task_id)
      return read(e.path() / name);
  }
  return "";
}

std::string volume_path(const ClusterProcess& cluster, const std::string& id) {
  json s = cluster_status(cluster);
  for (const json& a : s["agents"])
    for (const json& v : a["volumes"])
      if (v["persistence_id"] == id) return v["path"];
  return "";
}

std::string agent_name(const ClusterProcess& cluster, const std::string& agent_id) {
  json s = cluster_status(cluster);
  for (const json& a : s["agents"])
    if (a["id"] == agent_id) return a["name"];
  return "";
}

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : cluster_(kCluster) {}
  std::string data_dir() const { return (cluster_.dir() / "services").string(); }
  ClusterProcess cluster_;
};

// 1. hello-world deploys; world's server shows what prepare wrote; deploy COMPLETE.
TEST_F(SchedulerTest, HelloWorldDeploysAndServerSeesWhatPrepareWrote) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.get("/v1/plans/deploy").text << s.log();
  json server = s.task("world-0", "world-0-server");
  ASSERT_EQ(server["status"], "RUNNING") << server;
  EXPECT_TRUE(eventually([&] {
    return task_file(cluster_, server["id"], "stdout").find("prepared by world-0-prepare") !=
           std::string::npos;
  })) << task_file(cluster_, server["id"], "stdout");
  // Every pod has its volume, reserved for the service's role.
  EXPECT_EQ(volumes(cluster_, "hello-world-role").size(), 4u);
  // One scheduler per service: a second one is refused and changes nothing.
  std::string out;
  EXPECT_EQ(
      run_steward({"run", kHelloWorld, "--master",
                   "http://127.0.0.1:" + std::to_string(cluster_.port()), "--data-dir", data_dir()},
                  out),
      1);
  EXPECT_NE(out.find("is running this service"), std::string::npos) << out;
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200);
  std::set<std::string> plans;
  for (const json& name : s.get("/v1/plans").body)
    plans.insert(name.get<std::string>());
  EXPECT_EQ(plans, (std::set<std::string>{"deploy", "sidecar", "recovery"}));
  EXPECT_EQ(s.get("/v1/plans/nope").status, 404);
}

// The README's main command: `steward run SPEC` with no cluster running starts one in the
// background and deploys onto it; relative directories work (executors run elsewhere).
TEST(StewardRun, StartsALocalClusterWhenNoneRunsAndDeploys) {
  cluster::testing::TempDir dir;
  const std::string log = (dir.path() / "run.log").string();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.path().c_str()) != 0) _exit(126);
    FILE* f = freopen(log.c_str(), "w", stdout);
    (void)f;
    dup2(1, 2);
    exec_steward({"run", kHelloWorld, "--env", "HELLO_COUNT=1", "--env", "WORLD_COUNT=1",
                  "--cluster-dir", "rel/cluster", "--cluster-listen", "127.0.0.1:0", "--data-dir",
                  "rel/services"});
  }
  int port = 0;
  const bool deployed = eventually(
      [&] {
        std::ifstream in(dir.path() / "rel/services/hello-world/api");
        std::string url;
        if (!(in >> url)) return false;
        port = std::atoi(url.substr(url.rfind(':') + 1).c_str());
        return http(port, "GET", "/v1/plans/deploy").status == 200;
      },
      60);
  ::kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string out;
  run_steward({"cluster", "down", "--data-dir", (dir.path() / "rel/cluster").string()}, out);
  EXPECT_TRUE(deployed) << read(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read(log);
  const std::string text = read(log);
  EXPECT_NE(text.find("starting one in the background"), std::string::npos) << text;
  EXPECT_NE(text.find("tasks keep running"), std::string::npos) << text;
}

// 2. SIGKILL of a server: relaunched in place, same agent, the volume's data intact.
TEST_F(SchedulerTest, AKilledServerIsRelaunchedInPlaceWithItsVolume) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  json before = s.task("hello-0", "hello-0-server");
  const pid_t group = task_process_group(before["id"]);
  ASSERT_GT(group, 0);
  ASSERT_EQ(::kill(-group, SIGKILL), 0);
  json after = s.relaunched("hello-0", "hello-0-server", before["id"]);
  ASSERT_EQ(after["status"], "RUNNING") << after << s.log();
  EXPECT_EQ(after["agent"], before["agent"]);
  // The recovery plan shows the relaunch, and it completed.
  json recovery = s.get("/v1/plans/recovery").body;
  ASSERT_EQ(recovery["phases"].size(), 1u) << recovery;
  EXPECT_EQ(recovery["phases"][0]["name"], "hello-0:[server]");
  EXPECT_TRUE(s.plan_complete("recovery"));
  // The same volume holds both incarnations' lines (written right after TASK_RUNNING).
  std::string output;
  EXPECT_TRUE(eventually([&] {
    for (const auto& [id, agent] : volumes(cluster_, "hello-world-role")) {
      std::string text = read(fs::path(volume_path(cluster_, id)) / "output");
      if (text.find("hello-0-server") != std::string::npos) output = text;
    }
    return output == "hello from hello-0-server\nhello from hello-0-server\n";
  })) << output;
}

// `pod restart`: the pod's tasks are killed and come back in place, with new ids.
TEST_F(SchedulerTest, PodRestartRelaunchesInPlace) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world",
                     {"--env", "WORLD_COUNT=0", "--env", "HELLO_COUNT=1", "--backoff-initial",
                      "0.5", "--kill-resend", "1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  json before = s.task("hello-0", "hello-0-server");
  EXPECT_EQ(s.post("/v1/pod/hello-9/restart").status, 404);
  auto r = s.post("/v1/pod/hello-0/restart");
  ASSERT_EQ(r.status, 200) << r.text;
  json after = s.relaunched("hello-0", "hello-0-server", before["id"]);
  ASSERT_EQ(after["status"], "RUNNING") << after << s.log();
  EXPECT_EQ(after["agent"], before["agent"]);
  EXPECT_EQ(volumes(cluster_, "hello-world-role").size(), 1u);
  // Restarting the deploy step relaunches its task too (it does not adopt the live one).
  auto restart = s.post("/v1/plans/deploy/restart?phase=hello&step=hello-0:[server]");
  ASSERT_EQ(restart.status, 200) << restart.text;
  json again = s.relaunched("hello-0", "hello-0-server", after["id"]);
  ASSERT_EQ(again["status"], "RUNNING") << again << s.log();
  EXPECT_TRUE(s.plan_complete("deploy"));
}

// A restarted `steward run` with more instances deploys them and leaves the others alone; a
// spec that changes what runs is refused (rolling updates come later) and changes nothing.
TEST_F(SchedulerTest, ARestartWithMoreInstancesScalesOutAndFewerWithoutDecommissionIsRefused) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world",
                     {"--env", "WORLD_COUNT=1", "--env", "HELLO_COUNT=1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json hello0 = s.task("hello-0", "hello-0-server");
  const json prepare = s.task("world-0", "world-0-prepare");
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.set_extra({"--env", "WORLD_COUNT=1", "--env", "HELLO_COUNT=2"});
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_EQ(s.task("hello-1", "hello-1-server")["status"], "RUNNING");
  EXPECT_EQ(s.task("hello-0", "hello-0-server")["id"], hello0["id"]);
  // The new configuration id reaches existing tasks by relabelling: prepare (FINISH) does
  // not run again.
  EXPECT_EQ(s.task("world-0", "world-0-prepare")["id"], prepare["id"]);
  EXPECT_EQ(s.stop(SIGTERM), 0);

  // Fewer instances without allow-decommission: the scheduler runs the old target and says
  // why in the deploy plan; nothing stops.
  s.set_extra({"--env", "WORLD_COUNT=1", "--env", "HELLO_COUNT=1"});
  s.start();
  ASSERT_TRUE(eventually([&] { return s.get("/v1/plans/deploy").status == 417; })) << s.log();
  const json errors = s.get("/v1/plans/deploy").body["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors.dump();
  EXPECT_EQ(errors[0],
            "pods.hello.count: lowering the count (2 -> 1) needs allow-decommission: true in the "
            "pod");
  EXPECT_EQ(s.task("hello-1", "hello-1-server")["status"], "RUNNING");
  EXPECT_EQ(cluster_status(cluster_)["tasks"].size(), 3u);  // two hello, one world server
}

// The opt-in replacement-failure-policy: a pod failing for longer than its timeout is
// replaced on a new footprint; the old one is collected.
TEST_F(SchedulerTest, APodFailingPastThePolicyTimeoutIsReplaced) {
  const std::string spec =
      write_spec(cluster_.dir() / "spec", "flaky.yml",
                 one_task_spec("flaky", 1, "RUNNING",
                               "test -e data/broken && exit 1; touch data/broken; sleep 1000",
                               "        volume:\n"
                               "          path: data\n"
                               "          type: ROOT\n"
                               "          size: 32\n",
                               "",
                               "replacement-failure-policy:\n"
                               "  permanent-failure-timeout-secs: 2\n"
                               "  min-replace-delay-secs: 0\n"));
  SchedulerProcess s(spec, cluster_, data_dir(), "flaky", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto first = volumes(cluster_, "flaky-role");
  ASSERT_EQ(first.size(), 1u);
  // From now on the task fails on this volume; only a fresh one cures it.
  json before = s.task("flaky-0", "flaky-0-server");
  ::kill(-task_process_group(before["id"]), SIGKILL);
  ASSERT_TRUE(eventually(
      [&] {
        return s.log().find("replacing it (replacement-failure-policy)") != std::string::npos;
      },
      30))
      << s.log();
  json after = s.relaunched("flaky-0", "flaky-0-server", before["id"]);
  EXPECT_EQ(after["status"], "RUNNING") << s.log();
  EXPECT_TRUE(eventually(
      [&] {
        auto now = volumes(cluster_, "flaky-role");
        return now.size() == 1 && !now.count(first.begin()->first);
      },
      30))
      << cluster_status(cluster_).dump(1) << s.log();
}

// 3. Replace a pod whose agent is down: it comes up elsewhere on a fresh volume; when the
// agent returns its old reservation and volume are collected.
TEST_F(SchedulerTest, ReplacedPodMovesAndItsOldFootprintIsCollected) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world",
                     {"--env", "WORLD_COUNT=0", "--env", "HELLO_COUNT=1", "--backoff-initial",
                      "0.5", "--reconcile-backoff", "0.5", "--kill-resend", "1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  json before = s.task("hello-0", "hello-0-server");
  const std::string old_agent = agent_name(cluster_, before["agent"]);
  auto old_volumes = volumes(cluster_, "hello-world-role");
  ASSERT_EQ(old_volumes.size(), 1u);
  const std::string old_volume = old_volumes.begin()->first;

  ASSERT_EQ(http(cluster_.port(), "POST", "/cluster/v1/agents/" + old_agent + "/stop").status, 200);
  ASSERT_TRUE(
      eventually([&] { return s.task("hello-0", "hello-0-server")["status"] != "RUNNING"; }));
  auto r = s.post("/v1/pod/hello-0/replace");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["tasks"], json({"hello-0-server"}));
  json after = s.relaunched("hello-0", "hello-0-server", before["id"]);
  ASSERT_EQ(after["status"], "RUNNING") << after << s.log();
  EXPECT_NE(agent_name(cluster_, after["agent"]), old_agent);
  auto now = volumes(cluster_, "hello-world-role");
  EXPECT_EQ(now.size(), 2u);  // the new one, and the old one on the stopped agent

  ASSERT_EQ(http(cluster_.port(), "POST", "/cluster/v1/agents/" + old_agent + "/start").status,
            200);
  ASSERT_TRUE(eventually(
      [&] {
        auto v = volumes(cluster_, "hello-world-role");
        return v.size() == 1 && !v.count(old_volume);
      },
      30))
      << cluster_status(cluster_).dump(1) << s.log();
  // Nothing of the service stays reserved on the old agent.
  EXPECT_TRUE(eventually([&] {
    const json st = cluster_status(cluster_);
    for (const json& a : st["agents"])
      if (a["name"] == old_agent) return !a["reserved"].contains("hello-world-role");
    return false;
  })) << cluster_status(cluster_).dump(1);
}

// `pod replace` while one non-essential task (launched in a group of its own) waits out its
// backoff: the whole pod moves, not just that task.
TEST_F(SchedulerTest, ReplaceDuringARecoveryOfOneTaskMovesTheWholePod) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "pair.yml", R"(
name: pair
pods:
  pair:
    count: 1
    tasks:
      main:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
      side:
        goal: RUNNING
        essential: false
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
plans:
  deploy:
    strategy: serial
    phases:
      pair:
        strategy: serial
        pod: pair
        steps:
          - default: [[main], [side]]
)");
  SchedulerProcess s(spec, cluster_, data_dir(), "pair",
                     {"--backoff-initial", "60", "--kill-resend", "1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json main = s.task("pair-0", "pair-0-main");
  const json side = s.task("pair-0", "pair-0-side");
  ASSERT_EQ(::kill(-task_process_group(side["id"]), SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return s.step_status("recovery", "pair-0:[side]") == "DELAYED"; }))
      << s.get("/v1/plans/recovery").text << s.log();
  ASSERT_EQ(s.post("/v1/pod/pair-0/replace").status, 200);
  EXPECT_EQ(s.relaunched("pair-0", "pair-0-main", main["id"])["status"], "RUNNING") << s.log();
  EXPECT_EQ(s.relaunched("pair-0", "pair-0-side", side["id"])["status"], "RUNNING") << s.log();
}

// 4. SIGKILL the scheduler mid-deploy: the deployment resumes, running tasks keep their ids.
TEST_F(SchedulerTest, ARestartedSchedulerResumesTheDeployWithoutRelaunching) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "svc.yml", R"(
name: slow
pods:
  first:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
  second:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
        readiness-check:
          cmd: test -e $MESOS_SANDBOX/../../go
          interval: 0.2
          delay: 0
          timeout: 5
)");
  SchedulerProcess s(spec, cluster_, data_dir(), "slow", kFast);
  ASSERT_TRUE(eventually([&] { return s.step_status("deploy", "second-0:[server]") == "STARTED"; }))
      << s.get("/v1/plans/deploy").text << s.log();
  json first0 = s.task("first-0", "first-0-server");
  json second0 = s.task("second-0", "second-0-server");
  s.stop(SIGKILL);

  // Readiness will pass now; the restarted scheduler must adopt, not relaunch.
  const std::string sandbox_marker = "go";
  for (const auto& e : fs::recursive_directory_iterator(cluster_.data_dir())) {
    if (e.is_directory() && !e.is_symlink() &&
        e.path().filename() == second0["id"].get<std::string>()) {
      std::ofstream(e.path().parent_path().parent_path() / sandbox_marker) << "";
    }
  }
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy", 30)) << s.get("/v1/plans/deploy").text << s.log();
  EXPECT_EQ(s.task("first-0", "first-0-server")["id"], first0["id"]);
  EXPECT_EQ(s.task("second-0", "second-0-server")["id"], second0["id"]);
  json status = cluster_status(cluster_);
  EXPECT_EQ(status["tasks"].size(), 3u) << status["tasks"];
  // Adoption is for the restart only: a step the operator restarts relaunches its task.
  ASSERT_EQ(s.post("/v1/plans/deploy/restart?phase=first&step=first-0:[server]").status, 200);
  EXPECT_EQ(s.relaunched("first-0", "first-0-server", first0["id"])["status"], "RUNNING")
      << s.log();
}

// A restarted scheduler's deploy step that has not been dispatched yet (held here by its
// canary gate) still adopts its live task after the operator starts or restarts something
// else; only the step a command resets relaunches.
TEST_F(SchedulerTest, CommandsOnOtherStepsLeaveARestartedDeployAdoptingItsLiveTasks) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "svc.yml", R"(
name: gated
pods:
  node:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
        readiness-check:
          cmd: test -e $MESOS_SANDBOX/../../go
          interval: 0.2
          delay: 0
          timeout: 5
  tool:
    count: 1
    tasks:
      job:
        goal: FINISH
        cmd: "true"
        cpus: 0.1
        memory: 32
plans:
  deploy:
    phases:
      nodes:
        strategy: serial-canary
        pod: node
  other:
    phases:
      tools:
        strategy: serial
        pod: tool
)");
  SchedulerProcess s(spec, cluster_, data_dir(), "gated", kFast);
  ASSERT_TRUE(eventually([&] { return !s.get("/v1/plans/deploy").body.is_discarded(); }));
  ASSERT_EQ(s.post("/v1/plans/deploy/continue").status, 200) << s.log();
  ASSERT_TRUE(eventually([&] { return s.step_status("deploy", "node-0:[server]") == "STARTED"; }))
      << s.get("/v1/plans/deploy").text << s.log();
  const json node0 = s.task("node-0", "node-0-server");
  s.stop(SIGKILL);

  s.start();
  // The canary gate holds the step again; meanwhile the operator starts another plan and
  // restarts a step of the deploy that is not this one.
  ASSERT_TRUE(eventually([&] { return s.step_status("deploy", "node-0:[server]") == "PENDING"; }))
      << s.get("/v1/plans/deploy").text << s.log();
  ASSERT_EQ(s.post("/v1/plans/other/start").status, 200) << s.log();
  ASSERT_EQ(s.post("/v1/plans/deploy/restart?phase=nodes&step=node-1:[server]").status, 200);
  ASSERT_TRUE(s.plan_complete("other", 30)) << s.get("/v1/plans/other").text << s.log();
  for (const auto& e : fs::recursive_directory_iterator(cluster_.data_dir()))
    if (e.is_directory() && !e.is_symlink() &&
        e.path().filename() == node0["id"].get<std::string>())
      std::ofstream(e.path().parent_path().parent_path() / "go") << "";
  ASSERT_EQ(s.post("/v1/plans/deploy/continue").status, 200) << s.log();
  ASSERT_TRUE(eventually([&] {
    const std::string st = s.step_status("deploy", "node-0:[server]");
    return st == "STARTED" || st == "COMPLETE";
  })) << s.get("/v1/plans/deploy").text
      << s.log();
  // Adopted, not relaunched (a relaunch would not see the marker and never be ready).
  EXPECT_EQ(s.task("node-0", "node-0-server")["id"], node0["id"]) << s.log();
  ASSERT_TRUE(eventually([&] { return s.step_status("deploy", "node-0:[server]") == "COMPLETE"; }))
      << s.get("/v1/plans/deploy").text << s.log();
}

// 5. SIGKILL the cluster and restart it: tasks keep running, the scheduler reconciles.
TEST_F(SchedulerTest, AClusterRestartKeepsTasksAndTheSchedulerReconciles) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world",
                     {"--env", "WORLD_COUNT=1", "--backoff-initial", "0.5", "--reconcile-backoff",
                      "0.5", "--kill-resend", "1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  std::set<std::string> ids;
  for (const char* pod : {"hello-0", "hello-1", "world-0"}) {
    const json p = s.pod(pod);
    for (const json& t : p["tasks"])
      if (t["status"] == "RUNNING") ids.insert(t["id"]);
  }
  ASSERT_EQ(ids.size(), 3u);
  // The tasks are in the cluster's checkpoint: one launched in the tick before a crash is not
  // (docs/cluster.md), and the deploy can complete before that checkpoint is written.
  ASSERT_TRUE(eventually([&] {
    // In the snapshot or in an entry of its journal.
    const std::string saved = read(fs::path(cluster_.data_dir()) / "master" / "state.json") +
                              read(fs::path(cluster_.data_dir()) / "master" / "journal.jsonl");
    for (const std::string& id : ids)
      if (saved.find(id) == std::string::npos) return false;
    return true;
  })) << s.log();
  cluster_.stop(SIGKILL);
  // While the master is away, the failing subscription is said once, not once per retry.
  ASSERT_TRUE(eventually([&] {
    return s.log().find("cannot subscribe yet, retrying with backoff: cannot reach the master") !=
           std::string::npos;
  })) << s.log();
  cluster_.keep_port();
  cluster_.start();
  // The scheduler resubscribes (same framework) and hears of every task again.
  ASSERT_TRUE(eventually(
      [&] {
        json st = cluster_status(cluster_);
        for (const json& f : st["frameworks"])
          if (f["name"] == "hello-world") return f["connected"].get<bool>();
        return false;
      },
      30))
      << s.log();
  // Resubscribed and reconciled again before using any offer.
  ASSERT_TRUE(eventually(
      [&] {
        const std::string log = s.log();
        const std::string line = "reconciled: every task on record is accounted for";
        return log.find(line) != log.rfind(line);
      },
      30))
      << s.log();
  EXPECT_EQ(occurrences(s.log(), "cannot subscribe yet"), 1u) << s.log();
  std::set<std::string> after;
  ASSERT_TRUE(eventually([&] {
    after.clear();
    for (const char* pod : {"hello-0", "hello-1", "world-0"}) {
      const json p = s.pod(pod);
      for (const json& t : p["tasks"])
        if (t["status"] == "RUNNING") after.insert(t["id"]);
    }
    return after == ids;
  })) << s.log();
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200);
  EXPECT_EQ(s.get("/v1/plans/recovery").body["phases"].size(), 0u);
}

// 6. Two services refine slave_public reservations on the same agent without conflict.
TEST_F(SchedulerTest, TwoServicesShareThePublicAgent) {
  const std::string text = R"(
name: {{NAME}}
pods:
  web:
    count: 1
    pre-reserved-role: slave_public
    tasks:
      server:
        goal: RUNNING
        cmd: echo $PORT_HTTP > port && sleep 1000
        cpus: 0.2
        memory: 64
        ports:
          http:
            port: 0
            env-key: PORT_HTTP
            advertise: true
            vip:
              port: 80
        volume:
          path: data
          type: ROOT
          size: 32
)";
  const std::string spec = write_spec(cluster_.dir() / "spec", "web.yml", text);
  SchedulerProcess one(spec, cluster_, data_dir(), "web-one",
                       {"--env", "NAME=web-one", "--backoff-initial", "0.5"});
  SchedulerProcess two(spec, cluster_, data_dir(), "web-two",
                       {"--env", "NAME=web-two", "--backoff-initial", "0.5"});
  ASSERT_TRUE(one.plan_complete("deploy")) << one.log();
  ASSERT_TRUE(two.plan_complete("deploy")) << two.log();
  json a = one.task("web-0", "web-0-server");
  json b = two.task("web-0", "web-0-server");
  EXPECT_EQ(agent_name(cluster_, a["agent"]), "public");
  EXPECT_EQ(agent_name(cluster_, b["agent"]), "public");
  json reserved;
  const json st = cluster_status(cluster_);
  for (const json& agent : st["agents"])
    if (agent["name"] == "public") reserved = agent["reserved"];
  EXPECT_TRUE(reserved.contains("slave_public/web-one-role")) << reserved;
  EXPECT_TRUE(reserved.contains("slave_public/web-two-role")) << reserved;
  // Each got a port of the public agent's static range, through its env-key.
  for (const json& t : {a, b}) {
    std::string port;
    ASSERT_TRUE(eventually([&] { return !(port = task_file(cluster_, t["id"], "port")).empty(); }));
    EXPECT_GE(std::atoi(port.c_str()), 34000) << port;
    EXPECT_LE(std::atoi(port.c_str()), 34099) << port;
  }
  // The advertised port is an endpoint, with its address and VIP.
  EXPECT_EQ(one.get("/v1/endpoints").body, json({"http"}));
  json endpoint = one.get("/v1/endpoints/http").body;
  std::string port_one = task_file(cluster_, a["id"], "port");
  port_one.erase(port_one.find_last_not_of('\n') + 1);
  EXPECT_EQ(endpoint["address"], json({"host-p:" + port_one})) << endpoint;
  EXPECT_EQ(endpoint["vip"], "http.web-one.l4lb.thisdcos.directory:80") << endpoint;
  EXPECT_EQ(one.get("/v1/endpoints/nope").status, 404);
}

// 7. Uninstall leaves no task, reservation, volume or state behind.
TEST_F(SchedulerTest, UninstallLeavesNothingBehind) {
  {
    SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world", kFast);
    ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
    std::string out;
    // The running scheduler is stopped and the uninstall takes its place.
    int code = run_steward({"uninstall", "hello-world", "--master",
                            "http://127.0.0.1:" + std::to_string(cluster_.port()), "--data-dir",
                            data_dir(), "--api-listen", "127.0.0.1:0"},
                           out);
    ASSERT_EQ(code, 0) << out;
    EXPECT_NE(out.find("uninstalled"), std::string::npos) << out;
    EXPECT_EQ(s.wait_exit(), 0);
  }
  json st = cluster_status(cluster_);
  EXPECT_TRUE(st["tasks"].empty()) << st["tasks"];
  EXPECT_TRUE(st["frameworks"].empty()) << st["frameworks"];
  for (const json& a : st["agents"]) {
    EXPECT_TRUE(a["volumes"].empty()) << a;
    for (const auto& [role, r] : a["reserved"].items())
      EXPECT_EQ(role.find("hello-world"), std::string::npos) << a;
  }
  EXPECT_FALSE(fs::exists(fs::path(data_dir()) / "hello-world" / "state.db"));
  // A restarted uninstalled scheduler says so and does nothing else.
  std::string out;
  int code =
      run_steward({"run", kHelloWorld, "--master",
                   "http://127.0.0.1:" + std::to_string(cluster_.port()), "--data-dir", data_dir()},
                  out);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("was uninstalled"), std::string::npos) << out;
  EXPECT_TRUE(cluster_status(cluster_)["frameworks"].empty());
}

// A task whose stored record is damaged stops the start, with the task named and what is
// wrong; the record is left as it was. (A start reads only part of each record, so this checks
// that the part it skips is checked too: the record is cut at its very end, in the executor.)
TEST_F(SchedulerTest, ADamagedTaskRecordStopsTheStartAndNamesTheTask) {
  {
    SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world", kFast);
    ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
    EXPECT_EQ(s.stop(SIGTERM), 0);
  }
  const std::string db = (fs::path(data_dir()) / "hello-world" / "state.db").string();
  auto sql = [&](const std::string& statement) {
    sqlite3* handle = nullptr;
    std::string answer;
    EXPECT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    sqlite3_exec(
        handle, statement.c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) = values[0] ? values[0] : "";
          return 0;
        },
        &answer, nullptr);
    sqlite3_close(handle);
    return answer;
  };
  sql("UPDATE tasks SET info = substr(info, 1, length(info) - 1) WHERE name = 'hello-0-server'");
  const std::string length = sql("SELECT length(info) FROM tasks WHERE name = 'hello-0-server'");
  std::string out;
  const int code = run_steward(
      {"run", kHelloWorld, "--master", "http://127.0.0.1:" + std::to_string(cluster_.port()),
       "--data-dir", data_dir(), "--api-listen", "127.0.0.1:0"},
      out, 30);
  EXPECT_EQ(code, 1) << out;  // an error said, not an abort
  EXPECT_NE(out.find("error: state store "), std::string::npos) << out;
  EXPECT_NE(out.find("task hello-0-server is damaged: truncated"), std::string::npos) << out;
  EXPECT_EQ(sql("SELECT length(info) FROM tasks WHERE name = 'hello-0-server'"), length);
}

// Uninstall (`run --uninstall SPEC`) of a service whose tasks have all finished: nothing to
// kill, everything to release.
TEST_F(SchedulerTest, UninstallOfAFinishedServiceReleasesItsVolumes) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "job.yml",
                                      one_task_spec("job", 1, "FINISH", "echo done > out/result",
                                                    "        volume:\n"
                                                    "          path: out\n"
                                                    "          type: ROOT\n"
                                                    "          size: 32\n"));
  {
    SchedulerProcess s(spec, cluster_, data_dir(), "job", kFast);
    ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
    EXPECT_EQ(s.task("job-0", "job-0-server")["status"], "FINISHED");
  }
  ASSERT_EQ(volumes(cluster_, "job-role").size(), 1u);
  std::string out;
  ASSERT_EQ(
      run_steward({"run", "--uninstall", spec, "--master",
                   "http://127.0.0.1:" + std::to_string(cluster_.port()), "--data-dir", data_dir()},
                  out),
      0)
      << out;
  EXPECT_TRUE(volumes(cluster_, "job-role").empty());
}

// A pod replaced while its agent was down left its old footprint there: the uninstall waits
// for that agent and releases it too.
TEST_F(SchedulerTest, UninstallAlsoReleasesAReplacedPodsOldFootprint) {
  SchedulerProcess s(kHelloWorld, cluster_, data_dir(), "hello-world",
                     {"--env", "WORLD_COUNT=0", "--env", "HELLO_COUNT=1", "--backoff-initial",
                      "0.5", "--reconcile-backoff", "0.5", "--kill-resend", "1"});
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  json before = s.task("hello-0", "hello-0-server");
  const std::string old_agent = agent_name(cluster_, before["agent"]);
  ASSERT_EQ(http(cluster_.port(), "POST", "/cluster/v1/agents/" + old_agent + "/stop").status, 200);
  ASSERT_TRUE(
      eventually([&] { return s.task("hello-0", "hello-0-server")["status"] != "RUNNING"; }));
  ASSERT_EQ(s.post("/v1/pod/hello-0/replace").status, 200);
  ASSERT_EQ(s.relaunched("hello-0", "hello-0-server", before["id"])["status"], "RUNNING")
      << s.log();
  EXPECT_EQ(volumes(cluster_, "hello-world-role").size(), 2u);
  EXPECT_EQ(s.stop(SIGTERM), 0);

  // Uninstall while the old agent is still away; it comes back meanwhile.
  pid_t uninstall = fork();
  if (uninstall == 0) {
    FILE* f = freopen((cluster_.dir() / "uninstall.log").c_str(), "w", stdout);
    (void)f;
    dup2(1, 2);
    exec_steward({"uninstall", "hello-world", "--master",
                  "http://127.0.0.1:" + std::to_string(cluster_.port()), "--data-dir", data_dir()});
  }
  ASSERT_TRUE(eventually([&] {
    return read(cluster_.dir() / "uninstall.log").find("unreserve") != std::string::npos ||
           volumes(cluster_, "hello-world-role").size() == 1;
  }));
  ASSERT_EQ(http(cluster_.port(), "POST", "/cluster/v1/agents/" + old_agent + "/start").status,
            200);
  int status = 0;
  ASSERT_TRUE(eventually([&] { return waitpid(uninstall, &status, WNOHANG) == uninstall; }, 60))
      << read(cluster_.dir() / "uninstall.log");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << read(cluster_.dir() / "uninstall.log");
  EXPECT_TRUE(volumes(cluster_, "hello-world-role").empty()) << cluster_status(cluster_).dump(1);
  const json st = cluster_status(cluster_);
  for (const json& a : st["agents"])
    EXPECT_FALSE(a["reserved"].contains("hello-world-role")) << a;
}

// 8. hostname:UNIQUE with more pods than agents: the extra pod waits, and says why.
TEST_F(SchedulerTest, UniqueHostnameLeavesTheExtraPodWaitingWithTheReason) {
  const std::string spec =
      write_spec(cluster_.dir() / "spec", "unique.yml",
                 one_task_spec("unique", 4, "RUNNING", "sleep 1000", "",
                               "    placement: '[[\"hostname\", \"UNIQUE\"]]'\n"));
  SchedulerProcess s(spec, cluster_, data_dir(), "unique", {"--backoff-initial", "0.5"});
  // The public agent's resources are all slave_public's: three hosts for four pods.
  ASSERT_TRUE(eventually([&] {
    int running = 0;
    for (int i = 0; i < 4; ++i)
      if (s.task("unique-" + std::to_string(i),
                 "unique-" + std::to_string(i) + "-server")["status"] == "RUNNING")
        ++running;
    return running == 3;
  })) << s.log();
  json debug;
  ASSERT_TRUE(eventually([&] {
    debug = s.get("/v2/debug/offers?plan=deploy&step=unique-3:[server]").body;
    return debug.is_array() && !debug.empty();
  })) << s.log();
  const std::string text = debug.dump();
  EXPECT_NE(text.find("hostname:UNIQUE"), std::string::npos) << debug.dump(1);
  EXPECT_NE(text.find("already"), std::string::npos) << debug.dump(1);
  EXPECT_EQ(s.step_status("deploy", "unique-3:[server]"), "PREPARED")
      << s.log() << s.get("/v2/debug/offers?step=unique-3:[server]").body.dump(1)
      << cluster_status(cluster_).dump(1);
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 202);
}

// 9. A task that always fails backs off (DELAYED) instead of spinning.
TEST_F(SchedulerTest, AnAlwaysFailingTaskBacksOff) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "crash.yml",
                                      one_task_spec("crash", 1, "RUNNING", "exit 1"));
  SchedulerProcess s(spec, cluster_, data_dir(), "crash",
                     {"--backoff-initial", "1", "--backoff-factor", "2", "--backoff-max", "60"});
  // The task dies right after TASK_RUNNING, so recovery relaunches it, with delays of 1, 2,
  // 4 s: once the third delay is announced, three launches happened (a fourth at most races).
  ASSERT_TRUE(eventually([&] { return occurrences(s.log(), "next launch in") >= 3; }, 30))
      << s.log();
  const std::string log = s.log();
  const std::size_t launches = occurrences(log, "crash-0:[server]: launched");
  EXPECT_GE(launches, 3u);
  EXPECT_LE(launches, 4u) << log;
  // While a delay runs, the step that will relaunch it says DELAYED.
  EXPECT_TRUE(eventually([&] {
    return s.get("/v1/plans/recovery").text.find("\"DELAYED\"") != std::string::npos;
  })) << s.get("/v1/plans/recovery").text;
  // Completed recoveries of the pod give way: the plan does not grow with every crash.
  EXPECT_LE(s.get("/v1/plans/recovery").body["phases"].size(), 1u);
}

// A task killed for failing its health check is relaunched like any failed one, with backoff.
TEST_F(SchedulerTest, AnUnhealthyTaskIsRelaunchedWithBackoff) {
  const std::string spec = write_spec(cluster_.dir() / "spec", "sick.yml",
                                      one_task_spec("sick", 1, "RUNNING", "sleep 1000",
                                                    "        health-check:\n"
                                                    "          cmd: exit 1\n"
                                                    "          interval: 1\n"
                                                    "          grace-period: 0\n"
                                                    "          max-consecutive-failures: 1\n"
                                                    "          delay: 0\n"
                                                    "          timeout: 5\n"));
  SchedulerProcess s(spec, cluster_, data_dir(), "sick",
                     {"--backoff-initial", "1", "--backoff-factor", "2", "--kill-resend", "1"});
  // Killed, relaunched after a delay, killed again, a longer delay: without the backoff no
  // delay would be announced at all.
  ASSERT_TRUE(eventually([&] { return occurrences(s.log(), "next launch in") >= 2; }, 40))
      << s.log();
}

// Eight one-task pods that all fit one agent (host-a), deployed in parallel.
std::string eight_pods_on_host_a() {
  return one_task_spec("many", 8, "RUNNING", "sleep 1000", "",
                       "    placement: hostname:LIKE:host-a\n") +
         "plans:\n  deploy:\n    phases:\n      many:\n"
         "        strategy: parallel\n        pod: many\n";
}

// Which offers the deploy plan's steps launched from, per the debug evaluations.
struct OfferLaunches {
  json records;
  std::map<std::string, int> by_offer;  // offer id -> pods launched from it
  int total = 0;
  int most = 0;  // from one offer
};

OfferLaunches offer_launches(SchedulerProcess& s) {
  OfferLaunches out;
  out.records = s.get("/v2/debug/offers?plan=deploy").body;
  for (const json& r : out.records)
    for (const json& offer : r["outcome"].value("children", json::array()))
      if (offer["pass"] == true) {
        const std::string stage = offer["stage"];  // "offer <id> on agent ..."
        ++out.by_offer[stage.substr(6, stage.find(' ', 6) - 6)];
      }
  for (const auto& [id, n] : out.by_offer) {
    out.total += n;
    out.most = std::max(out.most, n);
  }
  return out;
}

// Several pods launch from one offer (one ACCEPT with all their operations), not one pod per
// agent per allocation: the debug evaluations show which offer each step launched on.
TEST_F(SchedulerTest, SeveralPodsLaunchFromOneOffer) {
  SchedulerProcess s(write_spec(cluster_.dir() / "spec", "svc.yml", eight_pods_on_host_a()),
                     cluster_, data_dir(), "many", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const OfferLaunches l = offer_launches(s);
  EXPECT_EQ(l.total, 8) << l.records.dump(1);
  EXPECT_GT(l.most, 1) << l.records.dump(1);
}

// --launches-per-pass bounds what one pass launches: the pods that fit one agent go out from
// successive offers of it, never more than the bound from one, and all of them deploy.
TEST_F(SchedulerTest, LaunchesPerPassBoundsWhatOnePassLaunches) {
  std::vector<std::string> flags = kFast;
  flags.insert(flags.end(), {"--launches-per-pass", "3"});
  SchedulerProcess s(write_spec(cluster_.dir() / "spec", "svc.yml", eight_pods_on_host_a()),
                     cluster_, data_dir(), "many", flags);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const OfferLaunches l = offer_launches(s);
  EXPECT_EQ(l.total, 8) << l.records.dump(1);
  EXPECT_LE(l.most, 3) << l.records.dump(1);
  EXPECT_GE(l.by_offer.size(), 3u) << l.records.dump(1);
}

// GET /v1/pod/status lists the pod types by name and each type's instances by index (b-2
// before b-10), with each instance's tasks as GET /v1/pod/NAME/status shows them; a name that
// is not "<type>-<index>" of an instance is unknown. Both texts, and the plan's, are written
// without a JSON tree: they are the text such a tree would dump. The whole statuses shown
// are the stored ones.
TEST(PodStatus, ListsTypesByNameAndInstancesByIndex) {
  ClusterProcess cluster(R"(
heartbeat_interval_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: sim
    count: 2
    simulated: true
    resources: {cpus: 64, mem: 65536, disk: 100000, ports: 31000-32999}
)");
  const std::string task =
      "        goal: RUNNING\n        cmd: sleep 1000\n"
      "        cpus: 0.01\n        memory: 8\n";
  const std::string spec = "name: many\npods:\n  b:\n    count: 11\n    tasks:\n      server:\n" +
                           task + "  a:\n    count: 1\n    tasks:\n      two:\n" + task +
                           "      one:\n" + task +
                           "plans:\n  deploy:\n    strategy: parallel\n    phases:\n"
                           "      b:\n        strategy: parallel\n        pod: b\n"
                           "      a:\n        pod: a\n";
  SchedulerProcess s(write_spec(cluster.dir() / "spec", "svc.yml", spec), cluster,
                     (cluster.dir() / "services").string(), "many", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const HttpAnswer all = s.get("/v1/pod/status");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.text, all.body.dump(2));
  EXPECT_EQ(all.body["service"], "many");
  ASSERT_EQ(all.body["pods"].size(), 2u) << all.text;
  EXPECT_EQ(all.body["pods"][0]["name"], "a");
  EXPECT_EQ(all.body["pods"][1]["name"], "b");
  std::vector<std::string> instances;
  for (const json& type : all.body["pods"])
    for (const json& instance : type["instances"]) {
      instances.push_back(instance["name"]);
      const HttpAnswer one = s.get("/v1/pod/" + instance["name"].get<std::string>() + "/status");
      ASSERT_EQ(one.status, 200) << instance;
      EXPECT_EQ(one.text, one.body.dump(2));
      EXPECT_EQ(one.body["name"], instance["name"]);
      EXPECT_EQ(one.body["tasks"], instance["tasks"]);
      for (const json& t : instance["tasks"]) {
        EXPECT_EQ(t["status"], "RUNNING") << t;
        EXPECT_FALSE(t["agent"].get<std::string>().empty()) << t;
      }
    }
  std::vector<std::string> expected{"a-0"};
  for (int i = 0; i <= 10; ++i)
    expected.push_back("b-" + std::to_string(i));
  EXPECT_EQ(instances, expected);
  std::vector<std::string> a_tasks;
  for (const json& t : all.body["pods"][0]["instances"][0]["tasks"])
    a_tasks.push_back(t["name"]);
  EXPECT_EQ(a_tasks, (std::vector<std::string>{"a-0-one", "a-0-two"}));
  for (const char* unknown : {"b-01", "b-", "b-11", "b-x", "c-0", "-0", "b--1", "b-+1", "a"})
    EXPECT_EQ(s.get("/v1/pod/" + std::string(unknown) + "/status").status, 404) << unknown;
  // The whole statuses, which the scheduler reads from its store: one per task, each for the
  // task's current id.
  std::map<std::string, std::string> ids;  // task name -> its id, as the pods' status says
  for (const json& type : all.body["pods"])
    for (const json& instance : type["instances"])
      for (const json& t : instance["tasks"])
        ids[t["name"]] = t["id"];
  const HttpAnswer statuses = s.get("/v1/debug/taskStatuses");
  ASSERT_EQ(statuses.body.size(), 13u) << statuses.text;
  for (const auto& [name, status] : statuses.body.items()) {
    EXPECT_EQ(status["state"], "TASK_RUNNING") << name;
    EXPECT_EQ(status["task_id"]["value"], ids[name]) << name;
    EXPECT_FALSE(status["agent_id"]["value"].get<std::string>().empty()) << status;
  }
  const HttpAnswer info = s.get("/v1/pod/b-10/info");
  ASSERT_EQ(info.status, 200) << info.text;
  ASSERT_EQ(info.body.size(), 1u) << info.text;
  EXPECT_EQ(info.body[0]["status"]["task_id"], info.body[0]["info"]["task_id"]) << info.text;
  EXPECT_EQ(info.body[0]["status"], statuses.body["b-10-server"]);
  const HttpAnswer plan = s.get("/v1/plans/deploy");
  EXPECT_EQ(plan.text, plan.body.dump(2));
  EXPECT_EQ(plan.body["phases"][0]["steps"].size(), 11u);
  EXPECT_EQ(plan.body["phases"][1]["steps"][0]["status"], "COMPLETE");
  EXPECT_TRUE(plan.body["phases"][1]["steps"][0]["completed"].is_string()) << plan.text;
}

// N pods of one task deployed in parallel: `cpus` each, `placement` a spec line or empty.
std::string parallel_pods(const std::string& name, int count, const std::string& cpus,
                          const std::string& placement = "") {
  return "name: " + name + "\npods:\n  " + name + ":\n    count: " + std::to_string(count) + "\n" +
         placement + "    tasks:\n      server:\n        goal: RUNNING\n" +
         "        cmd: sleep 1000\n        cpus: " + cpus + "\n        memory: 32\n" +
         "plans:\n  deploy:\n    phases:\n      " + name + ":\n" +
         "        strategy: parallel\n        pod: " + name + "\n";
}

// The scheduler queues at most 256 offers (and reads no more than that of one event in full:
// MesosSessionOffers): of 300 agents' offers, one pod fitting each, those past the queue's
// room are declined, come back once their short filter ends and take the last pods.
TEST(OfferQueue, OffersPastTheQueuesRoomAreDeclinedUnreadAndComeBack) {
  ClusterProcess cluster(R"(
heartbeat_interval_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: sim
    count: 300
    simulated: true
    resources: {cpus: 1, mem: 4096, disk: 10000, ports: 31000-31099}
)");
  SchedulerProcess s(
      write_spec(cluster.dir() / "spec", "svc.yml", parallel_pods("wide", 300, "0.6")), cluster,
      (cluster.dir() / "services").string(), "wide", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  std::set<std::string> agents;
  const HttpAnswer pods = s.get("/v1/pod/status");
  for (const json& instance : pods.body["pods"][0]["instances"])
    agents.insert(instance["tasks"][0]["agent"].get<std::string>());
  EXPECT_EQ(agents.size(), 300u);
  const std::string metrics = s.get("/v1/metrics/prometheus").text;
  EXPECT_NE(metrics.find("steward_offers_declined_total{duration=\"short\"} "), std::string::npos);
  EXPECT_EQ(metrics.find("steward_offers_declined_total{duration=\"short\"} 0\n"),
            std::string::npos)
      << metrics;
}

// A master that stops answering (SIGSTOP) while the scheduler's loop waits on a call of its
// own: a SIGTERM ends the scheduler at once, cleanly, instead of after the call's 30 s read
// timeout (the API waits on the loop, and the API stops first).
TEST_F(SchedulerTest, AStopDoesNotWaitForAMasterThatDoesNotAnswer) {
  SchedulerProcess s(write_spec(cluster_.dir() / "spec", "one.yml", parallel_pods("one", 1, "0.1")),
                     cluster_, data_dir(), "one");
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  ::kill(cluster_.pid(), SIGSTOP);
  // A pod restart has the loop call KILL, which gets no answer.
  std::thread restart([&] { s.post("/v1/pod/one-0/restart"); });
  const bool held = eventually([&] {  // requests to the loop are answered no more
    steward::HttpConnection c("127.0.0.1", s.port());
    c.read_timeout = std::chrono::milliseconds(300);
    return c.get("/v1/plans/deploy").status == 0;
  });
  ::kill(s.pid(), SIGTERM);
  const int code = s.wait_exit(10);
  ::kill(cluster_.pid(), SIGCONT);
  restart.join();
  ASSERT_TRUE(held) << s.log();
  EXPECT_EQ(code, 0) << s.log();
  EXPECT_EQ(s.log().find("KILL failed"), std::string::npos) << s.log();
}

// New pods of one type that no offer fits: within a pass, the first is evaluated against the
// offers and the others are not evaluated again (each would cost every offer once more), and
// their evaluations say which step found that nothing fits.
TEST_F(SchedulerTest, NewPodsThatNoOfferFitsAreEvaluatedOncePerPass) {
  const std::string spec =
      write_spec(cluster_.dir() / "spec", "huge.yml", parallel_pods("huge", 3, "64"));
  SchedulerProcess s(spec, cluster_, data_dir(), "huge", kFast);
  // The latest evaluation of each step, once all three have one.
  std::map<std::string, json> latest;
  ASSERT_TRUE(eventually([&] {
    latest.clear();
    const json records = s.get("/v2/debug/offers?plan=deploy").body;
    if (!records.is_array()) return false;
    for (const json& r : records) {
      const std::string step = r.value("step", "");
      if (!latest.count(step) || r.value("time_ms", 0) >= latest[step].value("time_ms", 0))
        latest[step] = r;
    }
    return latest.size() == 3;
  })) << s.log()
      << s.get("/v2/debug/offers?plan=deploy").text;
  const json& first = latest["huge-0:[server]"]["outcome"];
  EXPECT_EQ(first["reason"], "no offer fits") << first.dump(1);
  EXPECT_FALSE(first.value("children", json::array()).empty()) << first.dump(1);
  for (const char* other : {"huge-1:[server]", "huge-2:[server]"}) {
    const json& o = latest[other]["outcome"];
    EXPECT_EQ(o["pass"], false) << o.dump(1);
    EXPECT_NE(o.value("reason", "")
                  .find("fitted no other new huge pod either (none fitted huge-0:[server]"),
              std::string::npos)
        << o.dump(1);
    EXPECT_TRUE(o.value("children", json::array()).empty()) << o.dump(1);
  }
  EXPECT_EQ(s.step_status("deploy", "huge-1:[server]"), "PREPARED");
}

// Offers that fitted no new pod of a type earlier in a pass are not evaluated again for the
// type's next new pods in that pass: with room for one 1.5-cpu pod on each of three agents,
// the third pod skips the offer the second found full, and the fourth skips both offers
// found full before it and evaluates only the one the third took.
TEST_F(SchedulerTest, OffersThatFittedNoEarlierNewPodAreSkippedForTheNext) {
  const std::string spec =
      write_spec(cluster_.dir() / "spec", "wide.yml", parallel_pods("wide", 4, "1.5"));
  SchedulerProcess s(spec, cluster_, data_dir(), "wide", kFast);
  // "N offers" children: how many offers a step's evaluation skipped, over its records.
  auto skipped = [&](const std::string& step) {
    std::set<std::string> seen;
    const json records = s.get("/v2/debug/offers?plan=deploy&step=" + step).body;
    if (records.is_array())
      for (const json& r : records)
        for (const json& c : r["outcome"].value("children", json::array()))
          if (c.value("reason", "").find("not evaluated again") != std::string::npos)
            seen.insert(c.value("stage", ""));
    return seen;
  };
  ASSERT_TRUE(eventually([&] { return !skipped("wide-3:[server]").empty(); }))
      << s.log() << s.get("/v2/debug/offers?plan=deploy").text;
  EXPECT_EQ(skipped("wide-3:[server]"), std::set<std::string>{"2 offers"})
      << s.get("/v2/debug/offers?plan=deploy").text;
  EXPECT_EQ(skipped("wide-2:[server]"), std::set<std::string>{"1 offers"})
      << s.get("/v2/debug/offers?plan=deploy").text;
  EXPECT_TRUE(eventually([&] { return s.step_status("deploy", "wide-2:[server]") == "COMPLETE"; }))
      << s.log();
  EXPECT_EQ(s.step_status("deploy", "wide-3:[server]"), "PREPARED");
}

// With a placement rule, an offer found unfit is evaluated again after the next launch: a
// GROUP_BY rule that refused an agent may accept it once the other zones caught up. Four pods
// spread over three zones: the fourth goes where the first went, onto the offer the second
// and third found unfit, rather than past it.
TEST_F(SchedulerTest, PlacementRefusalsAreForgottenAtEachLaunch) {
  const std::string spec = write_spec(
      cluster_.dir() / "spec", "spread.yml",
      parallel_pods("spread", 4, "0.5", "    placement: '[[\"@zone\", \"GROUP_BY\", 3]]'\n"));
  SchedulerProcess s(spec, cluster_, data_dir(), "spread", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const std::string first = s.task("spread-0", "spread-0-server")["agent"];
  std::set<std::string> others;
  for (int i = 1; i < 3; ++i)
    others.insert(
        s.task("spread-" + std::to_string(i), "spread-" + std::to_string(i) + "-server")["agent"]);
  EXPECT_EQ(others.size(), 2u);
  EXPECT_EQ(others.count(first), 0u);
  EXPECT_EQ(s.task("spread-3", "spread-3-server")["agent"], first)
      << s.get("/v2/debug/offers?plan=deploy").text;
}

// A flag `run` cannot use is reported before anything starts: no local cluster for it.
TEST(StewardRun, ABadApiAddressIsRefusedBeforeAClusterStarts) {
  cluster::testing::TempDir dir;
  std::string out;
  EXPECT_EQ(run_steward({"run", std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml",
                         "--api-listen", "garbage", "--cluster-dir", (dir.path() / "c").string(),
                         "--data-dir", (dir.path() / "s").string()},
                        out),
            2);
  EXPECT_NE(out.find("--api-listen must look like 127.0.0.1:8080"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir.path() / "c" / "cluster.json"));
}

}  // namespace
}  // namespace steward::scheduler::testing
