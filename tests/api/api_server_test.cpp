// The scheduler's REST API over HTTP, on a running hello-world: shapes, status codes, errors
// and bearer-token auth.

#include <gtest/gtest.h>

#include <fstream>

#include "../scheduler/scheduler_process.hpp"

namespace steward::api {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using scheduler::testing::ClusterProcess;
using scheduler::testing::eventually;
using scheduler::testing::http;
using scheduler::testing::kTwoAgents;
using scheduler::testing::SchedulerProcess;

const std::string kHelloWorld = std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml";

class ApiTest : public ::testing::Test {
 protected:
  explicit ApiTest(std::vector<std::string> extra = {})
      : cluster_(kTwoAgents),
        service_(kHelloWorld, cluster_, (cluster_.dir() / "services").string(), "hello-world",
                 std::move(extra)) {}
  ClusterProcess cluster_;
  SchedulerProcess service_;
};

TEST_F(ApiTest, ConfigurationsStateHealthAndDebug) {
  // Health follows the deploy: 202 (or 318 while reconciling) until COMPLETE, then 200.
  const int early = service_.get("/v1/health").status;
  EXPECT_TRUE(early == 202 || early == 204 || early == 318 || early == 200) << early;
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  auto health = service_.get("/v1/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body["status"], "RUNNING") << health.text;

  auto configs = service_.get("/v1/configurations");
  ASSERT_EQ(configs.status, 200);
  const json ids = configs.body["ids"];
  ASSERT_EQ(ids.size(), 1u) << configs.text;
  auto target_id = service_.get("/v1/configurations/targetId");
  EXPECT_EQ(target_id.body, ids[0]);
  EXPECT_EQ(configs.body["target"], ids[0]);
  EXPECT_TRUE(configs.body["last_update"].is_null()) << configs.text;  // only the first target
  auto target = service_.get("/v1/configurations/target");
  EXPECT_EQ(target.body["name"], "hello-world");
  EXPECT_EQ(service_.get("/v1/configurations/" + ids[0].get<std::string>()).body, target.body);
  // A new target that is no configuration is answered 400, never 500, bytes and all.
  EXPECT_EQ(service_.post("/v1/update", "{\"name\": \"\xff\"").status, 400);
  EXPECT_EQ(service_.post("/v1/update", "{\"pods\": 3}").status, 400);
  EXPECT_EQ(service_.post("/v1/update?dryRun=maybe", target.text).status, 400);
  // What a spec file could not say either: a pod without tasks, a task without a command.
  json hollow = target.body;
  hollow["pods"][0]["tasks"] = json::array();
  auto refused = service_.post("/v1/update", hollow.dump());
  EXPECT_EQ(refused.status, 400) << refused.text;
  EXPECT_EQ(refused.body["errors"][0], "pods.hello.tasks: must define at least one task")
      << refused.text;
  json silent = target.body;
  silent["pods"][0]["tasks"][0]["cmd"] = " ";
  refused = service_.post("/v1/update", silent.dump());
  EXPECT_EQ(refused.status, 400) << refused.text;
  EXPECT_EQ(refused.body["errors"][0], "pods.hello.tasks.server.cmd: must not be empty")
      << refused.text;
  // The target itself, sent back, changes nothing.
  auto same = service_.post("/v1/update", target.text);
  EXPECT_EQ(same.status, 200) << same.text;
  EXPECT_EQ(same.body["result"], "unchanged") << same.text;
  EXPECT_EQ(service_.get("/v1/configurations/nope").status, 404);

  auto fid = service_.get("/v1/state/frameworkId");
  ASSERT_EQ(fid.status, 200);
  EXPECT_TRUE(fid.body.is_string());
  // Recorded on the scheduler's next pass after the deploy completes.
  ASSERT_TRUE(eventually(
      [&] { return service_.get("/v1/state/properties/deploy-completed").status == 200; }));
  auto keys = service_.get("/v1/state/properties");
  ASSERT_TRUE(keys.body.is_array());
  EXPECT_NE(std::find(keys.body.begin(), keys.body.end(), "deploy-completed"), keys.body.end())
      << keys.text;
  EXPECT_EQ(service_.get("/v1/state/properties/nope").status, 404);

  // Four footprints reserved, six launches (hello x2, world prepare and server x2).
  auto metrics = service_.get("/v1/metrics/prometheus");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.text.find("steward_operations_total{type=\"RESERVE\"} 4\n"), std::string::npos)
      << metrics.text;
  EXPECT_NE(metrics.text.find("steward_operations_total{type=\"LAUNCH_GROUP\"} 6\n"),
            std::string::npos)
      << metrics.text;
  EXPECT_NE(metrics.text.find("steward_plan_status{plan=\"deploy\",status=\"COMPLETE\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.text.find("steward_task_statuses_total{state=\"TASK_RUNNING\"}"),
            std::string::npos);
  // Acknowledgements go out from their own queue: it empties, and the master is left with no
  // update waiting for one.
  auto unacknowledged = [&] {
    std::vector<std::string> waiting;
    const json tasks = cluster_.operator_call("GET_TASKS");
    for (const json& t : tasks["get_tasks"]["tasks"])
      if (t.contains("status_update_state"))
        waiting.push_back(t["task_id"]["value"].get<std::string>());
    return waiting;
  };
  EXPECT_TRUE(eventually([&] {
    return service_.get("/v1/metrics/prometheus")
                   .text.find("steward_acknowledgements_pending 0\n") != std::string::npos &&
           unacknowledged().empty();
  })) << service_.get("/v1/metrics/prometheus").text
      << testing::PrintToString(unacknowledged());
  auto statuses = service_.get("/v1/debug/taskStatuses");
  EXPECT_EQ(statuses.body["hello-0-server"]["state"], "TASK_RUNNING") << statuses.text;
  // Both are written without a JSON tree: the text is what such a tree would dump.
  EXPECT_EQ(statuses.text, statuses.body.dump(2));
  auto reservations = service_.get("/v1/debug/reservations");
  ASSERT_TRUE(reservations.body["tasks"].is_array()) << reservations.text;
  EXPECT_EQ(reservations.text, reservations.body.dump(2));
  bool volume = false;
  for (const json& t : reservations.body["tasks"])
    for (const json& r : t["resources"])
      volume = volume || r.contains("persistence_id");
  EXPECT_TRUE(volume) << reservations.text;

  // While recovering, health says so.
  const json hello0 = service_.task("hello-0", "hello-0-server");
  ASSERT_EQ(service_.post("/v1/pod/hello-0/restart").status, 200);
  EXPECT_TRUE(eventually([&] {
    const int code = service_.get("/v1/health").status;
    return code == 203 || code == 205 || code == 208;
  })) << service_.get("/v1/health").text;
  EXPECT_EQ(service_.relaunched("hello-0", "hello-0-server", hello0["id"])["status"], "RUNNING");
  EXPECT_TRUE(eventually([&] { return service_.get("/v1/health").status == 200; }));
}

TEST_F(ApiTest, ClientMistakesAreFourHundredsNeverFiveHundreds) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  EXPECT_EQ(service_.get("/v1/plans/nope").status, 404);
  EXPECT_EQ(service_.get("/v1/plans/%FF").status, 404);
  EXPECT_EQ(service_.post("/v1/plans/%FF/start").status, 404);
  EXPECT_EQ(service_.post("/v1/plans/deploy/restart?phase=%FF").status, 404);
  EXPECT_EQ(service_.post("/v1/plans/sidecar/start", "{not json").status, 400);
  EXPECT_EQ(service_.post("/v1/plans/sidecar/start", R"({"A": 1})").status, 400);
  EXPECT_EQ(service_.post("/v1/plans/deploy/forceComplete").status, 208);  // already complete
  EXPECT_EQ(service_.get("/v1/pod/nope/status").status, 404);
  EXPECT_EQ(service_.get("/v1/pod/nope/info").status, 404);
  EXPECT_EQ(service_.post("/v1/pod/nope/replace").status, 404);
  auto missing = service_.get("/v1/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.contains("message")) << missing.text;
}

class AuthApiTest : public ApiTest {
 protected:
  AuthApiTest() : ApiTest({"--auth-token-file", token_file()}) {}
  static std::string token_file() {
    const std::string path =
        (fs::temp_directory_path() / ("steward-token-" + std::to_string(getpid()))).string();
    std::ofstream(path) << "s3cret\n";
    return path;
  }
};

TEST_F(AuthApiTest, MutatingRequestsNeedTheBearerToken) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  EXPECT_EQ(service_.get("/v1/plans/deploy").status, 200);  // reading needs nothing
  auto refused = service_.post("/v1/plans/sidecar/start");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.text.find("Bearer"), std::string::npos) << refused.text;
  mesos::SchedulerClient client("127.0.0.1", service_.port());
  auto wrong =
      client.request("POST", "/v1/plans/sidecar/start", "{}", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  auto ok =
      client.request("POST", "/v1/plans/sidecar/start", "{}",
                     {{"Authorization", "Bearer s3cret"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  // The CLI sends $STEWARD_AUTH_TOKEN.
  std::string out;
  setenv("STEWARD_AUTH_TOKEN", "s3cret", 1);
  const int code = scheduler::testing::run_steward(
      {"plan", "stop", "sidecar", "--data-dir", (cluster_.dir() / "services").string()}, out);
  unsetenv("STEWARD_AUTH_TOKEN");
  EXPECT_EQ(code, 0) << out;
  fs::remove(token_file());
}

}  // namespace
}  // namespace steward::api
