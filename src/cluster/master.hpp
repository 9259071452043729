#pragma once

// The embedded cluster's master and the ledger of its agents: frameworks and their event
// streams, the allocator (DRF between frameworks, filters, suppression), offers, the
// operations of ACCEPT, task status updates with acknowledgement, reconciliation, failover
// and fault injection. One instance lives on the daemon's event loop; nothing here locks.
// Every method takes `now` (seconds since the epoch) so tests drive time.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/agent_runtime.hpp"
#include "cluster/cluster_config.hpp"
#include "cluster/event_stream.hpp"
#include "mesos/call.hpp"
#include "mesos/offer.hpp"
#include "mesos/task_info.hpp"
#include "mesos/task_status.hpp"
#include "resources/resource_pool.hpp"

namespace steward::cluster {

// The HTTP answer to a call: 202 for accepted asynchronous calls, 4xx with a message.
struct CallOutcome {
  CallOutcome() = default;
  CallOutcome(int s, std::string m, std::string f = {})
      : status(s), message(std::move(m)), framework_id(std::move(f)) {}
  int status = 202;
  std::string message;
  std::string framework_id;  // SUBSCRIBE: the id the framework got
  // The call left resources that the next allocation would offer: allocate now rather than
  // at the next tick (a DECLINE that joined what was declined with what was freed meanwhile).
  bool allocate_now = false;
};

struct TaskRecord {
  mesos::TaskInfo info;
  std::string framework_id;
  std::string executor_id;
  std::string agent_id;
  std::string role;
  std::vector<mesos::Resource>
      resources;            // what it holds (a volume its executor holds is not counted twice)
  std::uint64_t group = 0;  // tasks launched by one LAUNCH_GROUP share a group
  mesos::TaskState state = mesos::TaskState::staging;
  std::optional<mesos::TaskStatus> latest;
  // Vectors: an empty deque allocates 576 bytes, and most tasks have nothing unacknowledged.
  // Both lists only grow at the back and shrink at the front (or are emptied), and a status
  // is never changed once queued (each has a uuid of its own): the checkpoint journal tells
  // whether either changed by its size and one end (master_checkpoint.cpp).
  std::vector<mesos::TaskStatus> unacknowledged;  // the head is in flight
  std::vector<std::string> acknowledged;          // recent uuids, to answer repeats
  double last_sent = 0;
  bool resources_released = false;
  // The fields above `group` included are set at launch and never change: their checkpoint
  // text is written once and kept (master_checkpoint.cpp). Whatever changes one of them must
  // clear this.
  mutable std::string checkpoint_fixed;
  // `latest` as checkpoint text; cleared where `latest` is replaced.
  mutable std::string checkpoint_latest;
  // New (from one counter) whenever either text above is written: a journal entry holds the
  // task again when it differs from the stamp its last one saw.
  mutable std::uint64_t checkpoint_stamp = 0;
};

struct ExecutorRecord {
  mesos::ExecutorInfo info;
  std::string agent_id;
  std::string role;
  // Both only grow, and `role` is set once (the checkpoint journal relies on it).
  std::vector<mesos::Resource> volumes;  // volumes its tasks list that its info does not
  std::set<std::string> tasks;           // every task ever launched into it
  mutable std::string checkpoint_info;   // `info` as checkpoint text (clear it if info changes)
  mutable std::uint64_t checkpoint_stamp = 0;  // as a task's, for checkpoint_info
};

struct OfferRecord {
  std::string id;
  std::string framework_id;
  std::string agent_id;
  std::string role;
  std::vector<mesos::Resource> resources;  // without allocation info
};

struct AgentRecord {
  enum class State { active, stopped, removed };
  AgentConfig config;
  std::string id;
  State state = State::active;
  resources::ResourcePool total;        // with reservations and volumes applied
  resources::ResourcePool free;         // neither offered nor used
  std::uint64_t releases = 0;           // task and executor resources given back, counted
  std::uint64_t releases_answered = 0;  // `releases` when a DECLINE last allocated at once
  std::map<std::string, ExecutorRecord> executors;  // by "<framework>/<executor>"
  double registered_time = 0;
  mutable std::string checkpoint_configured;         // `config`'s resources as checkpoint text
  mutable std::string checkpoint_total;              // `total` as checkpoint text, while it has
  mutable std::uint64_t checkpoint_total_stamp = 0;  // this stamp
};

// What the checkpoint files hold of each task, agent and executor, told by what changes of
// it: the stamp of its kept texts (a task's fixed part and latest update, an executor's
// info, an agent's ledger), and the sizes and ends of the lists that only grow at one end.
// Sorted as the records are, so that one walk over both finds what changed and what went
// away (master_checkpoint.cpp).
struct JournalMarks {
  struct Task {
    std::uint64_t stamp = 0;
    mesos::TaskState state = mesos::TaskState::staging;
    bool released = false;
    bool latest = false;
    std::size_t unacknowledged = 0;
    std::string first_unacknowledged;  // its uuid
    std::size_t acknowledged = 0;
    std::string last_acknowledged;
    bool operator==(const Task&) const = default;
  };
  struct Executor {
    std::uint64_t stamp = 0;
    std::size_t volumes = 0;
    std::size_t tasks = 0;
    bool operator==(const Executor&) const = default;
  };
  struct Agent {
    std::uint64_t total_stamp = 0;
    AgentRecord::State state = AgentRecord::State::active;
    double registered_time = 0;
    bool operator==(const Agent&) const = default;
  };
  std::map<std::string, Task> tasks;  // by task key
  std::map<std::string, Agent> agents;
  std::map<std::string, std::map<std::string, Executor>> executors;  // by agent, executor
};

// Resources a framework declined (or left unused) on an agent, not offered again to that
// role until `until` unless the agent has more to give.
struct OfferFilter {
  std::string agent_id;
  std::string role;
  double until = 0;
  resources::ResourcePool resources;
};

struct FrameworkRecord {
  mesos::FrameworkInfo info;
  bool connected = false;
  std::shared_ptr<EventStream> stream;
  std::set<std::string> suppressed;
  std::vector<OfferFilter> filters;
  double registered_time = 0;
  double disconnected_at = 0;
  double last_heartbeat = 0;

