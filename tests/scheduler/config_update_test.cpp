// Configuration updates end to end (issue 7): `steward update` against a real `steward run`
// scheduler on the real cluster, with real task processes and volumes.

#include <gtest/gtest.h>

#include <set>

#include "scheduler_process.hpp"
#include "spec/spec_loader.hpp"
#include "spec/spec_summary.hpp"
#include "state/sqlite_state_store.hpp"
#include "store_fault.hpp"

namespace steward::scheduler::testing {
namespace {

// A service of `count` pods, each one RUNNING server on a volume that logs every start, ready
// a moment after it starts (so readiness gating is visible); `extra` goes into the pod.
std::string app_spec(const std::string& cpus, int count, const std::string& pod_extra = "",
                     const std::string& volume_mb = "64", const std::string& env = "v1") {
  return "name: app\n"
         "pods:\n"
         "  app:\n"
         "    count: " +
         std::to_string(count) + "\n" + pod_extra +
         "    tasks:\n"
         "      server:\n"
         "        goal: RUNNING\n"
         "        cmd: echo \"$TASK_NAME $VERSION\" >> data/log && sleep 1 && touch ready && "
         "sleep 1000\n"
         "        cpus: " +
         cpus +
         "\n"
         "        memory: 32\n"
         "        env:\n"
         "          VERSION: " +
         env +
         "\n"
         "        volume:\n"
         "          path: data\n"
         "          type: ROOT\n"
         "          size: " +
         volume_mb +
         "\n"
         "        readiness-check:\n"
         "          cmd: test -f ready\n"
         "          interval: 1\n"
         "          delay: 0\n"
         "          timeout: 5\n";
}

class ConfigUpdateTest : public ::testing::Test {
 protected:
  ConfigUpdateTest() : cluster_(kTwoAgents) {}
  std::string data_dir() const { return (cluster_.dir() / "services").string(); }
  std::string spec_file(const std::string& name, const std::string& text) const {
    return write_spec(cluster_.dir() / "specs", name, text);
  }
  // `steward update app --spec FILE ARGS...`; its exit code, output in `out`.
  int update(const std::string& file, std::string& out, std::vector<std::string> args = {}) const {
    std::vector<std::string> all = {"update", "app", "--spec", file, "--data-dir", data_dir()};
    all.insert(all.end(), args.begin(), args.end());
    return run_steward(all, out);
  }
  std::map<std::string, json> ids(const SchedulerProcess& s, int count) const {
    std::map<std::string, json> out;
    for (int i = 0; i < count; ++i) {
      const std::string pod = "app-" + std::to_string(i);
      out[pod] = s.task(pod, pod + "-server")["id"];
    }
    return out;
  }
  // The cpus one task holds, from its stored TaskInfo.
  double task_cpus(const SchedulerProcess& s, const std::string& pod) const {
    double total = 0;
    const json info = s.get("/v1/pod/" + pod + "/info").body;
    for (const json& entry : info)
      for (const json& r : entry["info"].value("resources", json::array()))
        if (r["name"] == "cpus") total += r["scalar"]["value"].get<double>();
    return total;
  }
  // What the service's role holds on every agent, by resource name.
  double reserved(const std::string& name) const {
    double total = 0;
    const json status = cluster_status(cluster_);
    for (const json& a : status["agents"])
      if (a["reserved"].contains("app-role"))
        total += a["reserved"]["app-role"][name].get<double>();
    return total;
  }
  ClusterProcess cluster_;
};

const std::set<std::string> kActive = {"PREPARED", "STARTING", "STARTED", "DELAYED"};

TEST_F(ConfigUpdateTest, ACpuChangeRestartsPodsOneAtATimeGatedByReadiness) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 3)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto before = ids(s, 3);
  const double executor_cpus = reserved("cpus") - 0.3;

  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.2", 3)), out), 0) << out;
  EXPECT_NE(out.find("update accepted"), std::string::npos) << out;
  EXPECT_NE(out.find("Pods restarted in place: app-0, app-1, app-2"), std::string::npos) << out;

