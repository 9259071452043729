#include "mesos/call_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace steward::mesos {
namespace {

using nlohmann::json;

Call decode(const std::string& text) {
  std::string error;
  auto c = call_from_json(json::parse(text), error);
  EXPECT_TRUE(c) << error;
  return c.value_or(Call{});
}

std::string refused(const std::string& text) {
  std::string error;
  EXPECT_FALSE(call_from_json(json::parse(text), error)) << text;
  return error;
}

TEST(CallJson, SubscribeAsTheSdkSendsIt) {
  Call c = decode(R"({"type": "SUBSCRIBE", "subscribe": {"framework_info": {
      "user": "nobody", "name": "hello-world", "roles": ["hello-world-role"],
      "principal": "hello-world-principal", "failover_timeout": 1209600, "checkpoint": true,
      "capabilities": [{"type": "MULTI_ROLE"}, {"type": "RESERVATION_REFINEMENT"},
                       {"type": "PARTITION_AWARE"}, {"type": "TASK_KILLING_STATE"}]},
      "suppressed_roles": []}})");
  EXPECT_EQ(c.type, Call::Type::subscribe);
  EXPECT_EQ(c.framework_info.name, "hello-world");
  EXPECT_EQ(c.framework_info.failover_timeout, 1209600);
  EXPECT_TRUE(c.framework_info.checkpoint);
  EXPECT_THAT(c.framework_info.capabilities,
              ::testing::ElementsAre("MULTI_ROLE", "RESERVATION_REFINEMENT", "PARTITION_AWARE",
                                     "TASK_KILLING_STATE"));
  // Resubscription: both ids set and equal.
  Call again = decode(R"({"type": "SUBSCRIBE", "framework_id": {"value": "m-0000"},
      "subscribe": {"framework_info": {"id": {"value": "m-0000"}, "user": "u", "name": "n"}}})");
  EXPECT_EQ(again.framework_info.id, "m-0000");
}

TEST(CallJson, EveryCallRoundTrips) {
  std::vector<Call> calls;
  Call sub;
  sub.type = Call::Type::subscribe;
  sub.framework_info = {"",      "root", "svc",      {"svc-role"},  "svc-principal",
                        1209600, true,   "http://x", {"MULTI_ROLE"}};
  calls.push_back(sub);
  Call decline;
  decline.type = Call::Type::decline;
  decline.framework_id = "f";
  decline.offer_ids = {"o1", "o2"};
  decline.refuse_seconds = 3600;
  calls.push_back(decline);
  for (Call::Type t : {Call::Type::revive, Call::Type::suppress}) {
    Call c;
    c.type = t;
    c.framework_id = "f";
    c.roles = {"svc-role"};
    calls.push_back(c);
  }
  Call kill;
  kill.type = Call::Type::kill;
  kill.framework_id = "f";
  kill.task_id = "t";
  kill.agent_id = "a";
  calls.push_back(kill);
  Call shutdown;
  shutdown.type = Call::Type::shutdown;
  shutdown.framework_id = "f";
  shutdown.executor_id = "e";
  shutdown.agent_id = "a";
  calls.push_back(shutdown);
  Call ack;
  ack.type = Call::Type::acknowledge;
  ack.framework_id = "f";
  ack.task_id = "t";
  ack.agent_id = "a";
  ack.uuid = "hTaLQ0b5Q1OZuab7QclTKQ==";
  calls.push_back(ack);
  Call reconcile;
  reconcile.type = Call::Type::reconcile;
  reconcile.framework_id = "f";
  reconcile.tasks = {{"t1", "a"}, {"t2", ""}};
  calls.push_back(reconcile);
  Call teardown;
  teardown.type = Call::Type::teardown;
  teardown.framework_id = "f";
  calls.push_back(teardown);
  for (const Call& c : calls) {
    std::string error;
    auto back = call_from_json(to_json(c), error);
    ASSERT_TRUE(back) << error << " " << to_json(c).dump();
    EXPECT_EQ(*back, c) << to_json(c).dump();
  }
}