  bool capable(const char* capability) const;
  bool partition_aware() const { return capable("PARTITION_AWARE"); }
};

class Master {
 public:
  // `runtime_for` answers the runtime of an agent (simulated or real).
  Master(std::string master_id, ClusterConfig config,
         std::function<AgentRuntime&(const AgentRecord&)> runtime_for, std::string work_dir,
         double now);

  const std::string& id() const { return id_; }
  const ClusterConfig& config() const { return config_; }

  // Scheduler API. `stream_id` is the Mesos-Stream-Id the call carried.
  CallOutcome subscribe(const mesos::Call& call, std::shared_ptr<EventStream> stream, double now);
  CallOutcome handle(const mesos::Call& call, const std::string& stream_id, double now);
  // Works on the call's operations in place (their resources are stripped of allocations);
  // the caller frees them, on the thread that read them (freed on the loop, blocks allocated
  // on a connection's thread went back to that thread's arena one lock at a time).
  CallOutcome accept(mesos::AcceptCall& call, const std::string& stream_id, double now);
  // Checks the framework and stream of a call the master accepts and ignores.
  CallOutcome validate(const std::string& framework_id, const std::string& stream_id);
  // UPDATE_FRAMEWORK, given as a subscribe-shaped call (framework_info, suppressed_roles).
  CallOutcome update_framework(const mesos::Call& call, const std::string& stream_id, double now);
  // The subscriber's connection went away.
  void stream_closed(const std::string& framework_id, const std::string& stream_id, double now);

  // Heartbeats, update retries, failover timeouts, filter expiry and allocation.
  void tick(double now);
  void allocate(double now);