  // Watch the rollout: never two pods at once, in order, each waiting for its readiness
  // (STARTED: running, not ready yet) before the next one starts.
  std::set<std::string> seen_started;
  bool complete = eventually(
      [&] {
        json plan = s.get("/v1/plans/deploy").body;
        if (!plan.is_object()) return false;
        int active = 0;
        bool earlier_incomplete = false;
        for (const json& phase : plan["phases"])
          for (const json& step : phase["steps"]) {
            const std::string status = step["status"];
            if (kActive.count(status)) {
              ++active;
              EXPECT_FALSE(earlier_incomplete) << plan.dump(2);
            }
            if (status == "STARTED") seen_started.insert(step["name"]);
            if (status != "COMPLETE") earlier_incomplete = true;
          }
        EXPECT_LE(active, 1) << plan.dump(2);
        return plan["status"] == "COMPLETE";
      },
      60);
  ASSERT_TRUE(complete) << s.log();
  EXPECT_EQ(seen_started.size(), 3u);
  for (const auto& [pod, id] : before) {
    const json now = s.task(pod, pod + "-server");
    EXPECT_NE(now["id"], id) << pod;
    EXPECT_EQ(now["status"], "RUNNING");
    EXPECT_DOUBLE_EQ(task_cpus(s, pod), 0.2) << pod;
    // In place: the volume kept what the first run wrote.
    std::string log;
    ASSERT_EQ(run_steward({"pod", "exec", pod, "server", "--service", "app", "--data-dir",
                           data_dir(), "--", "cat data/log"},
                          log),
              0)
        << log;
    EXPECT_EQ(log, pod + "-server v1\n" + pod + "-server v1\n") << pod;
  }
  // The reservations grew in place by the difference; nothing else was reserved.
  EXPECT_NEAR(reserved("cpus"), executor_cpus + 0.6, 1e-9);
  EXPECT_EQ(volumes(cluster_, "app-role").size(), 3u);
  EXPECT_EQ(s.get("/v1/configurations").body["ids"].size(), 1u);  // the old one is deleted
}

TEST_F(ConfigUpdateTest, ScaleOutLeavesTheExistingPodsUntouched) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 2)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto before = ids(s, 2);
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.1", 4)), out), 0) << out;
  EXPECT_NE(out.find("Pods restarted in place: none"), std::string::npos) << out;
  EXPECT_NE(out.find("Pods deployed: app-2, app-3"), std::string::npos) << out;
  ASSERT_TRUE(eventually([&] {
    return s.task("app-3", "app-3-server")["status"] == "RUNNING" &&
           s.get("/v1/plans/deploy").status == 200;
  })) << s.log();
  EXPECT_EQ(ids(s, 2), before);
  EXPECT_EQ(s.task("app-2", "app-2-server")["status"], "RUNNING");
  EXPECT_EQ(volumes(cluster_, "app-role").size(), 4u);
}

TEST_F(ConfigUpdateTest, AVolumeChangeIsRefusedAndNothingRestarts) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 2)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto before = ids(s, 2);
  const json target = s.get("/v1/configurations/targetId").body;
  const std::string message =
      "pods.app.tasks.server.volumes: volumes cannot change (data ROOT 64 MB -> data ROOT 128 MB)";

  std::string out;
  EXPECT_EQ(update(spec_file("v2.yml", app_spec("0.2", 2, "", "128")), out), 1) << out;
  EXPECT_NE(out.find("update refused; the running configuration stays"), std::string::npos) << out;
  EXPECT_NE(out.find("  " + message + "\n"), std::string::npos) << out;

  // The errors are in the deploy plan and in /v1/configurations; the target is the old one.
  const HttpAnswer plan = s.get("/v1/plans/deploy");
  EXPECT_EQ(plan.status, 417);
  EXPECT_EQ(plan.body["errors"], json::array({message}));
  const json configs = s.get("/v1/configurations").body;
  EXPECT_EQ(configs["target"], target);
  EXPECT_EQ(configs["last_update"]["result"], "refused");
  EXPECT_EQ(configs["last_update"]["errors"], json::array({message}));
  EXPECT_EQ(ids(s, 2), before);
  EXPECT_EQ(s.get("/v1/health").status, 500);
  // A restart keeps them.
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(eventually([&] { return s.get("/v1/plans/deploy").status == 417; })) << s.log();
  EXPECT_EQ(s.get("/v1/plans/deploy").body["errors"], json::array({message}));

  // Lowering the count without allow-decommission is refused the same way.
  EXPECT_EQ(update(spec_file("v3.yml", app_spec("0.1", 1)), out), 1) << out;
  EXPECT_NE(out.find("pods.app.count: lowering the count (2 -> 1) needs allow-decommission: true "
                     "in the pod"),
            std::string::npos)
      << out;

  // Submitting the running spec again clears the errors.
  EXPECT_EQ(update(spec_file("v1.yml", app_spec("0.1", 2)), out), 0) << out;
  EXPECT_NE(out.find("nothing to change"), std::string::npos) << out;
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200);
  EXPECT_EQ(ids(s, 2), before);
  for (const auto& [pod, id] : before)
    EXPECT_EQ(s.task(pod, pod + "-server")["status"], "RUNNING");
}

