// The real cluster daemon, driven over HTTP through the project's own scheduler client.
// These agents are simulated: the process-running agents have their own tests.

#include <gtest/gtest.h>

#include "cluster_process.hpp"
#include "master_harness.hpp"

namespace steward::cluster::testing {
namespace {

const char* kConfig = R"(
heartbeat_interval_seconds: 1
agents:
  - name: sim
    simulated: true
    zone: a
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
  - name: pub
    simulated: true
    zone: b
    attributes: {public_ip: "true"}
    reserved:
      slave_public: {cpus: 2, mem: 2048, disk: 5000}
)";

class ClusterApiTest : public ::testing::Test {
 protected:
  ClusterProcess cluster{kConfig};
};

TEST_F(ClusterApiTest, MalformedCallsGetMesosStatusCodes) {
  auto no_type = cluster.post("/api/v1/scheduler", "", "");
  EXPECT_EQ(no_type.status, 400);
  EXPECT_NE(no_type.body.find("Content-Type"), std::string::npos);
  EXPECT_EQ(cluster.post("/api/v1/scheduler", "{}", "application/json; charset=utf-8").status, 415);
  auto bad_json = cluster.post("/api/v1/scheduler", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_NE(bad_json.body.find("JSON"), std::string::npos);
  auto unknown = cluster.post("/api/v1/scheduler", R"({"type":"FLY"})");
  EXPECT_EQ(unknown.status, 400);
  auto no_fw =
      cluster.post("/api/v1/scheduler", R"({"type":"REVIVE","framework_id":{"value":"x"}})");
  EXPECT_EQ(no_fw.status, 400);
  EXPECT_EQ(no_fw.body, "Framework cannot be found");
  auto sub_without_info =
      cluster.post("/api/v1/scheduler", R"({"type":"SUBSCRIBE","subscribe":{}})");
  EXPECT_EQ(sub_without_info.status, 400);
  auto huge_garbage = cluster.post("/api/v1/scheduler", std::string(100000, '['));
  EXPECT_EQ(huge_garbage.status, 400);
  auto bad_operator = cluster.post("/api/v1", R"({"type":"NOPE"})");
  EXPECT_EQ(bad_operator.status, 400);
  // Still serving.
  EXPECT_EQ(cluster.operator_call("GET_HEALTH")["get_health"]["healthy"], true);
}

TEST_F(ClusterApiTest, SubscribeStreamsSubscribedOffersAndHeartbeats) {
  Framework fw(cluster.port());
  auto r = fw.subscribe(framework_info("svc", "svc-role"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(fw.client().stream_id().empty());
  json subscribed = fw.wait_event("SUBSCRIBED");
  ASSERT_FALSE(subscribed.is_null());
  EXPECT_EQ(subscribed["subscribed"]["heartbeat_interval_seconds"], 1.0);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u) << "slave_public resources are not offered to svc-role";
  EXPECT_EQ(offers[0]["allocation_info"]["role"], "svc-role");
  EXPECT_FALSE(fw.wait_event("HEARTBEAT", 5).is_null());
  // A second SUBSCRIBE for the same stream id header is refused.
  auto again = cluster.post("/api/v1/scheduler", R"({"type":"SUBSCRIBE"})");
  EXPECT_EQ(again.status, 400);
  // Calls need the right stream id.
  mesos::SchedulerClient other("127.0.0.1", cluster.port());
  auto wrong =
      other.request("POST", "/api/v1/scheduler",
                    json({{"type", "REVIVE"}, {"framework_id", {{"value", fw.id()}}}}).dump(),
                    {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", "not-it"}});
  EXPECT_EQ(wrong.status, 400);
}

TEST_F(ClusterApiTest, LaunchKillAndReconcileOnSimulatedAgent) {
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  json exec = small_executor("svc-role");
  auto r = fw.call(
      accept(offer_ids(offers),
             {launch_group(fw.id(), "e1", exec, {task("t1", {scalar("cpus", 1, "svc-role")})})}));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_FALSE(fw.wait_update("t1", "TASK_RUNNING").is_null());

  json state = cluster.operator_call("GET_STATE");
  ASSERT_EQ(state["get_state"]["get_tasks"]["tasks"].size(), 1u);
  EXPECT_EQ(state["get_state"]["get_tasks"]["tasks"][0]["state"], "TASK_RUNNING");
  EXPECT_EQ(state["get_state"]["get_executors"]["executors"].size(), 1u);

  EXPECT_EQ(fw.call({{"type", "RECONCILE"}, {"reconcile", {{"tasks", json::array()}}}}).status,
            202);
  json rec = fw.wait_for([](const json& e) {
    return e.value("type", "") == "UPDATE" &&
           e["update"]["status"].value("reason", "") == "REASON_RECONCILIATION";
  });
  ASSERT_FALSE(rec.is_null());
  EXPECT_FALSE(rec["update"]["status"].contains("uuid"));

  EXPECT_EQ(fw.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "t1"}}}}}}).status, 202);
  EXPECT_FALSE(fw.wait_update("t1", "TASK_KILLED").is_null());
  EXPECT_TRUE(eventually([&] {
    return cluster.operator_call("GET_STATE")["get_state"]["get_executors"]["executors"].empty();
  }));
}

