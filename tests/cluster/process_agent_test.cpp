// Agents that run real processes: the `steward executor`, task process groups, sandboxes,
// persistent volumes on disk, kill policy and health checks, through the real daemon.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "cluster_process.hpp"
#include "common/exit_watcher.hpp"
#include "common/http_server.hpp"
#include "common/process.hpp"
#include "master_harness.hpp"

namespace steward::cluster::testing {
namespace {

const char* kConfig = R"(
heartbeat_interval_seconds: 1
update_retry_seconds: 1
agents:
  - name: real
    zone: a
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)";

const std::string kRole = "svc-role";
const std::string kPrincipal = "svc-principal";

json stack(const std::string& id) {
  return json::array({dynamic(kRole, kPrincipal, id)});
}

json reserved(const std::string& name, double value, const std::string& id) {
  return scalar(name, value, kRole, stack(id));
}

json executor_resources() {
  return {reserved("cpus", 0.1, "e-cpus"), reserved("mem", 32, "e-mem"),
          reserved("disk", 16, "e-disk")};
}

// A task on unreserved resources.
json shell_task(const std::string& id, const std::string& command, double cpus = 0.5) {
  return task(id, {scalar("cpus", cpus, kRole), scalar("mem", 64, kRole)}, command);
}

json plain_executor() {
  return {scalar("cpus", 0.1, kRole), scalar("mem", 32, kRole), scalar("disk", 16, kRole)};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// An HTTP server on a free loopback port for the length of a test (a check target, a URI).
struct LocalHttpServer {
  HttpServer http;
  int start() {
    std::string error;
    EXPECT_TRUE(http.listen("127.0.0.1", 0, error)) << error;
    return http.port();
  }
};

void redirect(HttpServer::Response& res, const std::string& to) {
  res.status = 302;
  res.set_header("Location", to);
}

class ProcessAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(fw.subscribe(framework_info("svc", kRole)).status, 200);
    ASSERT_FALSE(fw.wait_event("SUBSCRIBED").is_null());
  }
  void TearDown() override {
    fw.call({{"type", "TEARDOWN"}});
    // Executors of a torn-down framework are shut down and exit.
    EXPECT_TRUE(eventually([&] {
      return cluster.operator_call("GET_STATE")["get_state"]["get_executors"]["executors"].empty();
    }));
  }

  // The offer that has everything; reserving what each test needs comes first.
  json next_offer() {
    auto offers = fw.offers();
    EXPECT_EQ(offers.size(), 1u);
    return offers.empty() ? json() : offers[0];
  }

  fs::path volume_dir(const std::string& persistence_id) {
    return fs::path(cluster.data_dir()) / "agents" / "real" / "volumes" / "roles" / kRole /
           persistence_id;
  }

  ClusterProcess cluster{kConfig};
  Framework fw{cluster.port()};
};

