#pragma once

// The pod executor's state machine (what Mesos' default executor does): runs each task of
// its task groups as a process group in a sandbox of its own that shares the pod's volumes,
// reports STARTING, RUNNING and a terminal state, kills with SIGTERM then SIGKILL after the
// grace period, applies the group failure policy, runs health checks (killing unhealthy
// tasks) and readiness checks, and keeps every update until it is acknowledged. One thread
// drives it; time comes in as `now` (seconds).

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mesos/executor_api.hpp"
#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"

namespace steward::executor {

struct ExecutorOptions {
  std::string framework_id;
  std::string executor_id;
  std::string agent_id;
  std::string sandbox;         // the executor's sandbox; tasks get <sandbox>/tasks/<task id>
  std::string framework_user;  // tasks run as this user (or their command's) when root
  std::vector<std::pair<std::string, std::string>> environment;  // base environment of tasks
  double default_grace_seconds = 3;
  std::string program;  // this binary: HTTP and TCP checks run `program check ...`
  // Told of each process started (a task or a check), so that its exit can wake whoever
  // calls tick() rather than waiting for the next one.
  std::function<void(pid_t)> started;
};

class PodExecutor {
 public:
  using Sender = std::function<void(const mesos::TaskStatus&)>;
  PodExecutor(ExecutorOptions options, Sender send);

  void launch_group(const std::vector<mesos::TaskInfo>& tasks,
                    const std::vector<mesos::VolumeMount>& volumes, double now);
  // Kills the task and, as the default executor does, the rest of its group.
  void kill(const std::string& task_id, std::optional<std::int64_t> grace_ns, double now);
  void acknowledged(const std::string& task_id, const std::string& uuid);
  void shutdown(double now);
  // Reaps exited processes, escalates kills, runs checks.
  void tick(double now);
  // Sends every unacknowledged update again (after resubscribing).
  void resend_unacknowledged();

  // No task left and every update acknowledged (after at least one launch or a shutdown).
  bool finished() const;
  std::size_t live_tasks() const;
  const std::deque<mesos::TaskStatus>& unacknowledged() const { return unacked_; }

 private:
  struct Checker {
    mesos::CommandCheck spec;
    bool health = false;
    std::string output;  // where an HTTP probe writes the status code
    double next = 0;
    pid_t pid = -1;
    double started = 0;
    std::uint32_t consecutive_failures = 0;
    bool ever_succeeded = false;
    std::optional<bool> reported_healthy;
    std::optional<int> reported_exit;
    std::optional<int> reported_http;
    std::optional<bool> reported_tcp;
  };
  struct Task {
    mesos::TaskInfo info;
    std::uint64_t group = 0;
    std::string sandbox;
    std::vector<std::pair<std::string, std::string>> environment;
    std::string user;
    pid_t pid = -1;
    mesos::TaskState state = mesos::TaskState::staging;
    double started = 0;
    bool kill_requested = false;
    bool unhealthy_kill = false;
    double kill_deadline = 0;
    bool sigkill_sent = false;
    std::optional<Checker> health;
    std::optional<Checker> readiness;
  };

  void send(Task& task, mesos::TaskState state, std::string message, std::string reason = {},
            std::optional<bool> healthy = std::nullopt);
  // A RUNNING update carrying a check's new result.
  void send_check(Task& task, std::optional<int> exit_code, std::optional<int> http_status,
                  std::optional<bool> tcp_succeeded);
  bool start_task(Task& task, const std::vector<mesos::VolumeMount>& volumes, std::string& error);
  void begin_kill(Task& task, double grace_seconds, double now);
  void task_exited(Task& task, int status, double now);
  void check_exited(Task& task, Checker& checker, int status, double now);
  void run_checks(Task& task, double now);
  void kill_group_of(const Task& task, double now);

  ExecutorOptions options_;
  Sender send_;
  std::map<std::string, Task> tasks_;
  std::deque<mesos::TaskStatus> unacked_;
  std::uint64_t groups_ = 0;
  bool launched_ = false;
  bool shutting_down_ = false;
};

}  // namespace steward::executor
