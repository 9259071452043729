#pragma once

// Mesos v1 scheduler Calls and FrameworkInfo as plain data. This part covers every call
// but ACCEPT (whose offer operations and TaskInfo come with the embedded cluster).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace steward::mesos {

struct FrameworkInfo {
  std::string id;  // empty for a new framework
  std::string user;
  std::string name;
  std::vector<std::string> roles;
  std::string principal;
  double failover_timeout = 0;  // seconds
  bool checkpoint = false;
  std::string webui_url;
  std::vector<std::string> capabilities;  // "MULTI_ROLE", "RESERVATION_REFINEMENT", ...
  friend bool operator==(const FrameworkInfo&, const FrameworkInfo&) = default;
};

struct Call {
  enum class Type {
    unknown,
    subscribe,
    teardown,
    decline,
    revive,
    kill,
    shutdown,
    acknowledge,
    reconcile,
    suppress,
  };
  struct TaskRef {
    std::string task_id;
    std::string agent_id;  // optional
    friend bool operator==(const TaskRef&, const TaskRef&) = default;
  };

  Type type = Type::unknown;
  std::string framework_id;  // every call but a first SUBSCRIBE
  // SUBSCRIBE
  FrameworkInfo framework_info;
  std::vector<std::string> suppressed_roles;
  // DECLINE
  std::vector<std::string> offer_ids;
  std::optional<double> refuse_seconds;
  // REVIVE, SUPPRESS (empty: all roles)
  std::vector<std::string> roles;
  // KILL, ACKNOWLEDGE
  std::string task_id;
  std::string agent_id;
  // KILL: kill_policy.grace_period, overriding the task's own
  std::optional<std::int64_t> kill_grace_period_ns;
  // SHUTDOWN
  std::string executor_id;
  // ACKNOWLEDGE: Base64 of the 16-byte uuid, as the update carried it
  std::string uuid;
  // RECONCILE (empty: implicit reconciliation)
  std::vector<TaskRef> tasks;
  friend bool operator==(const Call&, const Call&) = default;
};

}  // namespace steward::mesos