  // Reports from the runtimes.
  // `framework_id`, when the reporter knows it, saves a search through every task.
  void status_update(const std::string& agent_id, mesos::TaskStatus status, double now,
                     const std::string& framework_id = {});
  void executor_terminated(const std::string& agent_id, const std::string& framework_id,
                           const std::string& executor_id, std::optional<int> wait_status,
                           double now);

  // Fault injection (by agent id or agent name).
  CallOutcome stop_agent(const std::string& agent, double now);
  CallOutcome start_agent(const std::string& agent, double now);
  CallOutcome remove_agent(const std::string& agent, double now);
  // Operator TEARDOWN.
  CallOutcome teardown(const std::string& framework_id, double now);

  // Checkpointing: everything but offers, as JSON (master_checkpoint.cpp). restore() takes
  // a checkpoint of the same agents (by name and resources) or refuses it with `error`;
  // recovered frameworks count as disconnected since `now`.
  nlohmann::json checkpoint() const;
  std::string checkpoint_text() const;  // the same, as text, without the whole tree at once
  // The same text in pieces: whenever `out` holds `piece` bytes or more, `drain` takes it
  // (and empties it), so that a checkpoint of 10,000 tasks (47 MB) never sits in memory
  // whole. False from `drain` stops the writing and is returned.
  // `mark`: this checkpoint is the one a journal's entries build on (write_journal_entry).
  bool write_checkpoint(std::string& out, const std::function<bool(std::string&)>& drain,
                        std::size_t piece = std::size_t{1} << 20, bool mark = false) const;
  // What changed since the last marked checkpoint or journal entry, as one JSON object
  // appended to `out` (checkpoint_journal.hpp): the tasks, agents and executors that changed
  // or went away, and the small rest of the master whole. Marks what it wrote as written.
  // In pieces as write_checkpoint's are: an entry holds every task launched since the last
  // save (4 KB each).
  bool write_journal_entry(std::string& out, const std::function<bool(std::string&)>& drain,
                           std::size_t piece = std::size_t{1} << 20) const;
  bool restore(const nlohmann::json& checkpoint, double now, std::string& error);
  // True once after anything worth checkpointing changed.
  bool take_dirty() {
    bool d = dirty_;
    dirty_ = false;
    return d;
  }

  // A task's key in tasks() and in the checkpoint's journal.
  static std::string task_key(const std::string& framework_id, const std::string& task_id) {
    return framework_id + "/" + task_id;
  }

  // Read access for the state endpoints.
  const std::map<std::string, AgentRecord>& agents() const { return agents_; }
  const std::map<std::string, FrameworkRecord>& frameworks() const { return frameworks_; }
  const std::map<std::string, TaskRecord>& tasks() const { return tasks_; }
  const std::map<std::string, TaskRecord>& completed_tasks() const { return completed_; }
  const std::map<std::string, OfferRecord>& offers() const { return offers_; }
  const std::set<std::string>& removed_frameworks() const { return removed_frameworks_; }
  const AgentRecord* find_agent(const std::string& id_or_name) const;
  double start_time() const { return start_time_; }
  // Where a persistent volume lives on the host.
  std::string volume_path(const AgentRecord& agent, const std::string& role,
                          const std::string& persistence_id) const;
  std::string sandbox_path(const AgentRecord& agent, const std::string& framework_id,
                           const std::string& executor_id) const;
  // Resources in use by executors and tasks on an agent.
  resources::ResourcePool used(const AgentRecord& agent) const;