// An update whose writes the store refuses partway (here SQLite itself refuses the last of
// them, the outcome's record, by a trigger put into the scheduler's store) changes nothing:
// not the target on disk, not the one running, no task. Written one by one, the target was
// on disk and in use with the sweep and the plans not done, and a restart rolled it out.
TEST_F(ConfigUpdateTest, AnUpdateTheStoreRefusesPartwayChangesNothing) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 1)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto before = ids(s, 1);
  const json target = s.get("/v1/configurations/targetId").body;
  const std::string db = data_dir() + "/app/state.db";
  refuse_properties(db, "refuse_outcome", "last-update", "injected: no room");

  const auto failures = [&] { return store_failures(s.get("/v1/metrics/prometheus").text); };
  const int failed_before = failures();
  std::string out;
  EXPECT_NE(update(spec_file("v2.yml", app_spec("0.2", 1)), out), 0) << out;
  EXPECT_NE(out.find("injected: no room"), std::string::npos) << out;
  EXPECT_EQ(s.get("/v1/configurations/targetId").body, target);
  EXPECT_EQ(s.get("/v1/configurations").body["ids"].size(), 1u) << "no configuration stored";
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200);
  EXPECT_EQ(ids(s, 1), before);
  // Counted and logged with the store's failures.
  EXPECT_EQ(failures(), failed_before + 1);
  EXPECT_EQ(occurrences(s.log(), "update not done: cannot write the state store: "), 1u) << s.log();
  // An update refused for its content is refused on record or not at all: its errors do not
  // show (a restart, reading the record, would not have them).
  EXPECT_NE(update(spec_file("v2-volume.yml", app_spec("0.1", 1, "", "128")), out), 0) << out;
  EXPECT_NE(out.find("injected: no room"), std::string::npos) << out;
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200) << s.get("/v1/plans/deploy").text;
  EXPECT_EQ(failures(), failed_before + 2);
  EXPECT_EQ(occurrences(s.log(), "update not done: cannot write the state store: "), 2u) << s.log();
  // On disk too: a restart runs the old target and restarts nothing.
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_EQ(s.get("/v1/configurations/targetId").body, target);
  EXPECT_EQ(ids(s, 1), before);

  // Once the store takes it, the same update goes through.
  drop_refusal(db, "refuse_outcome");
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.2", 1)), out), 0) << out;
  EXPECT_NE(s.get("/v1/configurations/targetId").body, target);
  ASSERT_TRUE(eventually([&] {
    return ids(s, 1) != before && s.task("app-0", "app-0-server")["status"] == "RUNNING" &&
           s.get("/v1/plans/deploy").status == 200;
  })) << s.log();
}

