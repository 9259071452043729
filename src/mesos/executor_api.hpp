#pragma once

// The agent <-> executor protocol of the embedded cluster, shaped after the Mesos v1
// executor HTTP API: the executor SUBSCRIBEs (a RecordIO event stream) and sends UPDATE
// calls; the agent sends SUBSCRIBED, LAUNCH_GROUP, KILL, ACKNOWLEDGED and SHUTDOWN.
// Where Mesos mounts volumes into nested containers, LAUNCH_GROUP here carries the
// volumes to link into each task's sandbox.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"

namespace steward::mesos {

struct VolumeMount {
  std::string container_path;  // relative to the sandbox
  std::string host_path;
  friend bool operator==(const VolumeMount&, const VolumeMount&) = default;
};

struct ExecutorCall {
  enum class Type { unknown, subscribe, update };
  Type type = Type::unknown;
  std::string framework_id;
  std::string executor_id;
  std::optional<TaskStatus> status;  // UPDATE
  friend bool operator==(const ExecutorCall&, const ExecutorCall&) = default;
};

struct ExecutorEvent {
  enum class Type { unknown, subscribed, launch_group, kill, acknowledged, shutdown };
  Type type = Type::unknown;
  // SUBSCRIBED
  std::string agent_id;
  std::string framework_user;
  // LAUNCH_GROUP
  std::vector<TaskInfo> tasks;
  std::vector<VolumeMount> volumes;
  // KILL, ACKNOWLEDGED
  std::string task_id;
  std::optional<std::int64_t> kill_grace_period_ns;
  std::string uuid;
  friend bool operator==(const ExecutorEvent&, const ExecutorEvent&) = default;
};

std::string encode(const ExecutorCall& call);
std::string encode(const ExecutorEvent& event);
// nullopt with `error` naming the field when the JSON is not a valid call or event.
std::optional<ExecutorCall> decode_executor_call(const std::string& text, std::string& error);
std::optional<ExecutorEvent> decode_executor_event(const std::string& text, std::string& error);

}  // namespace steward::mesos