 private:
  FrameworkRecord* connected_framework(const mesos::Call& call, const std::string& stream_id,
                                       CallOutcome& outcome);
  AgentRecord* agent_by(const std::string& id_or_name);
  void send(FrameworkRecord& framework, const mesos::Event& event);
  void send_agent_lost(const std::string& agent_id);
  void send_subscribed(FrameworkRecord& framework, double now);
  void send_update(FrameworkRecord& framework, const mesos::TaskStatus& status);
  mesos::TaskStatus master_status(const std::string& task_id, const std::string& agent_id,
                                  mesos::TaskState state, const std::string& reason,
                                  std::string message, double now) const;
  void rescind_offer(const std::string& offer_id, bool notify);
  void rescind_offers_of(const std::string& framework_id, bool notify);
  void rescind_offers_on(const std::string& agent_id);
  void release_task_resources(TaskRecord& task);
  void release_executor(AgentRecord& agent, const std::string& key);
  void remove_framework(FrameworkRecord& framework, double now);
  // Whether an offer would go out now on any agent of the declined offers.
  bool decline(FrameworkRecord& framework, const std::vector<std::string>& offer_ids,
               std::optional<double> refuse_seconds, double now);
  // Whether the next allocation would offer the framework more than was just `returned` to
  // one of these agents (what was freed there meanwhile, with it). `returned` holds only
  // agents that gave back a task's or an executor's resources since a DECLINE last allocated
  // at once there: what other frameworks or roles decline is no reason to, or two of them
  // declining without filters would pass the same resources back and forth.
  bool offers_more(const FrameworkRecord& framework,
                   const std::map<const AgentRecord*, resources::ResourcePool>& returned,
                   double now) const;
  // What of the agent's free resources a framework's role may be offered.
  std::vector<mesos::Resource> candidates(const FrameworkRecord& framework,
                                          const AgentRecord& agent, const std::string& role) const;
  void reconcile(FrameworkRecord& framework, const std::vector<mesos::Call::TaskRef>& refs,
                 double now);
  void kill(FrameworkRecord& framework, const mesos::Call& call, double now);
  void acknowledge(FrameworkRecord& framework, const mesos::Call& call, double now,
                   CallOutcome& outcome);
  void complete_task_if_done(const std::string& key);
  void refuse_tasks(FrameworkRecord& framework, const mesos::Operation& op, mesos::TaskState state,
                    const std::string& reason, const std::string& message,
                    const std::string& agent_id, double now);
  // ACCEPT's operations, one by one, against the offered pool.
  bool apply_reserve(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                     const mesos::Operation& op, resources::ResourcePool& pool, std::string& error);
  bool apply_unreserve(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                       const mesos::Operation& op, resources::ResourcePool& pool,
                       std::string& error);
  bool apply_create(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                    const mesos::Operation& op, resources::ResourcePool& pool, std::string& error);
  bool apply_destroy(AgentRecord& agent, const std::string& role, const mesos::Operation& op,
                     resources::ResourcePool& pool, std::string& error);
  bool apply_launch_group(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                          mesos::Operation& op, resources::ResourcePool& pool, std::string& error,
                          double now);
  double dominant_share(const std::string& framework_id) const;

  std::string id_;
  ClusterConfig config_;
  std::function<AgentRuntime&(const AgentRecord&)> runtime_for_;
  std::string work_dir_;
  double start_time_;
  std::map<std::string, AgentRecord> agents_;
  std::map<std::string, FrameworkRecord> frameworks_;
  std::set<std::string> removed_frameworks_;
  std::map<std::string, TaskRecord> tasks_;      // by "<framework>/<task>"
  std::map<std::string, TaskRecord> completed_;  // terminal and acknowledged (bounded)
  std::deque<std::string> completed_order_;
  std::map<std::string, OfferRecord> offers_;
  std::uint64_t framework_counter_ = 0;
  std::uint64_t offer_counter_ = 0;
  std::uint64_t group_counter_ = 0;
  bool allocation_needed_ = true;
  bool dirty_ = true;
  mutable JournalMarks marks_;
  double next_allocation_ = 0;
  // No unacknowledged update is due to go out again before this: the retry pass walks every
  // task, and running it each tick was a sixth of the cluster's time in a large deploy.
  double retry_due_ = 0;
  void retry_after(double sent) {
    retry_due_ = std::min(retry_due_, sent + config_.update_retry_seconds);
  }
};

}  // namespace steward::cluster