TEST_F(ConfigUpdateTest, DecommissionReleasesTheReservationsAndVolumesOfRemovedPods) {
  const std::string allow = "    allow-decommission: true\n";
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 3, allow)), cluster_, data_dir(), "app",
                     kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json app0 = s.task("app-0", "app-0-server")["id"];
  ASSERT_EQ(volumes(cluster_, "app-role").size(), 3u);

  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.1", 1, allow)), out), 0) << out;
  EXPECT_NE(out.find("Pods decommissioned: app-2, app-1"), std::string::npos) << out;
  ASSERT_TRUE(s.plan_complete("decommission")) << s.log();
  const json plan = s.get("/v1/plans/decommission").body;
  ASSERT_EQ(plan["phases"].size(), 2u);
  EXPECT_EQ(plan["phases"][0]["name"], "app-2");  // highest index first
  EXPECT_EQ(plan["phases"][0]["steps"][0]["name"], "kill-app-2");
  EXPECT_EQ(plan["phases"][0]["steps"][1]["name"], "unreserve-app-2");
  EXPECT_EQ(plan["phases"][0]["steps"][2]["name"], "erase-app-2");

  EXPECT_EQ(s.get("/v1/pod").body, json::array({"app-0"}));
  EXPECT_EQ(s.task("app-0", "app-0-server")["id"], app0);
  ASSERT_TRUE(eventually([&] { return volumes(cluster_, "app-role").size() == 1u; }))
      << cluster_status(cluster_).dump(2);
  // What is left reserved is app-0's footprint: its task and its executor.
  const json info = s.get("/v1/pod/app-0/info").body;
  double held = 0;
  for (const json& r : info[0]["info"]["resources"])
    if (r["name"] == "cpus") held += r["scalar"]["value"].get<double>();
  for (const json& r : info[0]["info"]["executor"]["resources"])
    if (r["name"] == "cpus") held += r["scalar"]["value"].get<double>();
  EXPECT_TRUE(eventually([&] { return std::abs(reserved("cpus") - held) < 1e-9; }))
      << cluster_status(cluster_).dump(2);
  EXPECT_EQ(cluster_status(cluster_)["tasks"].size(), 1u);
}

TEST_F(ConfigUpdateTest, RaisingTheCountAgainCancelsADecommission) {
  const std::string allow = "    allow-decommission: true\n";
  // The server ignores SIGTERM (as does everything it starts) and has 3 s of grace, so the
  // decommission cannot get past its kill step before the test holds it: with the cluster
  // acting on events, a kill, its offers and the unreserve took a few milliseconds.
  auto spec = [&](int count) {
    std::string text = app_spec("0.1", count, allow);
    const std::string cmd = "        cmd: ";
    const auto at = text.find(cmd);
    const auto end = text.find('\n', at);
    text.replace(at, end - at,
                 cmd +
                     "trap '' TERM; echo \"$TASK_NAME $VERSION\" >> data/log && touch ready && "
                     "while true; do sleep 0.2; done\n        kill-grace-period: 3");
    return text;
  };
  SchedulerProcess s(spec_file("v1.yml", spec(2)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto volumes_before = volumes(cluster_, "app-role");
  const json app1 = s.task("app-1", "app-1-server")["id"];
  // The decommission is held once its kill has gone out, while the kill waits out the grace,
  // so the count comes back before it released anything.
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", spec(1)), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    const json plan = s.get("/v1/plans/decommission").body;
    if (!plan.contains("phases") || plan["phases"].empty()) return false;
    // PREPARED: its KILL went out; it stays so until the task is gone.
    return plan["phases"][0]["steps"][0]["status"] != "PENDING";
  })) << s.get("/v1/plans/decommission").text;
  ASSERT_EQ(s.post("/v1/plans/decommission/interrupt").status, 200);
  ASSERT_EQ(update(spec_file("v1.yml", spec(2)), out), 0) << out;
  EXPECT_EQ(s.get("/v1/plans/decommission").status, 404);
  // The kill that had begun ends the old app-1 after its grace; the pod comes back in place.
  ASSERT_TRUE(eventually(
      [&] {
        const json t = s.task("app-1", "app-1-server");
        return s.get("/v1/plans/deploy").status == 200 && t["status"] == "RUNNING" &&
               t["id"] != app1;
      },
      60))
      << s.log();
  // app-1 runs on its own volume still.
  EXPECT_EQ(volumes(cluster_, "app-role"), volumes_before) << s.log();
}