TEST_F(ProcessAgentTest, VolumeDataSurvivesTheTaskAndIsReadBackOnTheSameReservation) {
  json offer = next_offer();
  json disk = reserved("disk", 64, "vol-disk");
  json vol = volume(64, kRole, stack("vol-disk"), "data-vol", "data");
  json writer =
      task("writer", {reserved("cpus", 0.5, "t-cpus-writer"), reserved("mem", 64, "t-mem-writer")},
           "echo hello-from-writer > data/out && sleep 1000");
  json footprint = {reserved("cpus", 0.1, "e-cpus"),     reserved("mem", 32, "e-mem"),
                    reserved("disk", 16, "e-disk"),      reserved("cpus", 0.5, "t-cpus-writer"),
                    reserved("mem", 64, "t-mem-writer"), disk};
  json exec = executor_resources();
  exec.push_back(vol);
  auto r = fw.call(accept(json::array({offer["id"]}),
                          {{{"type", "RESERVE"}, {"reserve", {{"resources", footprint}}}},
                           {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}},
                           launch_group(fw.id(), "pod-0__exec", exec, {writer})},
                          0));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_FALSE(fw.wait_update("writer", "TASK_RUNNING").is_null()) << cluster.log();
  fs::path out = volume_dir("data-vol") / "out";
  ASSERT_TRUE(eventually([&] { return read_file(out) == "hello-from-writer\n"; })) << cluster.log();

  // The sandbox is laid out as a Mesos agent's, and the volume is linked in.
  fs::path sandbox = fs::path(cluster.data_dir()) / "agents" / "real" / "slaves";
  bool found_link = false;
  for (const auto& entry : fs::recursive_directory_iterator(sandbox))
    if (entry.is_symlink() && entry.path().filename() == "data") found_link = true;
  EXPECT_TRUE(found_link);

  ASSERT_EQ(fw.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "writer"}}}}}}).status,
            202);
  ASSERT_FALSE(fw.wait_update("writer", "TASK_KILLED").is_null());
  ASSERT_TRUE(eventually([&] {
    return cluster.operator_call("GET_STATE")["get_state"]["get_executors"]["executors"].empty();
  }));
  EXPECT_EQ(read_file(out), "hello-from-writer\n") << "the volume outlives its task and executor";

  // Relaunch on the same reservations (the writer's, and the executor's with the volume,
  // which may come back in separate offers): the reader exits 0 only if the data is there.
  auto holds = [](const std::vector<json>& offers, const std::string& resource_id) {
    for (const json& o : offers)
      for (const json& res : o["resources"])
        if (res.contains("reservations") &&
            res["reservations"].back()["labels"]["labels"][0]["value"] == resource_id)
          return true;
    return false;
  };
  auto offers = fw.offers_until([&](const std::vector<json>& all) {
    return holds(all, "vol-disk") && holds(all, "t-cpus-writer") && holds(all, "e-cpus");
  });
  ASSERT_TRUE(holds(offers, "vol-disk") && holds(offers, "t-cpus-writer")) << fw.dump();
  json reader =
      task("reader", {reserved("cpus", 0.5, "t-cpus-writer"), reserved("mem", 64, "t-mem-writer")},
           "grep -q hello-from-writer data/out");
  r = fw.call(accept(offer_ids(offers), {launch_group(fw.id(), "pod-0__exec", exec, {reader})}, 0));
  ASSERT_EQ(r.status, 202) << r.body;
  json finished = fw.wait_update("reader", "TASK_FINISHED");
  ASSERT_FALSE(finished.is_null()) << fw.dump();
  EXPECT_EQ(finished["message"], "Command exited with status 0");
}

TEST_F(ProcessAgentTest, SecondTaskGroupJoinsTheRunningExecutorAndSharesItsSandboxVolumes) {
  json offer = next_offer();
  json exec = plain_executor();
  json server = shell_task("server", "sleep 1000");
  auto r = fw.call(
      accept(json::array({offer["id"]}), {launch_group(fw.id(), "pod__exec", exec, {server})}, 0));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_FALSE(fw.wait_update("server", "TASK_RUNNING").is_null());
  json offer2;
  ASSERT_TRUE(eventually([&] {
    auto offers = fw.offers(2);
    if (offers.empty()) return false;
    offer2 = offers[0];
    return true;
  }));
  EXPECT_EQ(offer2["executor_ids"][0]["value"], "pod__exec");
  json sidecar =
      shell_task("sidecar", "echo $MESOS_TASK_ID > id.txt && test -d $MESOS_SANDBOX", 0.2);
  r = fw.call(accept(json::array({offer2["id"]}),
                     {launch_group(fw.id(), "pod__exec", exec, {sidecar})}, 0));
  ASSERT_EQ(r.status, 202);
  ASSERT_FALSE(fw.wait_update("sidecar", "TASK_FINISHED").is_null()) << cluster.log();
  json state = cluster.operator_call("GET_STATE");
  EXPECT_EQ(state["get_state"]["get_executors"]["executors"].size(), 1u);
  // The server is untouched by its sibling group finishing.
  bool server_running = false;
  for (const json& t : state["get_state"]["get_tasks"]["tasks"])
    if (t["task_id"]["value"] == "server") server_running = t["state"] == "TASK_RUNNING";
  EXPECT_TRUE(server_running);
}

TEST_F(ProcessAgentTest, FailedTaskReportsExitCodeAndKillsItsGroup) {
  json offer = next_offer();
  json a = shell_task("fails", "exit 3", 0.2);
  json b = shell_task("sibling", "sleep 1000", 0.2);
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "g__exec", plain_executor(), {a, b})}, 0));
  json failed = fw.wait_update("fails", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << cluster.log();
  EXPECT_EQ(failed["message"], "Command exited with status 3");
  EXPECT_FALSE(fw.wait_update("sibling", "TASK_KILLED").is_null());
}