// An ACCEPT is read from a JsonDocument when its text names its type as such; one that
// spells the type with an escape is an ACCEPT all the same.
TEST_F(ClusterApiTest, AnAcceptWhoseTypeIsEscapedIsStillAnAccept) {
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  json call =
      accept(offer_ids(offers), {launch_group(fw.id(), "e1", small_executor("svc-role"),
                                              {task("t1", {scalar("cpus", 1, "svc-role")})})});
  call["framework_id"] = {{"value", fw.id()}};
  std::string text = call.dump();
  const auto at = text.find("\"ACCEPT\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 8, "\"\\u0041CCEPT\"");
  ASSERT_EQ(text.find("\"ACCEPT\""), std::string::npos);
  auto r = fw.client().call(text);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_FALSE(fw.wait_update("t1", "TASK_RUNNING").is_null());
}

// Acknowledgements a scheduler pipelines (which the cluster takes as one batch: the batching
// itself is HttpServerTest's) are each answered as on their own, a malformed one with its
// own 4xx, and applied.
TEST_F(ClusterApiTest, PipelinedAcknowledgementsAreEachAnsweredAndApplied) {
  Framework fw(cluster.port());
  fw.auto_acknowledge = false;
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  std::vector<json> tasks;
  for (const char* name : {"t1", "t2", "t3"})
    tasks.push_back(task(name, {scalar("cpus", 1, "svc-role")}));
  ASSERT_EQ(fw.call(accept(offer_ids(offers),
                           {launch_group(fw.id(), "e1", small_executor("svc-role"), tasks)}))
                .status,
            202);
  std::vector<json> starting;
  for (const char* name : {"t1", "t2", "t3"}) {
    starting.push_back(fw.wait_update(name, "TASK_STARTING"));
    ASSERT_FALSE(starting.back().is_null()) << name << "\n" << fw.dump();
  }
  auto ack = [&](const json& status) {
    json body = {{"agent_id", status["agent_id"]}, {"task_id", status["task_id"]}};
    if (status.contains("uuid")) body["uuid"] = status["uuid"];
    return json{
        {"type", "ACKNOWLEDGE"}, {"framework_id", {{"value", fw.id()}}}, {"acknowledge", body}}
        .dump();
  };
  json not_a_uuid = starting[0];
  not_a_uuid["uuid"] = "bm90IGEgdXVpZA==";  // base64 of ten bytes
  json no_uuid = starting[1];
  no_uuid.erase("uuid");
  // No update arrives meanwhile: the next of each task waits for this acknowledgement.
  fw.client().keep_alive = true;  // pipelined on one connection, as a scheduler sends them
  auto answers = fw.client().call_many(
      {ack(starting[0]), ack(not_a_uuid), ack(starting[1]), ack(no_uuid), ack(starting[2])});
  ASSERT_EQ(answers.size(), 5u);
  for (std::size_t i : {0u, 2u, 4u})
    EXPECT_EQ(answers[i].status, 202) << i << " " << answers[i].error << answers[i].body;
  EXPECT_EQ(answers[1].status, 400);
  EXPECT_NE(answers[1].body.find("Not a valid UUID"), std::string::npos) << answers[1].body;
  EXPECT_EQ(answers[3].status, 400);
  EXPECT_NE(answers[3].body.find("ACKNOWLEDGE: uuid is required"), std::string::npos)
      << answers[3].body;
  for (const char* name : {"t1", "t2", "t3"})
    EXPECT_FALSE(fw.wait_update(name, "TASK_RUNNING").is_null()) << name << "\n" << fw.dump();
}

TEST_F(ClusterApiTest, SimulatedTaskFinishesOnRequest) {
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  json exec = small_executor("svc-role");
  fw.call(
      accept(offer_ids(offers),
             {launch_group(fw.id(), "e1", exec, {task("once", {scalar("cpus", 1, "svc-role")})})}));
  ASSERT_FALSE(fw.wait_update("once", "TASK_RUNNING").is_null());
  EXPECT_EQ(cluster.post("/cluster/v1/tasks/once/finish", "", "").status, 200);
  EXPECT_FALSE(fw.wait_update("once", "TASK_FINISHED").is_null());
  EXPECT_EQ(cluster.post("/cluster/v1/tasks/once/finish", "", "").status, 404);
}