TEST_F(ConfigUpdateTest, AnUpdateDuringARolloutReplansTowardTheNewest) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 3)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.2", 3)), out), 0) << out;
  ASSERT_TRUE(eventually([&] { return s.step_status("deploy", "app-0:[server]") == "COMPLETE"; }))
      << s.log();
  ASSERT_EQ(update(spec_file("v3.yml", app_spec("0.2", 3, "", "64", "v3")), out), 0) << out;
  const std::string target = s.get("/v1/configurations/targetId").body;
  ASSERT_TRUE(eventually(
      [&] {
        return s.get("/v1/plans/deploy").status == 200 &&
               s.get("/v1/configurations").body["ids"].size() == 1u;
      },
      60))
      << s.log();
  for (int i = 0; i < 3; ++i) {
    const std::string pod = "app-" + std::to_string(i);
    const json info = s.get("/v1/pod/" + pod + "/info").body;
    std::string version, config;
    for (const json& v : info[0]["info"]["command"]["environment"]["variables"])
      if (v["name"] == "VERSION") version = v["value"];
    for (const json& l : info[0]["info"]["labels"]["labels"])
      if (l["key"] == "target_configuration") config = l["value"];
    EXPECT_EQ(version, "v3") << pod << info.dump(2) << s.log();
    EXPECT_EQ(config, target) << pod;
    EXPECT_DOUBLE_EQ(task_cpus(s, pod), 0.2) << pod;
  }
}

TEST_F(ConfigUpdateTest, AChangedPodRerunsItsFinishTaskButNeverItsOnceTask) {
  auto spec = [](const std::string& version) {
    return "name: app\n"
           "pods:\n"
           "  app:\n"
           "    count: 1\n"
           "    resource-sets:\n"
           "      main: {cpus: 0.1, memory: 32}\n"
           "    tasks:\n"
           "      once:\n"
           "        goal: ONCE\n"
           "        resource-set: main\n"
           "        cmd: echo once\n"
           "      init:\n"
           "        goal: FINISH\n"
           "        resource-set: main\n"
           "        cmd: echo init " +
           version +
           "\n"
           "      server:\n"
           "        goal: RUNNING\n"
           "        resource-set: main\n"
           "        cmd: sleep 1000\n"
           "        env: {VERSION: " +
           version +
           "}\n"
           "plans:\n"
           "  deploy:\n"
           "    phases:\n"
           "      app:\n"
           "        pod: app\n"
           "        steps:\n"
           "          - default: [[once], [init], [server]]\n";
  };
  SchedulerProcess s(spec_file("v1.yml", spec("v1")), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json once = s.task("app-0", "app-0-once");
  const json init = s.task("app-0", "app-0-init");
  const json server = s.task("app-0", "app-0-server");
  ASSERT_EQ(once["status"], "FINISHED");
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", spec("v2")), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    return s.get("/v1/plans/deploy").status == 200 &&
           s.task("app-0", "app-0-server")["id"] != server["id"];
  })) << s.log();
  EXPECT_NE(s.task("app-0", "app-0-init")["id"], init["id"]);
  EXPECT_EQ(s.task("app-0", "app-0-init")["status"], "FINISHED");
  EXPECT_EQ(s.task("app-0", "app-0-once")["id"], once["id"]);
}