TEST(CallJson, AReconcileWrittenAsTextIsTheJsonsText) {
  Call c;
  c.type = Call::Type::reconcile;
  c.framework_id = "f-\"0\"";
  c.tasks = {{"t1", "a"}, {"t2\n", ""}, {"t3", "b\\"}};
  EXPECT_EQ(reconcile_text(c.framework_id, c.tasks), to_json(c).dump());
  c.tasks.clear();  // implicit
  EXPECT_EQ(reconcile_text(c.framework_id, c.tasks), to_json(c).dump());
  c.framework_id.clear();
  EXPECT_EQ(reconcile_text(c.framework_id, c.tasks), to_json(c).dump());
}

TEST(CallJson, AnAcknowledgeWrittenAsTextIsTheJsonsText) {
  Call c;
  c.type = Call::Type::acknowledge;
  c.framework_id = "f-\"0\"";
  c.agent_id = "agent\\1";
  c.task_id = "t\n1";
  c.uuid = "AAECAwQFBgcICQoLDA0ODw==";
  EXPECT_EQ(acknowledge_text(c.framework_id, c.agent_id, c.task_id, c.uuid), to_json(c).dump());
  c.framework_id.clear();
  EXPECT_EQ(acknowledge_text(c.framework_id, c.agent_id, c.task_id, c.uuid), to_json(c).dump());
  std::string error;
  auto back = call_from_json(json::parse(acknowledge_text("f", "a", "t", "u")), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->uuid, "u");
  EXPECT_EQ(back->task_id, "t");
  EXPECT_EQ(back->agent_id, "a");
}

TEST(CallJson, ReviveWithoutABodyMeansAllRoles) {
  Call c = decode(R"({"type": "REVIVE", "framework_id": {"value": "f"}})");
  EXPECT_TRUE(c.roles.empty());
  Call implicit = decode(
      R"({"type": "RECONCILE", "framework_id": {"value": "f"}, "reconcile": {"tasks": []}})");
  EXPECT_TRUE(implicit.tasks.empty());
}

TEST(CallJson, InvalidCallsNameTheProblem) {
  EXPECT_EQ(refused("[]"), "call: must be an object");
  EXPECT_EQ(refused(R"({"type": "LAUNCH_EVERYTHING"})"),
            "call: unsupported type \"LAUNCH_EVERYTHING\"");
  EXPECT_EQ(refused(R"({"type": "KILL", "kill": {"task_id": {"value": "t"}}})"),
            "KILL: framework_id is required");
  EXPECT_EQ(refused(R"({"type": "KILL", "framework_id": {"value": "f"}, "kill": {}})"),
            "KILL: task_id is required");
  EXPECT_EQ(refused(R"({"type": "ACKNOWLEDGE", "framework_id": {"value": "f"},
      "acknowledge": {"agent_id": {"value": "a"}, "task_id": {"value": "t"}}})"),
            "ACKNOWLEDGE: uuid is required");
  EXPECT_EQ(refused(R"({"type": "SUBSCRIBE", "subscribe": {"framework_info": {"name": "n"}}})"),
            "SUBSCRIBE: framework_info.user is required");
  EXPECT_EQ(refused(R"({"type": "SUBSCRIBE", "framework_id": {"value": "x"},
      "subscribe": {"framework_info": {"user": "u", "name": "n"}}})"),
            "SUBSCRIBE: framework_id must equal framework_info.id");
  EXPECT_EQ(
      refused(
          R"({"type": "SHUTDOWN", "framework_id": {"value": "f"}, "shutdown": {"executor_id": {"value": "e"}}})"),
      "SHUTDOWN: agent_id is required");
  EXPECT_EQ(refused(R"({"type": "DECLINE", "framework_id": {"value": "f"}})"),
            "DECLINE: `decline` is missing");
}

}  // namespace
}  // namespace steward::mesos
