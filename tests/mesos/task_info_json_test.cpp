#include "mesos/task_info_json.hpp"

#include "common/json_document.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace steward::mesos {
namespace {

using nlohmann::json;

// The ACCEPT of the reference notes (mesos-v1 §1.8, §1.9): reserve, create a volume, launch
// a task group into a DEFAULT executor.
const char* kAccept = R"json({"framework_id": {"value": "9b6e-0000"}, "type": "ACCEPT",
 "accept": {"offer_ids": [{"value": "9b6e-O17"}], "filters": {"refuse_seconds": 5},
  "operations": [
   {"type": "RESERVE", "reserve": {"resources": [{"name": "disk", "type": "SCALAR",
      "scalar": {"value": 256}, "allocation_info": {"role": "hello-world-role"},
      "reservations": [{"type": "DYNAMIC", "role": "hello-world-role", "principal": "p",
                        "labels": {"labels": [{"key": "resource_id", "value": "r1"}]}}]}]}},
   {"type": "CREATE", "create": {"volumes": [{"name": "disk", "type": "SCALAR",
      "scalar": {"value": 256}, "reservations": [{"type": "DYNAMIC", "role": "hello-world-role"}],
      "disk": {"persistence": {"id": "b1d2", "principal": "p"},
               "volume": {"container_path": "hello-container-path", "mode": "RW"}}}]}},
   {"type": "LAUNCH_GROUP", "launch_group": {
     "executor": {"type": "DEFAULT", "executor_id": {"value": "hello__6c0a"},
       "framework_id": {"value": "9b6e-0000"}, "name": "hello",
       "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                     {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}]},
     "task_group": {"tasks": [{
       "name": "hello-0-server", "task_id": {"value": "hello-0-server__1b2c"},
       "agent_id": {"value": "9b6e-S0"},
       "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.5}}],
       "command": {"shell": true, "value": "echo hello >> out && sleep 1000",
                   "environment": {"variables": [{"name": "TASK_NAME", "value": "hello-0-server"}]},
                   "uris": [{"value": "http://example/x.tgz", "extract": true}]},
       "health_check": {"type": "COMMAND", "command": {"value": "test -f out"},
                        "interval_seconds": 10, "consecutive_failures": 3, "grace_period_seconds": 30},
       "check": {"type": "COMMAND", "command": {"command": {"value": "test -s out"}},
                 "delay_seconds": 5, "interval_seconds": 10},
       "kill_policy": {"grace_period": {"nanoseconds": 5000000000}},
       "labels": {"labels": [{"key": "goal_state", "value": "RUNNING"}]}}]}}}]}})json";

