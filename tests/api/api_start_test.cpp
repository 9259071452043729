// The API of a scheduler in this process, served before its state is loaded: health answers at
// once, and a query waits for the state and answers from it. The real cluster, SQLite and HTTP.

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "../scheduler/scheduler_process.hpp"
#include "api/api_server.hpp"
#include "scheduler/service_scheduler.hpp"
#include "spec/spec_loader.hpp"

namespace steward::api {
namespace {

using nlohmann::json;
using scheduler::testing::ClusterProcess;
using scheduler::testing::http;
using scheduler::testing::kTwoAgents;
using scheduler::testing::one_task_spec;

TEST(ApiStart, HealthAnswersWhileTheStateLoadsAndQueriesWaitForIt) {
  ClusterProcess cluster(kTwoAgents);
  auto loaded = spec::load_spec_text(one_task_spec("web", 1, "RUNNING", "sleep 1000"), "svc.yml",
                                     cluster.dir().string(), {});
  ASSERT_TRUE(loaded.spec);
  scheduler::SchedulerOptions o;
  o.spec = *loaded.spec;
  o.state_dir = (cluster.dir() / "state").string();
  o.master_port = cluster.port();
  scheduler::ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.open(error)) << error;
  ApiServer api(s);
  ASSERT_TRUE(api.start("127.0.0.1", 0, error)) << error;

  auto health = http(api.port(), "GET", "/v1/health");
  EXPECT_EQ(health.status, 318) << health.text;
  EXPECT_EQ(health.body["status"], "INITIALIZING");
  EXPECT_EQ(health.body["reasons"], json::array({"loading its state"}));
  // A query asked now is answered once the state is there, from it.
  auto plans = std::async(std::launch::async, [&] { return http(api.port(), "GET", "/v1/plans"); });
  EXPECT_EQ(plans.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  ASSERT_TRUE(s.start(error)) << error;
  auto answer = plans.get();
  EXPECT_EQ(answer.status, 200) << answer.text;
  EXPECT_NE(answer.text.find("deploy"), std::string::npos) << answer.text;
  // Health is now the loop's answer (subscribing, reconciling, deploying...), not the load's.
  auto later = http(api.port(), "GET", "/v1/health");
  EXPECT_NE(later.body["reasons"], json::array({"loading its state"})) << later.text;
  api.stop();
  s.stop();
}

}  // namespace
}  // namespace steward::api