TEST_F(ProcessAgentTest, UnhealthyTaskIsKilledAfterConsecutiveFailures) {
  json offer = next_offer();
  json t = shell_task("sick", "sleep 1000");
  t["health_check"] = {{"type", "COMMAND"},        {"command", {{"value", "test -f healthy"}}},
                       {"delay_seconds", 0},       {"interval_seconds", 0.2},
                       {"timeout_seconds", 5},     {"grace_period_seconds", 0},
                       {"consecutive_failures", 2}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "h__exec", plain_executor(), {t})}, 0));
  json unhealthy = fw.wait_for([](const json& e) {
    return e.value("type", "") == "UPDATE" &&
           e["update"]["status"].value("healthy", true) == false &&
           e["update"]["status"]["state"] == "TASK_RUNNING";
  });
  ASSERT_FALSE(unhealthy.is_null()) << fw.dump();
  json killed = fw.wait_update("sick", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null());
  EXPECT_EQ(killed["healthy"], false);
  EXPECT_EQ(killed["reason"], "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
}

TEST_F(ProcessAgentTest, HttpCheckReportsStatusCodesAsTheyChange) {
  // The check probes 127.0.0.1:port; here the test serves it, answering 503 then 200.
  std::atomic<int> code{503};
  LocalHttpServer server;
  server.http.get(
      "/ready", [&](const HttpServer::Request&, HttpServer::Response& res) { res.status = code; });
  const int port = server.start();
  json offer = next_offer();
  json t = shell_task("web", "sleep 1000");
  t["check"] = {{"type", "HTTP"},
                {"http", {{"port", port}, {"path", "/ready"}}},
                {"delay_seconds", 0},
                {"interval_seconds", 0.2},
                {"timeout_seconds", 5}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "w__exec", plain_executor(), {t})}, 0));
  auto check_with = [&](int status) {
    return fw.wait_for([&](const json& e) {
      if (e.value("type", "") != "UPDATE") return false;
      const json& st = e["update"]["status"];
      return st.value("reason", "") == "REASON_TASK_CHECK_STATUS_UPDATED" &&
             st.contains("check_status") && st["check_status"].contains("http") &&
             st["check_status"]["http"].value("status_code", 0) == status;
    });
  };
  json first = check_with(503);
  ASSERT_FALSE(first.is_null()) << fw.dump() << cluster.log();
  EXPECT_EQ(first["update"]["status"]["check_status"]["type"], "HTTP");
  code = 200;
  EXPECT_FALSE(check_with(200).is_null()) << fw.dump();
}

TEST_F(ProcessAgentTest, TcpHealthCheckKillsTaskWhenNothingListens) {
  // A port nothing listens on: bind one, note it, close it.
  int port = 0;
  {
    HttpServer probe;
    std::string error;
    ASSERT_TRUE(probe.listen("127.0.0.1", 0, error)) << error;
    port = probe.port();
  }
  json offer = next_offer();
  json t = shell_task("deaf", "sleep 1000");
  t["health_check"] = {{"type", "TCP"},
                       {"tcp", {{"port", port}}},
                       {"delay_seconds", 0},
                       {"interval_seconds", 0.2},
                       {"timeout_seconds", 1},
                       {"grace_period_seconds", 0},
                       {"consecutive_failures", 2}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "t__exec", plain_executor(), {t})}, 0));
  json killed = fw.wait_update("deaf", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null()) << fw.dump() << cluster.log();
  EXPECT_EQ(killed["healthy"], false);
}