TEST_F(ClusterApiTest, FailoverWithinTimeoutAndPastIt) {
  json info = framework_info("svc", "svc-role", true, 2);
  std::string id;
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info).status, 200);
    id = fw.id();
    auto offers = fw.offers();
    json exec = small_executor("svc-role");
    fw.call(accept(offer_ids(offers),
                   {launch_group(id, "e1", exec, {task("t1", {scalar("cpus", 1, "svc-role")})})}));
    ASSERT_FALSE(fw.wait_update("t1", "TASK_RUNNING").is_null());
    fw.disconnect();
  }
  // Back within the timeout: same id, task still there.
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info, id).status, 200);
    EXPECT_EQ(fw.id(), id);
    EXPECT_EQ(cluster.operator_call("GET_STATE")["get_state"]["get_tasks"]["tasks"].size(), 1u);
    fw.disconnect();
  }
  // Past it: torn down, tasks gone, and the id is refused.
  EXPECT_TRUE(eventually([&] {
    return cluster.operator_call("GET_STATE")["get_state"]["get_frameworks"]["frameworks"].empty();
  }));
  EXPECT_TRUE(cluster.operator_call("GET_STATE")["get_state"]["get_tasks"]["tasks"].empty());
  Framework late(cluster.port());
  ASSERT_EQ(late.subscribe(info, id).status, 200);
  json error = late.wait_event("ERROR");
  ASSERT_FALSE(error.is_null());
  EXPECT_EQ(error["error"]["message"], "Framework has been removed");
  EXPECT_TRUE(eventually([&] { return late.closed(); }));
}

TEST_F(ClusterApiTest, AgentFaultInjectionThroughTheCli) {
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  json exec = small_executor("svc-role");
  fw.call(accept(offer_ids(offers), {launch_group(fw.id(), "e1", exec,
                                                  {task("t1", {scalar("cpus", 1, "svc-role")})})}));
  ASSERT_FALSE(fw.wait_update("t1", "TASK_RUNNING").is_null());
  std::string base = std::string(STEWARD_BINARY) +
                     " cluster agent --master http://127.0.0.1:" + std::to_string(cluster.port()) +
                     " ";
  ASSERT_EQ(std::system((base + "stop sim >/dev/null").c_str()), 0);
  EXPECT_FALSE(fw.wait_update("t1", "TASK_UNREACHABLE").is_null());
  ASSERT_EQ(std::system((base + "start sim >/dev/null").c_str()), 0);
  EXPECT_FALSE(fw.wait_update("t1", "TASK_RUNNING").is_null());
  ASSERT_EQ(std::system((base + "remove sim >/dev/null").c_str()), 0);
  EXPECT_FALSE(fw.wait_update("t1", "TASK_GONE_BY_OPERATOR").is_null());
  EXPECT_NE(std::system((base + "stop nosuch >/dev/null 2>&1").c_str()), 0);
}

TEST_F(ClusterApiTest, TwoFrameworksRefineTheSlavePublicReservationWithoutConflict) {
  json stat = {{"type", "STATIC"}, {"role", "slave_public"}};
  auto refine = [&](Framework& fw, const std::string& role, double cpus) {
    auto offers = fw.offers_until([](const std::vector<json>& all) {
      for (const json& o : all)
        if (o["allocation_info"]["role"].get<std::string>().rfind("slave_public/", 0) == 0)
          return true;
      return false;
    });
    json offer;
    for (const json& o : offers)
      if (o["allocation_info"]["role"] == role) offer = o;
    ASSERT_FALSE(offer.is_null()) << fw.dump();
    json r =
        scalar("cpus", cpus, role, json::array({stat, dynamic(role, role + "-principal", role)}));
    // What is left is declined for long: the other framework gets the agent next.
    auto res = fw.call(accept(json::array({offer["id"]}),
                              {{{"type", "RESERVE"}, {"reserve", {{"resources", {r}}}}}}, 3600));
    ASSERT_EQ(res.status, 202) << res.body;
  };
  Framework a(cluster.port());
  ASSERT_EQ(a.subscribe(framework_info("slave_public/a", "slave_public/a")).status, 200);
  refine(a, "slave_public/a", 0.5);
  Framework b(cluster.port());
  ASSERT_EQ(b.subscribe(framework_info("slave_public/b", "slave_public/b")).status, 200);
  refine(b, "slave_public/b", 1);
  json status;
  ASSERT_TRUE(eventually([&] {
    auto r = mesos::SchedulerClient("127.0.0.1", cluster.port())
                 .request("GET", "/cluster/v1/status", "", {});
    status = json::parse(r.body, nullptr, false);
    for (const json& agent : status["agents"])
      if (agent["name"] == "pub")
        return agent["reserved"].contains("slave_public/a") &&
               agent["reserved"].contains("slave_public/b");
    return false;
  })) << status.dump();
  for (const json& agent : status["agents"]) {
    if (agent["name"] != "pub") continue;
    EXPECT_EQ(agent["reserved"]["slave_public/a"]["cpus"], 0.5);
    EXPECT_EQ(agent["reserved"]["slave_public/b"]["cpus"], 1.0);
    EXPECT_EQ(agent["reserved"]["slave_public"]["cpus"], 0.5);
  }
}

