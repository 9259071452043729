#pragma once

// Agents that run real processes: each executor id is a `steward executor` process in its
// own session (it outlives the cluster daemon), in a Mesos-like sandbox
// (<agent>/slaves/<agent id>/frameworks/<fw>/executors/<executor>/runs/<container>), with
// the pod's volumes linked in at their container paths. Executors talk back through the
// agent's executor API: they subscribe (receiving LAUNCH_GROUP, KILL, ACKNOWLEDGED and
// SHUTDOWN events) and post their task updates.

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "cluster/agent_runtime.hpp"
#include "cluster/event_stream.hpp"
#include "common/exit_watcher.hpp"

namespace steward::cluster {

class ProcessRuntime : public AgentRuntime {
 public:
  using ExitSink = std::function<void(const std::string& agent_id, const std::string& framework_id,
                                      const std::string& executor_id, std::optional<int> status)>;
  struct Options {
    std::string program;       // steward-executor (or steward), started with `executor`
    std::string cluster_file;  // where executors read the daemon's address from
    double shutdown_grace_seconds = 5;
    // Asks the owner's loop to tick soon, from any thread: an executor exited (its
    // resources can go back now), or an acknowledgement waits for the checkpoint.
    std::function<void()> wake;
  };

  ProcessRuntime(Options options, ExitSink on_exit);
  ~ProcessRuntime();
  ProcessRuntime(const ProcessRuntime&) = delete;
  ProcessRuntime& operator=(const ProcessRuntime&) = delete;

  void launch(const LaunchRequest& request) override;
  void kill_task(const std::string& agent_id, const std::string& framework_id,
                 const std::string& executor_id, const std::string& task_id,
                 std::optional<std::int64_t> grace_ns) override;
  void shutdown_executor(const std::string& agent_id, const std::string& framework_id,
                         const std::string& executor_id) override;
  void acknowledged(const std::string& agent_id, const std::string& framework_id,
                    const std::string& executor_id, const std::string& task_id,
                    const std::string& uuid) override;
  bool create_volume(const std::string& agent_id, const std::string& path,
                     std::string& error) override;
  bool destroy_volume(const std::string& agent_id, const std::string& path,
                      std::string& error) override;

  // An executor subscribes: 404 when it is not one of ours.
  int subscribe(const std::string& agent_id, const std::string& framework_id,
                const std::string& executor_id, std::shared_ptr<EventStream> stream);
  void stream_closed(const std::string& agent_id, const std::string& framework_id,
                     const std::string& executor_id, const std::string& stream_id);
  // Notices executors that exited, and kills those that outlived their shutdown grace.
  void tick(double now);
  // Live executor processes (for the state documents and tests).
  std::size_t executors() const { return executors_.size(); }
  // Checkpointing: the executors started (pid, sandbox, the launches to send again). After
  // restore() live executors are adopted (they subscribe again on their own); dead ones
  // are reported as exited on the next tick.
  nlohmann::json checkpoint() const;
  bool restore(const nlohmann::json& checkpoint, std::string& error);
  bool take_dirty() {
    bool d = dirty_;
    dirty_ = false;
    return d;
  }

  // Passes acknowledgements on to the executors. Called after the checkpoint is written:
  // an executor forgets an update once acknowledged, so the master must have it on disk.
  void flush_acknowledgements();

  // The sessions of the executors started or adopted (an executor's pid is its session's
  // id): what a shutdown must empty, whether or not the executors are still there.
  std::vector<pid_t> sessions() const;

 private:
  struct Executor {
    std::string agent_id, framework_id, executor_id;
    pid_t pid = -1;
    std::string sandbox;
    std::string framework_user;
    std::shared_ptr<EventStream> stream;
    std::vector<std::string> launches;  // every LAUNCH_GROUP, sent again on resubscription
    std::vector<std::string> pending;   // other events waiting for a subscription
    std::vector<std::string> acks;      // ACKNOWLEDGED events waiting for the checkpoint
    double shutdown_deadline = 0;
    bool shutdown_requested = false;
  };
  static std::string key(const std::string& agent, const std::string& fw, const std::string& ex) {
    return agent + "/" + fw + "/" + ex;
  }
  void deliver(Executor& executor, std::string record);

  void wake() const {
    if (options_.wake) options_.wake();
  }

  Options options_;
  ExitSink on_exit_;
  std::unique_ptr<ExitWatcher> exits_;  // with `wake`: exits noticed between ticks
  std::map<std::string, Executor> executors_;
  double now_ = 0;
  bool dirty_ = false;
};

}  // namespace steward::cluster