TEST(AcceptJson, ReadsReserveCreateAndLaunchGroup) {
  std::string error;
  auto a = accept_from_json(json::parse(kAccept), error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->framework_id, "9b6e-0000");
  EXPECT_THAT(a->offer_ids, ::testing::ElementsAre("9b6e-O17"));
  EXPECT_EQ(a->refuse_seconds, 5);
  ASSERT_EQ(a->operations.size(), 3u);
  EXPECT_EQ(a->operations[0].type, Operation::Type::reserve);
  EXPECT_EQ(a->operations[0].resources[0].label("resource_id"), "r1");
  EXPECT_EQ(a->operations[1].type, Operation::Type::create);
  EXPECT_EQ(a->operations[1].resources[0].disk->persistence->id, "b1d2");
  const Operation& launch = a->operations[2];
  ASSERT_EQ(launch.type, Operation::Type::launch_group);
  ASSERT_TRUE(launch.executor);
  EXPECT_EQ(launch.executor->executor_id, "hello__6c0a");
  ASSERT_EQ(launch.tasks.size(), 1u);
  const TaskInfo& t = launch.tasks[0];
  EXPECT_EQ(t.name, "hello-0-server");
  ASSERT_TRUE(t.command);
  EXPECT_EQ(t.command->value, "echo hello >> out && sleep 1000");
  EXPECT_EQ(t.command->environment.at(0).second, "hello-0-server");
  EXPECT_EQ(t.command->uris.at(0).value, "http://example/x.tgz");
  ASSERT_TRUE(t.health_check && t.check);
  EXPECT_EQ(t.health_check->command, "test -f out");
  EXPECT_EQ(t.health_check->grace_period_seconds, 30);
  EXPECT_EQ(t.check->command, "test -s out");
  EXPECT_EQ(t.check->delay_seconds, 5);
  EXPECT_EQ(t.kill_grace_period_ns, 5'000'000'000);
  EXPECT_EQ(t.labels.at(0).value, "RUNNING");
}

TEST(AcceptJson, RoundTrips) {
  std::string error;
  auto a = accept_from_json(json::parse(kAccept), error);
  ASSERT_TRUE(a) << error;
  auto again = accept_from_json(to_json(*a), error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(*again, *a);
}

// The text written one operation at a time is the JSON the tree would dump, with and without
// filters, and with no operations at all.
TEST(AcceptJson, TextEqualsTheTreeDumped) {
  std::string error;
  auto a = accept_from_json(json::parse(kAccept), error);
  ASSERT_TRUE(a) << error;
  ASSERT_GT(a->operations.size(), 1u);
  EXPECT_EQ(accept_text(*a), to_json(*a).dump());
  a->refuse_seconds.reset();
  EXPECT_EQ(accept_text(*a), to_json(*a).dump());
  a->operations.clear();
  EXPECT_EQ(accept_text(*a), to_json(*a).dump());
  EXPECT_TRUE(json::parse(accept_text(*a))["accept"]["operations"].is_array());
}

TEST(AcceptJson, InvalidOperationsAreRefusedWithTheReason) {
  std::string error;
  EXPECT_FALSE(operation_from_json(json::parse(R"({"type": "GROW_VOLUME"})"), error));
  EXPECT_EQ(error, "operation: unsupported type \"GROW_VOLUME\"");
  EXPECT_FALSE(operation_from_json(json::parse(R"({"type": "LAUNCH_GROUP", "launch_group": {
      "executor": {"type": "CUSTOM", "executor_id": {"value": "e"}, "framework_id": {"value": "f"}},
      "task_group": {"tasks": []}}})"),
                                   error));
  EXPECT_EQ(error, "LAUNCH_GROUP: executor.type must be DEFAULT");
  EXPECT_FALSE(operation_from_json(json::parse(R"({"type": "LAUNCH_GROUP", "launch_group": {
      "executor": {"type": "DEFAULT", "executor_id": {"value": "e"}}, "task_group": {"tasks": []}}})"),
                                   error));
  EXPECT_EQ(error, "LAUNCH_GROUP: executor.framework_id is required");
  EXPECT_FALSE(operation_from_json(json::parse(R"({"type": "LAUNCH", "id": {"value": "op1"},
      "launch": {"task_infos": []}})"),
                                   error));
  EXPECT_EQ(error, "LAUNCH: an operation id is not allowed on launches");
  EXPECT_FALSE(operation_from_json(
      json::parse(R"({"type": "LAUNCH", "launch": {"task_infos": [{"name": "x"}]}})"), error));
  EXPECT_EQ(error, "task x: task_id is required");
  EXPECT_FALSE(operation_from_json(
      json::parse(R"({"type": "RESERVE", "reserve": {"resources": [{"name": "cpus"}]}})"), error));
  EXPECT_EQ(error, "RESERVE: resource cpus.type: must be SCALAR, RANGES or SET");
  EXPECT_FALSE(accept_from_json(
      json::parse(R"({"type": "ACCEPT", "framework_id": {"value": "f"}, "accept": {}})"), error));
  EXPECT_EQ(error, "ACCEPT: offer_ids is required");
  EXPECT_FALSE(task_info_from_json(json::parse(R"({"task_id": {"value": "t"},
      "health_check": {"type": "HTTP", "http": {"scheme": "https", "port": 80}}})"),
                                   error));
  EXPECT_EQ(error, "task t.health_check: only the http scheme is supported, not https");
  EXPECT_FALSE(task_info_from_json(json::parse(R"({"task_id": {"value": "t"},
      "check": {"type": "TCP", "tcp": {"port": 0}}})"),
                                   error));
  EXPECT_EQ(error, "task t.check: a port from 1 to 65535 is required");
  EXPECT_FALSE(task_info_from_json(json::parse(R"({"task_id": {"value": "t"},
      "check": {"type": "GRPC"}})"),
                                   error));
  EXPECT_EQ(error, "task t.check: unsupported check type \"GRPC\"");
}