TEST_F(ClusterApiTest, SuppressReviveAndFilters) {
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", "svc-role")).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  // Declined with a long filter, the agent is not offered again...
  ASSERT_EQ(fw.call({{"type", "DECLINE"},
                     {"decline",
                      {{"offer_ids", offer_ids(offers)}, {"filters", {{"refuse_seconds", 3600}}}}}})
                .status,
            202);
  EXPECT_TRUE(fw.offers(1.5).empty());
  // ...until REVIVE clears the filter.
  ASSERT_EQ(fw.call({{"type", "REVIVE"}, {"revive", {{"roles", {"svc-role"}}}}}).status, 202);
  offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  // Suppressed, a declined agent stays quiet even with no filter.
  ASSERT_EQ(fw.call({{"type", "SUPPRESS"}, {"suppress", {{"roles", {"svc-role"}}}}}).status, 202);
  ASSERT_EQ(fw.call({{"type", "DECLINE"},
                     {"decline",
                      {{"offer_ids", offer_ids(offers)}, {"filters", {{"refuse_seconds", 0}}}}}})
                .status,
            202);
  EXPECT_TRUE(fw.offers(1.5).empty());
  ASSERT_EQ(fw.call({{"type", "REVIVE"}, {"revive", json::object()}}).status, 202);
  EXPECT_EQ(fw.offers().size(), 1u);
}

TEST_F(ClusterApiTest, UpdateFrameworkAndIgnoredCalls) {
  Framework fw(cluster.port());
  json info = framework_info("svc", "svc-role");
  ASSERT_EQ(fw.subscribe(info).status, 200);
  ASSERT_EQ(fw.offers().size(), 1u);
  // REQUEST and MESSAGE are accepted and ignored; they still need a framework.
  EXPECT_EQ(fw.call({{"type", "REQUEST"}, {"request", {{"requests", json::array()}}}}).status, 202);
  EXPECT_EQ(fw.client().call(R"({"type":"MESSAGE"})").status, 400);
  // Roles may change (the old role's offers are rescinded); the principal may not.
  info["id"] = {{"value", fw.id()}};
  info["roles"] = {"other-role"};
  auto ok =
      fw.call({{"type", "UPDATE_FRAMEWORK"}, {"update_framework", {{"framework_info", info}}}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_FALSE(fw.wait_event("RESCIND").is_null());
  json offer = fw.wait_event("OFFERS");
  ASSERT_FALSE(offer.is_null());
  EXPECT_EQ(offer["offers"]["offers"][0]["allocation_info"]["role"], "other-role");
  info["principal"] = "someone-else";
  auto refused =
      fw.call({{"type", "UPDATE_FRAMEWORK"}, {"update_framework", {{"framework_info", info}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("cannot change"), std::string::npos);
}

TEST_F(ClusterApiTest, StateEndpointsDescribeAgentsAndReservations) {
  json agents = cluster.operator_call("GET_AGENTS");
  ASSERT_EQ(agents["get_agents"]["agents"].size(), 2u);
  auto r = mesos::SchedulerClient("127.0.0.1", cluster.port()).request("GET", "/state", "", {});
  ASSERT_EQ(r.status, 200);
  json state = json::parse(r.body);
  ASSERT_EQ(state["slaves"].size(), 2u);
  bool public_reserved = false;
  for (const json& s : state["slaves"])
    if (s["reserved_resources"].contains("slave_public")) {
      public_reserved = true;
      EXPECT_EQ(s["reserved_resources"]["slave_public"]["cpus"], 2.0);
      EXPECT_EQ(s["attributes"]["public_ip"], "true");
    }
  EXPECT_TRUE(public_reserved);
}

}  // namespace
}  // namespace steward::cluster::testing