TEST_F(ProcessAgentTest, KillEscalatesToSigkillAfterTheGracePeriod) {
  json offer = next_offer();
  // Ignores SIGTERM: only the SIGKILL after the grace period ends it.
  json t = shell_task("stubborn", "trap '' TERM; touch trapped; while true; do sleep 0.1; done");
  t["kill_policy"] = {{"grace_period", {{"nanoseconds", 300000000}}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "k__exec", plain_executor(), {t})}, 0));
  ASSERT_FALSE(fw.wait_update("stubborn", "TASK_RUNNING").is_null());
  // RUNNING comes once the shell is started, not once it has run its trap: a KILL before
  // that ends it with the SIGTERM.
  ASSERT_TRUE(eventually([&] {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(cluster.data_dir(), ec))
      if (e.path().filename() == "trapped" && e.path().parent_path().filename() == "stubborn")
        return true;
    return false;
  })) << cluster.log();
  fw.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "stubborn"}}}}}});
  json killed = fw.wait_update("stubborn", "TASK_KILLED", 10);
  ASSERT_FALSE(killed.is_null()) << cluster.log();
  EXPECT_EQ(killed["message"], "Command terminated with signal SIGKILL");
}

TEST_F(ProcessAgentTest, RlimitsApplyToTheTask) {
  json offer = next_offer();
  json t = shell_task("limited", "test $(ulimit -n) = 256 && test $(ulimit -Hn) = 512");
  t["container"] = {
      {"type", "MESOS"},
      {"rlimit_info", {{"rlimits", {{{"type", "RLMT_NOFILE"}, {"soft", 256}, {"hard", 512}}}}}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "r__exec", plain_executor(), {t})}, 0));
  EXPECT_FALSE(fw.wait_update("limited", "TASK_FINISHED").is_null()) << fw.dump();
}

TEST_F(ProcessAgentTest, UrisAreFetchedAndArchivesExtractedIntoTheSandbox) {
  // A local file, a file:// archive, and a file served over http by the test.
  fs::path src = cluster.dir() / "uris";
  fs::create_directories(src / "tree");
  std::ofstream(src / "plain.txt") << "plain";
  std::ofstream(src / "tree" / "inside.txt") << "inside";
  ASSERT_EQ(
      std::system(("tar -czf " + (src / "bundle.tar.gz").string() + " -C " + src.string() + " tree")
                      .c_str()),
      0);
  std::ofstream(src / "tool.sh") << "#!/bin/sh\necho tool-ran\n";
  LocalHttpServer server;
  server.http.get("/served.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content("served", "text/plain");
  });
  // Redirects: to a path on the same host, to a path relative to the one asked for, to a
  // URL without its scheme, and a file whose name needs encoding on the wire.
  server.http.get("/moved.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    redirect(res, "/served.txt");
  });
  server.http.get("/dir/relative.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    redirect(res, "target.txt");
  });
  server.http.get("/dir/target.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content("relative", "text/plain");
  });
  server.http.get("/schemeless.txt", [](const HttpServer::Request& req, HttpServer::Response& res) {
    redirect(res, "//" + req.header("Host") + "/my file.txt");
  });
  server.http.get("/my file.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content("spaced", "text/plain");
  });
  const int port = server.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  json offer = next_offer();
  json t =
      shell_task("fetcher",
                 "test \"$(cat plain.txt)\" = plain && test \"$(cat tree/inside.txt)\" = inside && "
                 "test \"$(cat served.txt)\" = served && test \"$(./tool.sh)\" = tool-ran && "
                 "test \"$(cat moved.txt)\" = served && test \"$(cat relative.txt)\" = relative && "
                 "test \"$(cat schemeless.txt)\" = spaced");
  t["command"]["uris"] = {
      {{"value", (src / "plain.txt").string()}},
      {{"value", "file://" + (src / "bundle.tar.gz").string()}, {"extract", true}},
      {{"value", base + "/served.txt"}},
      {{"value", (src / "tool.sh").string()}, {"executable", true}},
      {{"value", base + "/moved.txt"}},
      {{"value", base + "/dir/relative.txt"}},
      {{"value", base + "/schemeless.txt"}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "f__exec", plain_executor(), {t})}, 0));
  EXPECT_FALSE(fw.wait_update("fetcher", "TASK_FINISHED").is_null()) << fw.dump();
}

TEST_F(ProcessAgentTest, MissingUriFailsTheLaunchWithTheReason) {
  json offer = next_offer();
  json t = shell_task("nofile", "true");
  t["command"]["uris"] = {{{"value", "/no/such/file.tgz"}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "m__exec", plain_executor(), {t})}, 0));
  json failed = fw.wait_update("nofile", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << fw.dump();
  EXPECT_EQ(failed["reason"], "REASON_CONTAINER_LAUNCH_FAILED");
  EXPECT_NE(failed["message"].get<std::string>().find("/no/such/file.tgz"), std::string::npos);
}