TEST(TaskInfoJson, RlimitsRoundTripAndBadOnesAreRefused) {
  std::string error;
  auto t = task_info_from_json(json::parse(R"({"name": "t", "task_id": {"value": "t"},
      "container": {"type": "MESOS", "rlimit_info": {"rlimits": [
        {"type": "RLMT_NOFILE", "soft": 1024, "hard": 4096}, {"type": "RLMT_CORE"}]}}})"),
                               error);
  ASSERT_TRUE(t) << error;
  ASSERT_EQ(t->rlimits.size(), 2u);
  EXPECT_EQ(t->rlimits[0].soft, 1024u);
  EXPECT_FALSE(t->rlimits[1].hard) << "no values: unlimited";
  auto back = task_info_from_json(to_json(*t), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, *t);
  EXPECT_FALSE(task_info_from_json(json::parse(R"({"task_id": {"value": "t"},
      "container": {"rlimit_info": {"rlimits": [{"type": "RLMT_NOFILE", "soft": 10, "hard": 5}]}}})"),
                                   error));
  EXPECT_NE(error.find("soft <= hard"), std::string::npos) << error;
  EXPECT_FALSE(task_info_from_json(json::parse(R"({"task_id": {"value": "t"},
      "container": {"rlimit_info": {"rlimits": [{"type": "RLMT_BOGUS"}]}}})"),
                                   error));
  EXPECT_NE(error.find("unsupported rlimit type"), std::string::npos) << error;
}

TEST(TaskInfoJson, HttpAndTcpChecksRoundTrip) {
  std::string error;
  auto t = task_info_from_json(json::parse(R"({"name": "t", "task_id": {"value": "t"},
      "health_check": {"http": {"port": 8080, "path": "/health"}, "interval_seconds": 2},
      "check": {"type": "TCP", "tcp": {"port": 9000}, "delay_seconds": 1}})"),
                               error);
  ASSERT_TRUE(t) << error;
  ASSERT_TRUE(t->health_check);
  EXPECT_EQ(t->health_check->type, CommandCheck::Type::http) << "a missing type is inferred";
  EXPECT_EQ(t->health_check->port, 8080u);
  EXPECT_EQ(t->health_check->path, "/health");
  ASSERT_TRUE(t->check);
  EXPECT_EQ(t->check->type, CommandCheck::Type::tcp);
  EXPECT_EQ(t->check->port, 9000u);
  json j = to_json(*t);
  EXPECT_EQ(j["health_check"]["type"], "HTTP");
  EXPECT_EQ(j["health_check"]["http"]["path"], "/health");
  EXPECT_EQ(j["check"]["tcp"]["port"], 9000);
  auto back = task_info_from_json(j, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, *t);
}

// The embedded master reads an ACCEPT through a JsonDocument: what the tree gives.
TEST(AcceptJson, ADocumentReadsWhatTheTreeReads) {
  std::string error;
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(kAccept)) << doc.error();
  auto a = accept_from_json(doc.root(), error);
  ASSERT_TRUE(a) << error;
  ASSERT_EQ(a->operations.size(), 3u);
  EXPECT_EQ(*a, *accept_from_json(json::parse(kAccept), error));
}

TEST(AcceptJson, AnOperationThatDoesNotReadFailsTheCallByName) {
  // Between two good ones.
  const std::string text = R"({"type": "ACCEPT", "framework_id": {"value": "f"},
      "accept": {"offer_ids": [{"value": "o1"}], "operations": [
        {"type": "UNRESERVE", "unreserve": {"resources": []}},
        {"type": "RESERVE", "reserve": {"resources": [{"name": "cpus"}]}},
        {"type": "UNRESERVE", "unreserve": {"resources": []}}]}})";
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text)) << doc.error();
  std::string error;
  EXPECT_FALSE(accept_from_json(doc.root(), error));
  EXPECT_EQ(error, "RESERVE: resource cpus.type: must be SCALAR, RANGES or SET");
}

}  // namespace
}  // namespace steward::mesos