TEST_F(ConfigUpdateTest, ADryRunShowsTheChangesAndThePodsThatWouldRestartAndChangesNothing) {
  SchedulerProcess s(spec_file("v1.yml", app_spec("0.1", 2)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const auto before = ids(s, 2);
  const json target = s.get("/v1/configurations/targetId").body;
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.2", 3)), out, {"--dry-run"}), 0) << out;
  EXPECT_EQ(out,
            "app: dry run, nothing was changed; the update would be accepted\n"
            "Changes:\n"
            "  pods.app.count: 2 -> 3\n"
            "  pods.app.resource-sets.server-resource-set.cpus: 0.1 -> 0.2\n"
            "Pods restarted in place: app-0, app-1\n"
            "Pods deployed: app-2\n"
            "Pods decommissioned: none\n");
  // A dry run of a refused update says why, and fails.
  EXPECT_EQ(update(spec_file("v3.yml", app_spec("0.1", 2, "", "128")), out, {"--dry-run"}), 1)
      << out;
  EXPECT_NE(out.find("the update would be refused"), std::string::npos) << out;
  EXPECT_NE(out.find("volumes cannot change"), std::string::npos) << out;

  EXPECT_EQ(s.get("/v1/configurations/targetId").body, target);
  EXPECT_EQ(s.get("/v1/plans/deploy").status, 200);
  EXPECT_EQ(ids(s, 2), before);
  EXPECT_EQ(s.get("/v1/pod").body.size(), 2u);
}

TEST_F(ConfigUpdateTest, ARestartWithAChangedSpecRollsItOutAndAnUpdatedTargetSurvivesARestart) {
  const std::string v1 = spec_file("v1.yml", app_spec("0.1", 1));
  SchedulerProcess s(v1, cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json first = s.task("app-0", "app-0-server")["id"];
  // `steward update` sets a new target; restarting `steward run` with the spec it was started
  // with keeps that target.
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.2", 1)), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    return s.get("/v1/plans/deploy").status == 200 &&
           s.task("app-0", "app-0-server")["id"] != first;
  })) << s.log();
  const json second = s.task("app-0", "app-0-server")["id"];
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_EQ(s.task("app-0", "app-0-server")["id"], second);
  EXPECT_DOUBLE_EQ(task_cpus(s, "app-0"), 0.2);
  EXPECT_EQ(s.stop(SIGTERM), 0);
  // A changed spec given to `steward run` is a new target, rolled out at start.
  write_spec(cluster_.dir() / "specs", "v1.yml", app_spec("0.3", 1));
  s.start();
  ASSERT_TRUE(eventually([&] {
    return s.get("/v1/plans/deploy").status == 200 &&
           s.task("app-0", "app-0-server")["id"] != second;
  })) << s.log();
  EXPECT_DOUBLE_EQ(task_cpus(s, "app-0"), 0.3);
}

// A restart makes the plans of the spec it was given while the tasks load; when an update had
// set another target, the plans are that target's (two pods here, not the spec's one).
TEST_F(ConfigUpdateTest, ARestartKeepingAnUpdatedTargetBuildsThatTargetsPlans) {
  const std::string v1 = spec_file("v1.yml", app_spec("0.1", 1));
  SchedulerProcess s(v1, cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", app_spec("0.1", 2)), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    return s.get("/v1/plans/deploy").status == 200 && s.get("/v1/pod").body.size() == 2u;
  })) << s.log();
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  const json plan = s.get("/v1/plans/deploy").body;
  ASSERT_EQ(plan["phases"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["phases"][0]["steps"].size(), 2u) << plan.dump();
  EXPECT_EQ(s.get("/v1/pod").body.size(), 2u);
}

