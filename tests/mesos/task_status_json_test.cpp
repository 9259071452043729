#include "mesos/task_status_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace steward::mesos {
namespace {

using nlohmann::json;

TEST(TaskState, NamesAndTerminality) {
  for (TaskState s : {TaskState::staging, TaskState::starting, TaskState::running,
                      TaskState::killing, TaskState::finished, TaskState::failed, TaskState::killed,
                      TaskState::error, TaskState::lost, TaskState::dropped, TaskState::unreachable,
                      TaskState::gone, TaskState::gone_by_operator, TaskState::unknown}) {
    EXPECT_EQ(parse_task_state(to_string(s)), s);
  }
  EXPECT_TRUE(is_terminal(TaskState::finished));
  EXPECT_TRUE(is_terminal(TaskState::gone_by_operator));
  EXPECT_FALSE(is_terminal(TaskState::lost));  // may come back with its agent
  EXPECT_FALSE(is_terminal(TaskState::unreachable));
  EXPECT_FALSE(is_terminal(TaskState::killing));
  EXPECT_FALSE(parse_task_state("RUNNING"));
}

TEST(TaskStatusJson, ReadsAnUpdateFromTheReference) {
  std::string error;
  auto s = task_status_from_json(json::parse(R"({
    "task_id": {"value": "hello-0-server__1b2c"}, "state": "TASK_RUNNING",
    "source": "SOURCE_EXECUTOR", "agent_id": {"value": "9b6e-S0"},
    "executor_id": {"value": "hello__6c0a"}, "timestamp": 1700000000.123,
    "uuid": "hTaLQ0b5Q1OZuab7QclTKQ==", "healthy": true,
    "check_status": {"type": "TCP", "tcp": {"succeeded": true}},
    "container_status": {"container_id": {"value": "c1", "parent": {"value": "p1"}},
                         "network_infos": [{"ip_addresses": [{"ip_address": "127.0.0.1"}]}]},
    "a_field_from_the_future": 1})"),
                                 error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->task_id, "hello-0-server__1b2c");
  EXPECT_EQ(s->state, TaskState::running);
  EXPECT_EQ(s->source, TaskStatus::Source::executor);
  EXPECT_EQ(s->agent_id, "9b6e-S0");
  EXPECT_EQ(s->executor_id, "hello__6c0a");
  EXPECT_DOUBLE_EQ(s->timestamp, 1700000000.123);
  EXPECT_TRUE(s->needs_ack());
  EXPECT_EQ(s->healthy, true);
  EXPECT_EQ(s->check_succeeded, true);
  EXPECT_FALSE(s->check_exit_code);
  EXPECT_THAT(s->ip_addresses, ::testing::ElementsAre("127.0.0.1"));
}

TEST(TaskStatusJson, CommandChecksAndReconciliationAnswers) {
  std::string error;
  auto s = task_status_from_json(json::parse(R"({"task_id": {"value": "t"}, "state": "TASK_LOST",
      "source": "SOURCE_MASTER", "reason": "REASON_RECONCILIATION",
      "check_status": {"type": "COMMAND", "command": {"exit_code": 1}}})"),
                                 error);
  ASSERT_TRUE(s) << error;
  EXPECT_FALSE(s->needs_ack());  // the master's own updates are not acknowledged
  EXPECT_EQ(s->reason, "REASON_RECONCILIATION");
  EXPECT_EQ(s->check_exit_code, 1);
}

TEST(TaskStatusJson, RoundTrips) {
  TaskStatus s;
  s.task_id = "world-0-server__x";
  s.state = TaskState::finished;
  s.message = "exited 0";
  s.source = TaskStatus::Source::agent;
  s.reason = "REASON_COMMAND_EXECUTOR_FAILED";
  s.agent_id = "a-S1";
  s.executor_id = "world__e";
  s.timestamp = 12.5;
  s.uuid = "AAAAAAAAAAAAAAAAAAAAAA==";
  s.healthy = false;
  s.check_exit_code = 0;
  s.labels = {{"goal_state", "FINISH"}, {"bare", std::nullopt}};
  s.ip_addresses = {"127.0.0.1", "::1"};
  std::string error;
  auto back = task_status_from_json(to_json(s), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, s);
}

TEST(TaskStatusJson, InvalidStatusesNameTheField) {
  std::string error;
  EXPECT_FALSE(task_status_from_json(json::parse("[1]"), error));
  EXPECT_EQ(error, "status: must be an object");
  EXPECT_FALSE(task_status_from_json(json::parse(R"({"state": "TASK_RUNNING"})"), error));
  EXPECT_EQ(error, "status.task_id: is required");
  EXPECT_FALSE(task_status_from_json(
      json::parse(R"({"task_id": {"value": "t"}, "state": "RUNNING"})"), error));
  EXPECT_EQ(error, "status.state: unknown task state \"RUNNING\"");
}

}  // namespace
}  // namespace steward::mesos