TEST_F(ProcessAgentTest, ARedirectToHttpsFailsTheLaunchSayingWhy) {
  LocalHttpServer server;
  server.http.get("/secure.txt", [](const HttpServer::Request&, HttpServer::Response& res) {
    redirect(res, "https://127.0.0.1:1/secure.txt");
  });
  const int port = server.start();
  json offer = next_offer();
  json t = shell_task("secure", "true");
  t["command"]["uris"] = {{{"value", "http://127.0.0.1:" + std::to_string(port) + "/secure.txt"}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "s__exec", plain_executor(), {t})}, 0));
  json failed = fw.wait_update("secure", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << fw.dump();
  EXPECT_EQ(failed["reason"], "REASON_CONTAINER_LAUNCH_FAILED");
  const std::string message = failed["message"].get<std::string>();
  EXPECT_NE(message.find("redirected to https://127.0.0.1:1/secure.txt"), std::string::npos)
      << message;
  EXPECT_NE(message.find("https is not supported"), std::string::npos) << message;
}

TEST_F(ProcessAgentTest, ExecutorsRunTheExecutorsOwnProgramFromBesideSteward) {
  // The task's parent is its executor: `steward-executor executor`, from the directory the
  // cluster's own program is in (it loads no HTTP server library). (The task runs as nobody,
  // which may read the executor's command line but not its /proc/<pid>/exe.)
  json offer = next_offer();
  const std::string lean = (fs::path(STEWARD_BINARY).parent_path() / "steward-executor").string();
  json t = shell_task("parent",
                      "tr '\\0' ' ' < /proc/$PPID/cmdline | grep -qxF '" + lean + " executor '");
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "p__exec", plain_executor(), {t})}, 0));
  EXPECT_FALSE(fw.wait_update("parent", "TASK_FINISHED").is_null()) << fw.dump();
}

TEST_F(ProcessAgentTest, ArgvCommandRunsWithoutAShellWithTheTaskEnvironment) {
  json offer = next_offer();
  json t = shell_task("argv", "");
  // No shell: `$GREETING` reaches the program as-is, and the environment carries the value.
  t["command"] = {
      {"shell", false},
      {"value", "/bin/sh"},
      {"arguments",
       {"sh", "-c",
        "test \"$0\" = '$GREETING' && test \"$GREETING\" = hi && test -n \"$MESOS_SANDBOX\"",
        "$GREETING"}},
      {"environment", {{"variables", {{{"name", "GREETING"}, {"value", "hi"}}}}}}};
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "a__exec", plain_executor(), {t})}, 0));
  EXPECT_FALSE(fw.wait_update("argv", "TASK_FINISHED").is_null()) << fw.dump();
}

TEST_F(ProcessAgentTest, TaskThatCannotStartFailsWithReason) {
  json offer = next_offer();
  json t = shell_task("nouser", "true");
  t["command"]["user"] = "no-such-user-here";
  t["command"]["shell"] = true;
  fw.call(accept(json::array({offer["id"]}),
                 {launch_group(fw.id(), "u__exec", plain_executor(), {t})}, 0));
  json failed = fw.wait_update("nouser", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null()) << cluster.log();
  EXPECT_EQ(failed["reason"], "REASON_CONTAINER_LAUNCH_FAILED");
  EXPECT_NE(failed["message"].get<std::string>().find("no-such-user-here"), std::string::npos);
}