// Under a new target, a custom plan whose spec and steps are unchanged is kept with its
// progress; one whose steps changed (another instance of its pod) is built afresh.
TEST_F(ConfigUpdateTest, ACustomPlanKeepsItsProgressUnlessItsStepsChanged) {
  auto spec = [](const std::string& cpus, int tools) {
    return app_spec(cpus, 1) +
           "  tool:\n"
           "    count: " +
           std::to_string(tools) +
           "\n"
           "    tasks:\n"
           "      run:\n"
           "        goal: ONCE\n"
           "        cmd: 'true'\n"
           "        cpus: 0.1\n"
           "        memory: 16\n"
           "plans:\n"
           "  deploy:\n"
           "    phases:\n"
           "      app:\n"
           "        strategy: serial\n"
           "        pod: app\n"
           "  job:\n"
           "    phases:\n"
           "      job:\n"
           "        strategy: serial\n"
           "        pod: tool\n";
  };
  SchedulerProcess s(spec_file("v1.yml", spec("0.1", 1)), cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  ASSERT_EQ(s.post("/v1/plans/job/start").status, 200) << s.log();
  ASSERT_TRUE(s.plan_complete("job")) << s.log();
  const json ran = s.get("/v1/plans/job").body;
  const json first = s.task("app-0", "app-0-server")["id"];

  std::string out;
  ASSERT_EQ(update(spec_file("v2.yml", spec("0.2", 1)), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    return s.get("/v1/plans/deploy").status == 200 &&
           s.task("app-0", "app-0-server")["id"] != first;
  })) << s.log();
  // The same plan, not one rebuilt and found complete: same id, same step start.
  const json kept = s.get("/v1/plans/job").body;
  EXPECT_EQ(kept["id"], ran["id"]);
  EXPECT_EQ(kept["phases"][0]["steps"][0]["started"], ran["phases"][0]["steps"][0]["started"]);
  EXPECT_EQ(kept["status"], "COMPLETE") << kept.dump();

  ASSERT_EQ(update(spec_file("v3.yml", spec("0.2", 2)), out), 0) << out;
  ASSERT_TRUE(eventually([&] {
    const json job = s.get("/v1/plans/job").body;
    return job["phases"][0]["steps"].size() == 2u;
  })) << s.log();
  // A new plan: the instance that ran already counts as done (its task FINISHED), the new
  // one waits for `plan start`.
  const json job = s.get("/v1/plans/job").body;
  EXPECT_NE(job["id"], kept["id"]);
  EXPECT_EQ(job["status"], "WAITING") << job.dump();
  EXPECT_EQ(job["phases"][0]["steps"][1]["status"], "PENDING") << job.dump();
}

// A scheduler killed after persisting a resize but before its ACCEPT reached the master: the
// record says the pod holds 0.3 cpus under its reservation, the agent holds 0.1. The state is
// prepared by hand, as such a crash leaves it; the scheduler must resize again from what the
// offer carries instead of relaunching on reservations that do not exist.
TEST_F(ConfigUpdateTest, AResizeThatNeverReachedTheMasterIsDoneAgain) {
  const std::string file = spec_file("app.yml", app_spec("0.1", 1));
  std::string first_task;
  {
    SchedulerProcess s(file, cluster_, data_dir(), "app", kFast);
    ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
    first_task = s.task("app-0", "app-0-server")["id"];
    EXPECT_EQ(s.stop(SIGTERM), 0);
  }
  const double reserved_before = reserved("cpus");
  write_spec(cluster_.dir() / "specs", "app.yml", app_spec("0.3", 1));
  auto loaded = spec::load_spec_file(file, {});
  ASSERT_TRUE(loaded.spec);
  {
    state::SqliteStateStore store(data_dir() + "/app");
    const std::string config = spec::to_json(*loaded.spec, -1);
    store.store_config("C-resized", config);
    store.set_target_config("C-resized");
    store.set_property("run-config", config);
    auto t = store.task("app-0-server");
    ASSERT_TRUE(t);
    for (mesos::Resource& r : t->info.resources)
      if (r.name == "cpus") r.scalar = 0.3;
    t->info.task_id = "app__app-0-server__never-launched";
    for (mesos::Label& l : t->info.labels)
      if (l.key == "target_configuration") l.value = "C-resized";
    t->config_id = "C-resized";
    store.store_tasks({*t});
    store.set_property("unconfirmed-footprints", R"(["app-0#resize"])");
  }
  SchedulerProcess s(file, cluster_, data_dir(), "app", kFast);
  ASSERT_TRUE(eventually(
      [&] {
        const json t = s.task("app-0", "app-0-server");
        return t["status"] == "RUNNING" && t["id"] != first_task &&
               t["id"] != "app__app-0-server__never-launched" &&
               s.get("/v1/plans/deploy").status == 200;
      },
      40))
      << s.log();
  EXPECT_NE(s.log().find("the resize of app-0 never happened"), std::string::npos) << s.log();
  EXPECT_DOUBLE_EQ(task_cpus(s, "app-0"), 0.3);
  EXPECT_NEAR(reserved("cpus"), reserved_before + 0.2, 1e-9) << cluster_status(cluster_).dump(2);
  EXPECT_EQ(volumes(cluster_, "app-role").size(), 1u);
}

}  // namespace
}  // namespace steward::scheduler::testing
