#pragma once

// Mesos v1 TaskInfo, ExecutorInfo (the DEFAULT executor) and offer operations, as plain
// data: what a scheduler sends in ACCEPT and what the embedded cluster carries out.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesos/resource.hpp"

namespace steward::mesos {

struct CommandInfo {
  struct Uri {
    std::string value;
    bool extract = true;
    bool executable = false;
    friend bool operator==(const Uri&, const Uri&) = default;
  };
  bool shell = true;  // run as /bin/sh -c value
  std::string value;
  std::vector<std::string> arguments;  // with shell = false
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<Uri> uris;
  std::string user;
  friend bool operator==(const CommandInfo&, const CommandInfo&) = default;
};

// Health checks and checks (seconds, as Mesos takes them). The spec's health-check and
// readiness-check become COMMAND ones; HTTP and TCP probe 127.0.0.1:port, as Mesos does.
struct CommandCheck {
  enum class Type { command, http, tcp };
  Type type = Type::command;
  std::string command;     // COMMAND
  std::uint32_t port = 0;  // HTTP, TCP
  std::string path;        // HTTP, e.g. /health
  std::string scheme = "http";
  std::vector<std::pair<std::string, std::string>> environment;
  double delay_seconds = 15;
  double interval_seconds = 10;
  double timeout_seconds = 20;
  double grace_period_seconds = 10;        // health checks only
  std::uint32_t consecutive_failures = 3;  // health checks only
  friend bool operator==(const CommandCheck&, const CommandCheck&) = default;
};

// container.rlimit_info.rlimits: a POSIX resource limit for the task's processes. Both
// values unset means unlimited.
struct RLimit {
  std::string type;  // RLMT_NOFILE, RLMT_NPROC, RLMT_CORE, ...
  std::optional<std::uint64_t> soft;
  std::optional<std::uint64_t> hard;
  friend bool operator==(const RLimit&, const RLimit&) = default;
};

// The RLMT_ names Mesos knows.
bool is_rlimit_type(const std::string& type);

struct ExecutorInfo {
  std::string executor_id;
  std::string framework_id;
  std::string name;
  std::vector<Resource> resources;
  friend bool operator==(const ExecutorInfo&, const ExecutorInfo&) = default;
};

struct TaskInfo {
  std::string name;
  std::string task_id;
  std::string agent_id;
  std::vector<Resource> resources;
  std::optional<CommandInfo> command;
  Boxed<CommandCheck> health_check;  // on the heap: most tasks have neither
  Boxed<CommandCheck> check;         // readiness
  std::optional<std::int64_t> kill_grace_period_ns;
  std::vector<RLimit> rlimits;
  std::vector<Label> labels;
  // The pod's executor, kept with the task in the state store (as dcos-commons does); never
  // sent inside a LAUNCH_GROUP, whose executor travels beside the group.
  std::optional<ExecutorInfo> executor;
  friend bool operator==(const TaskInfo&, const TaskInfo&) = default;
};

struct Operation {
  enum class Type { unknown, launch, launch_group, reserve, unreserve, create, destroy };
  Type type = Type::unknown;
  std::vector<Resource> resources;       // RESERVE / UNRESERVE resources, CREATE / DESTROY volumes
  std::optional<ExecutorInfo> executor;  // LAUNCH_GROUP
  std::vector<TaskInfo> tasks;           // LAUNCH task_infos, LAUNCH_GROUP task_group.tasks
  std::string id;                        // optional feedback id (not on LAUNCH*)
  friend bool operator==(const Operation&, const Operation&) = default;
};

struct AcceptCall {
  std::string framework_id;
  std::vector<std::string> offer_ids;
  std::vector<Operation> operations;
  std::optional<double> refuse_seconds;
  friend bool operator==(const AcceptCall&, const AcceptCall&) = default;
};

}  // namespace steward::mesos