// With a tick far longer than the test, everything below has to happen on the events
// themselves: the first offers after SUBSCRIBE, the acknowledgement that lets a finished
// executor exit (it waits for the checkpoint), the executor's exit and the allocation of
// what it gave back, and the offers after a REVIVE.
TEST(ProcessAgentEvents, DoNotWaitForTheDaemonsTick) {
  if (!ExitWatcher::supported()) GTEST_SKIP() << "no pidfds here";
  ClusterProcess cluster(R"(
tick_seconds: 60
heartbeat_interval_seconds: 60
update_retry_seconds: 60
offer_interval_seconds: 60
agents:
  - name: real
    zone: a
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)");
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", kRole)).status, 200);
  ASSERT_FALSE(fw.wait_event("SUBSCRIBED").is_null());
  json first = fw.wait_event("OFFERS", 15);
  ASSERT_FALSE(first.is_null()) << fw.dump();
  std::vector<json> offers = {first["offers"]["offers"][0]};

  auto r = fw.call(accept(
      json::array({offers[0]["id"]}),
      {launch_group(fw.id(), "once__exec", plain_executor(), {shell_task("once", "true")})}, 0));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_FALSE(fw.wait_update("once", "TASK_FINISHED", 15).is_null()) << cluster.log();
  auto executors = [&] {
    return cluster.operator_call("GET_STATE")["get_state"]["get_executors"]["executors"].size();
  };
  EXPECT_TRUE(eventually([&] { return executors() == 0; }, 15)) << cluster.log();
  // Offers are never declined here, so together they hold the agent's 4 cpus once the
  // executor's 0.1 are back.
  auto all_cpus = [](const std::vector<json>& got) {
    double cpus = 0;
    for (const json& o : got)
      for (const json& res : o["resources"])
        if (res["name"] == "cpus") cpus += res["scalar"]["value"].get<double>();
    return cpus > 3.999;
  };
  offers = fw.offers_until(all_cpus, 15);
  ASSERT_TRUE(all_cpus(offers)) << "the executor's resources came back in an offer\n" << fw.dump();

  r = fw.call(
      {{"type", "DECLINE"},
       {"framework_id", {{"value", fw.id()}}},
       {"decline", {{"offer_ids", offer_ids(offers)}, {"filters", {{"refuse_seconds", 3600}}}}}});
  ASSERT_EQ(r.status, 202) << r.body;
  r = fw.call({{"type", "REVIVE"}, {"framework_id", {{"value", fw.id()}}}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(fw.offers(15).size(), 1u) << fw.dump();
}

// Stopping the cluster ends every task, even one that ignores SIGTERM: its executor dies at
// once on the SIGTERM, and the SIGKILL after the grace goes to the executor's whole session,
// not only to the executors still there.
TEST(ProcessAgentStop, KillsTasksThatIgnoreSigterm) {
  ClusterProcess cluster(kConfig);
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", kRole)).status, 200);
  json first = fw.wait_event("OFFERS");
  ASSERT_FALSE(first.is_null()) << fw.dump();
  json t = shell_task("stubborn", "trap '' TERM; echo $$ > pid; while true; do sleep 0.2; done");
  auto r = fw.call(accept(json::array({first["offers"]["offers"][0]["id"]}),
                          {launch_group(fw.id(), "s__exec", plain_executor(), {t})}, 0));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_FALSE(fw.wait_update("stubborn", "TASK_RUNNING").is_null()) << cluster.log();
  pid_t pid = 0;
  ASSERT_TRUE(eventually([&] {
    // The task's sandbox: .../executors/s__exec/runs/<container>/tasks/stubborn/pid
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(cluster.data_dir(), ec))
      if (e.path().filename() == "pid" && e.path().parent_path().filename() == "stubborn") {
        std::ifstream in(e.path());
        if (in >> pid && pid > 0) return true;
      }
    return false;
  })) << cluster.log();
  // A process is gone once it no longer exists or is a zombie nobody reaped yet.
  auto gone = [&] {
    auto st = process_stat(pid);
    return !st || st->exited();
  };
  ASSERT_FALSE(gone());
  // While the daemon waits out the grace (the task keeps it waiting), it starts nothing new:
  // any ACCEPT is answered so before it is read (this one's operation would not read).
  ASSERT_EQ(::kill(cluster.pid(), SIGTERM), 0);
  EXPECT_TRUE(eventually(
      [&] {
        return fw.call(accept(json::array({{{"value", "any"}}}), json::array({{{"type", "NOPE"}}}),
                              0))
                   .status == 503;
      },
      4));
  fw.disconnect();
  cluster.stop(0);  // signal 0: only waits for the daemon to exit
  EXPECT_TRUE(eventually(gone, 10)) << "the task outlived the cluster";
  if (!gone()) ::kill(pid, SIGKILL);
}

}  // namespace
}  // namespace steward::cluster::testing
