#pragma once

// The service scheduler: one event loop that owns the plans, the state cache, the offer queue
// and every piece of work under way, fed by the Mesos session (offers, statuses) and by the
// operator (commands through the REST API). It deploys the spec's plans, keeps every task at
// its goal (recovery with launch backoff), reconciles after each subscription, collects
// reservations no task keeps, and uninstalls.
//
// Order of every status: persisted, then applied to plans, then acknowledged. Order of every
// launch: TaskInfos persisted, then ACCEPT. Offers are used only once explicit reconciliation
// has completed.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/event_loop.hpp"
#include "common/failure_log.hpp"
#include "common/quiet_timer.hpp"
#include "mesos/call_queue.hpp"
#include "offer/footprint_evaluator.hpp"
#include "offer/pod_footprint.hpp"
#include "offer/unexpected_resources.hpp"
#include "placement/placement_evaluator.hpp"
#include "plan/plan_coordinator.hpp"
#include "scheduler/call_failures.hpp"
#include "scheduler/config_update.hpp"
#include "scheduler/evaluation_history.hpp"
#include "scheduler/last_status.hpp"
#include "scheduler/launch_backoff.hpp"
#include "scheduler/mesos_session.hpp"
#include "scheduler/reconciler.hpp"
#include "scheduler/revive_limiter.hpp"
#include "scheduler/scheduler_metrics.hpp"
#include "scheduler/task_entry.hpp"
#include "scheduler/task_killer.hpp"
#include "spec/config_validator.hpp"
#include "spec/service_spec.hpp"
#include "state/locked_state_store.hpp"
#include "state/sqlite_state_store.hpp"
#include "steward/plan_customizer.hpp"
#include "steward/recovery_overrider.hpp"
#include "steward/service_view.hpp"

namespace steward {
class JsonText;
}

namespace steward::scheduler {

struct SchedulerOptions {
  std::optional<spec::ServiceSpec> spec;  // unset only when uninstalling from state alone
  std::string service_name;               // from the spec, or given for an uninstall
  std::string state_dir;                  // <data-dir>/<service>
  std::string master_host = "127.0.0.1";
  int master_port = 5050;
  std::string user;  // the framework user; empty: the current user
  double failover_timeout_seconds = 14 * 24 * 3600;
  bool uninstall = false;
  LaunchBackoff::Options backoff;
  Reconciler::Options reconcile;
  offer::ExecutorOverhead overhead;
  double short_decline_seconds = 5;
  double long_decline_seconds = 14 * 24 * 3600;
  double kill_resend_seconds = 5;
  // Pods launched in one pass over the offers: what a pass holds until its ACCEPTs are sent
  // (task records, operations, their JSON) grows with it, so thousands of pods go out in
  // several passes instead of all at once.
  std::size_t launches_per_pass = 250;
  // The state store's page cache once the state is loaded (SQLite's default of 2,000 KiB
  // while it loads, which reads every row and is 60% slower with 512).
  int store_cache_kib = 512;
  // Opt-in timed replacement (dcos-commons' ReplacementFailurePolicy); unset: the target
  // spec's `replacement-failure-policy`, if any.
  std::optional<spec::ReplacementFailurePolicy> replacement_policy;
  std::shared_ptr<steward::RecoveryOverrider> recovery_overrider;
  // The service's own rules for configuration updates, after the built-in ones.
  std::vector<std::shared_ptr<const spec::ConfigValidator>> config_validators;
  // The service's own spec transforms: applied to every new target that arrives as a
  // configuration (POST /v1/update); a spec file gets them when it is loaded.
  std::vector<std::function<void(spec::ServiceSpec&)>> spec_transforms;
  std::vector<steward::PlanCustomizer> plan_customizers;
};

// The answer to a new target (`steward update`, POST /v1/update, a restart with a changed spec).
struct UpdateOutcome {
  enum class Result { accepted, unchanged, refused, dry_run };
  Result result = Result::unchanged;
  std::string config_id;            // the target after the update
  std::vector<std::string> errors;  // why it was refused (or would be, on a dry run)
  UpdatePreview preview;
};

class ServiceScheduler : private MesosSession::Listener,
                         private plan::StepExecutor,
                         private plan::StepObserver {
 public:
  explicit ServiceScheduler(SchedulerOptions options);
  ~ServiceScheduler() override;

  // Opens the state, refusing a second scheduler of the service (its lock is held from then
  // on). False with a message when it cannot.
  bool open(std::string& error);
  // Loads the state (opening it first unless open() did), stores the configuration, builds the
  // plans and subscribes. False with a message when it cannot start.
  bool start(std::string& error);
  // Whether start() has finished, waiting at most `within` for it: false while it is still
  // loading the state, and for good once it has failed. Every other query needs it started
  // (the API waits on it); health() answers INITIALIZING before.
  bool wait_started(std::chrono::milliseconds within);
  void stop();
  // Blocks until stop(), request_end(), a removal by the master, or the end of an uninstall.
  void wait();
  // Makes wait() return (a signal): the caller then stops the API and the scheduler.
  void request_end();
  bool uninstall_complete() const { return uninstalled_; }
  // Why the scheduler ended on its own ("" while running or after stop()).
  std::string end_reason() const;

  // Read models and commands, answered on the event loop (thread-safe).
  std::vector<std::string> plan_names();
  std::optional<std::string> plan_json(const std::string& name, plan::Status* status);
  plan::CommandOutcome plan_command(const std::string& command, const std::string& plan,
                                    const std::string& phase, const std::string& step,
                                    const std::map<std::string, std::string>& parameters);
  // `pod restart|replace NAME` ("hello-0"): the task names affected, or nullopt when unknown.
  // `restart`, `replace`, `pause` and `resume` (those two for `tasks` of the pod, or all).
  std::optional<std::vector<std::string>> pod_command(const std::string& command,
                                                      const std::string& pod,
                                                      const std::vector<std::string>& tasks = {});
  std::vector<std::string> pod_names();
  std::string pod_status_json(const std::string& pod);  // "" when unknown
  std::string all_pods_status_json();
  std::string pod_info_json(const std::string& pod);  // TaskInfo and TaskStatus; "" unknown
  std::string debug_offers_json(const std::string& plan, const std::string& phase,
                                const std::string& step);
  std::optional<std::string> framework_id();
  // Advertised ports: the names, or one endpoint's addresses (`found` false: unknown).
  std::string endpoints_json(const std::string& name, bool* found);
  std::string metrics_text();         // Prometheus text format
  std::string configurations_json();  // the ids
  // A configuration by id, or "target" (the spec) or "targetId" (a JSON string).
  std::optional<std::string> configuration(const std::string& id);
  // The text of a config template as configuration `config_id` stores it (tasks fetch it
  // before they start); nothing when there is no such configuration, pod, task or config.
  std::optional<std::string> config_template(const std::string& config_id,
                                             const std::string& pod_type, const std::string& task,
                                             const std::string& name);
  // Where the API answers ("http://host:port"): set before start(), given to tasks to fetch
  // their config templates from.
  void set_api_url(std::string url) { api_url_ = std::move(url); }
  std::string property_keys_json();
  std::optional<std::string> property(const std::string& key);
  std::string task_statuses_json();  // task name -> latest TaskStatus
  std::string reservations_json();   // per task, what it holds; what is still to release
  // The service status code of dcos-commons (§8.2) and its JSON body.
  std::pair<int, std::string> health();
  // A new target: `spec_json` is a configuration as GET /v1/configurations/target shows it.
  // Validated against the running target and refused as a whole on any error; a dry run
  // changes nothing. The HTTP code (200, 400 unreadable, 409 refused) and a JSON answer.
  std::pair<int, std::string> update(const std::string& spec_json, bool dry_run);
  UpdateOutcome update(const spec::ServiceSpec& candidate, bool dry_run);
  const std::string& service_name() const { return options_.service_name; }
  // A snapshot of the service for custom code (taken on the event loop).
  steward::ServiceView service_view();
  // The service's own durable properties (thread-safe).
  steward::PropertyStore& properties();

 private:
  struct Work;

  // MesosSession::Listener (reader thread): each posts to the loop.
  void subscribed(const std::string& framework_id) override;
  void event(mesos::Event&& event) override;
  void disconnected(const std::string& why) override;
  void removed(const std::string& message) override;
  void superseded(const std::string& message) override;
  // plan::StepExecutor (loop thread).
  void start(plan::Step& step) override;
  // plan::StepObserver (loop thread): the step's work is looked at by the next tick.
  void step_changed(plan::Step& step) override { touched_.insert(&step); }
  // The tick's look at one step's work (none: nothing to do): work whose step an operator's
  // command changed is dropped, and so is finished work; a delay that ran out PREPAREs it.
  void settle_work(plan::Step* step, double now);

  // Loop thread.
  void tick();
  void note_churn(std::size_t n);  // statuses or launches handled: memory to give back later
  void tick_soon();
  void on_subscribed(const std::string& framework_id);
  void on_offers(std::vector<mesos::Offer> offers, std::vector<std::string> unread_ids);
  void on_update(const mesos::TaskStatus& status);
  void queue_update(mesos::TaskStatus status);
  void flush_updates();
  void process_offers();
  void collect_garbage(std::vector<mesos::Offer>& offers);
  bool try_launch(Work& work, std::vector<mesos::Offer>& offers);
  void confirm_footprint(const std::string& name, const mesos::TaskStatus& status);
  void forget_agent_garbage(const std::string& agent);
  void refresh_work(Work& work);
  void kill_step_tasks(Work& work);
  void detect_recovery();
  void drop_unneeded_recoveries();
  void check_timed_replacement();
  void manage_offer_flow(bool waiting, bool active);
  void send_kills();
  void decline(const std::vector<mesos::Offer>& offers, double seconds);
  void decline_ids(std::vector<std::string> offer_ids, double seconds);
  void send_accept(mesos::AcceptCall accept);
  bool send(std::string call_json, const char* what);
  void acknowledge(const mesos::TaskStatus& status);
  void kill_task(const std::string& task_id, const std::string& agent_id);
  void mark_step_initial_statuses();
  bool load_state(mesos::FrameworkInfo& info, std::string& error);
  // `beside`, when given, runs on the thread that reads the statuses, once they are read.
  void load_tasks(const std::function<void()>& beside = {});
  void write_task_status(JsonText& out, const std::string& name, const TaskEntry& t) const;
  void store_tasks(const std::vector<state::StoredTask>& tasks);
  // Replaces the task of that name in memory (tasks_ and its indexes); persisted already, or
  // staged to be before anything acts on it.
  void put_task(const state::StoredTask& task);
  void put_task(TaskEntry entry);
  // Launches of one pass over the offers: staged in memory, then persisted together before
  // their ACCEPTs go out.
  void stage_tasks(std::vector<state::EncodedTask> tasks);
  static void consume(mesos::Offer& offer, const std::vector<mesos::Operation>& ops);
  void flush_launches();
  // The state store's failures, told as FailureLog says (a full disk fails every pass, every
  // status and every tick); `launches`: of the pass that could not be stored.
  void note_store_failure(const std::string& what, std::size_t launches);
  // An operator's command (an update, a pod command) the store refused: answered with the
  // store's error, counted with the store's failures, and logged as the command's.
  void note_refused_command(const std::string& command, const std::string& what);
  // `run` on the loop as the operator's `command`: a refusal of the store is noted so and
  // thrown on to the caller (the API answers it with the store's error).
  template <typename Run>
  auto command_on_loop(const std::string& command, Run&& run) {
    return loop_->call([&] {
      try {
        return run();
      } catch (const state::StateError& e) {
        note_refused_command(command, e.what());
        throw;
      }
    });
  }
  // A call's answer (any thread): a failure is told as CallFailures says.
  void note_call(const std::string& what, const mesos::SchedulerClient::Response& r);
  void note_store_success();  // a write went through: says so when it ends failures
  void guarded_tick();        // tick(), its failures logged
  bool ready(const LastStatus& status) const;
  // The same for a status known to be of task `name` (no lookup by id).
  bool ready(const LastStatus& status, const std::string& name, const TaskEntry& task) const;
  std::set<std::string> kept_resource_ids() const;
  void index_task(const TaskEntry& t);
  void refresh_down(const std::string& name);
  // Whether a task belongs in down_ (below), given its last status if any.
  static bool is_down(const TaskEntry& task, const LastStatus* status);
  void unindex_task(const TaskEntry& t);
  void watch(Work& work);
  std::vector<std::string> pod_task_names(const std::string& pod_type, int index) const;
  void build_uninstall_plan();
  // Configuration (service_scheduler_config.cpp).
  bool choose_target(const spec::ServiceSpec& run_spec, std::string& error);
  UpdateOutcome update_on_loop(const spec::ServiceSpec& candidate, bool dry_run,
                               const std::string& source);
  std::pair<int, std::string> update_json_on_loop(spec::ServiceSpec& candidate, bool dry_run);
  void record_update(const std::string& source, const UpdateOutcome& outcome);
  void sweep_configs();
  // The tasks the sweep relabels to `config_id` (the target `target_json`), as they would be
  // stored; nothing is written.
  std::vector<state::StoredTask> sweep_relabels(const std::string& config_id,
                                                const std::string& target_json);
  void delete_unneeded_configs();
  // Stored configurations no task needs once `relabelled` are stored, with `config_id` the
  // target.
  std::vector<std::string> unneeded_configs(const std::string& config_id,
                                            const std::vector<state::StoredTask>& relabelled);
  void rebuild_plans();
  void drop_plan(const std::string& name);
  std::unique_ptr<plan::Plan> decommission_plan() const;
  bool decommissioning(const std::string& pod_type, int index) const;
  void start_decommission_work(Work& work);
  void refresh_release(Work& work);
  std::string task_config(const TaskEntry& t) const;
  void customize(std::vector<std::unique_ptr<plan::Plan>>& plans,
                 std::map<std::string, steward::CodeStepFunction>& code_steps);
  steward::ServiceView view_on_loop() const;
  void start_code_step(Work& work);
  void open_user_properties();
  void code_step_done(const std::string& step_id, const std::string& run_id,
                      const std::string& error);
  void uninstall_step(Work& work, std::vector<mesos::Offer>& offers);
  void finish_uninstall();
  void complete_uninstall();
  std::optional<std::vector<std::string>> pod_command_on_loop(
      const std::string& command, const std::string& pod,
      const std::vector<std::string>& only = {});
  std::vector<std::string> pause_on_loop(const std::string& command, const std::string& pod,
                                         const std::vector<std::string>& names,
                                         const std::vector<std::string>& only);
  bool paused(const std::string& name) const;
  bool is_paused_launch(const std::string& task_id) const;
  void record(const Work& work, offer::Outcome outcome);
  std::string new_id();
  double now() const;
  void end(const std::string& reason);
  // Ends with no more calls to the master: they are aborted, and ticks stage nothing.
  void end_now(const std::string& reason);

  SchedulerOptions options_;
  std::unique_ptr<state::SqliteStateStore> sqlite_;
  std::unique_ptr<state::LockedStateStore> store_;
  std::unique_ptr<MesosSession> session_;
  // Failed calls, told per kind; declared before the queues whose threads report to it.
  CallFailures call_failures_;
  // ACKNOWLEDGEs, sent off the loop; declared after the session, which its thread calls.
  std::unique_ptr<mesos::CallQueue> ack_queue_;
  // ACCEPTs, sent off the loop in order: the loop goes on to the next pass, and the statuses
  // of the last, while the master launches. Every other call waits for them (send()).
  std::unique_ptr<mesos::CallQueue> accept_queue_;
  std::size_t last_pass_accepts_ = 0;  // ACCEPTs the last pass queued (flush_launches)
  std::unique_ptr<EventLoop> loop_;
  std::string config_id_;
  // The target configuration: what the plans deploy. Work holds it too, so a step under way
  // keeps the spec it started with while a new target arrives.
  std::shared_ptr<const spec::ServiceSpec> target_;
  std::string target_json_;
  // The plans of the spec given at start, generated while the tasks load, on the thread that
  // reads the statuses once it has (a tenth of a restart's time at 10,000 pods; a third
  // thread only competed with the other two for this machine's two cores). The first
  // rebuild_plans() takes them when the target is still that spec (early_target_) and the
  // deploy state is the one they were made for.
  std::future<std::vector<std::unique_ptr<plan::Plan>>> early_plans_;
  bool early_deploy_completed_ = false;
  const spec::ServiceSpec* early_target_ = nullptr;
  std::vector<std::string> refused_;  // errors of the last refused update, until one is accepted
  std::map<std::string, std::string> plan_signatures_;  // custom plan -> its spec and counts
  std::map<std::string, steward::CodeStepFunction> code_steps_;  // by step id
  std::map<std::string, std::string> code_step_keys_;            // step id -> "plan/phase/step"
  struct CodeThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<CodeThread> code_threads_;
  // Code steps that finished and whose completion the store refused: tried again each tick.
  struct CodeStepResult {
    std::string step_id, run_id, error;
  };
  std::vector<CodeStepResult> unrecorded_code_steps_;
  // Completed code steps of a custom plan kept under a new target (key -> that target's id),
  // whose record for it the store refused after the update had committed: tried again each
  // tick while that target is still the one.
  std::map<std::string, std::string> unrecorded_kept_steps_;
  void record_kept_code_step(const std::string& key);
  static std::string code_step_property(const std::string& key);  // "code-step:<key>"
  // gc_resources_ changed and not on disk: the status batch under way, or the next tick,
  // writes it.
  bool gc_unsaved_ = false;
  std::unique_ptr<steward::PropertyStore> user_properties_;
  std::string role_;
  std::string principal_;
  std::string api_url_;  // where tasks fetch their config templates (set_api_url)
  offer::ServiceRoles roles_;

  // Loop-thread state.
  plan::PlanCoordinator plans_;
  plan::Plan* recovery_ = nullptr;
  std::map<std::string, TaskEntry> tasks_;  // by task name
  // The indexes of tasks_ point into its entries (an entry's task id and name) rather than
  // copy them: at 10,000 tasks the copies were about 2 MB. An entry is only ever replaced or
  // erased with its index entries taken out first and put back after (put_task, the erase
  // of a decommissioned pod, load_tasks).
  std::unordered_map<std::string_view, const std::string*> by_id_;  // task id -> task name
  std::map<std::string, LastStatus> statuses_;  // by task name; the whole ones are stored
  // Task names by pod instance, kept with tasks_: a launch, a recovery or a kill asks for one
  // pod's tasks, which a walk over every task made quadratic in the pod count.
  // A pod has a few tasks: their names sorted in a vector took half the memory of a set's
  // nodes (about 0.4 MB at 10,000 pods of one task).
  class PodTaskNames {
   public:
    void insert(const std::string* name);  // in place of one of the same name
    void erase(const std::string& name);
    bool empty() const { return names_.empty(); }
    std::size_t size() const { return names_.size(); }
    auto begin() const { return names_.begin(); }
    auto end() const { return names_.end(); }

   private:
    std::vector<const std::string*> names_;
  };
  std::map<std::pair<std::string, int>, PodTaskNames> pod_tasks_;  // never an empty one
  // The tasks of the pod instance named `pod` ("hello-0"); nullptr when there is none.
  const PodTaskNames* instance_tasks(const std::string& pod) const;
  // Tasks that launched and are not running (their last status is terminal for their
  // current id) or are marked permanently failed: what recovery looks at on every tick, kept
  // as statuses and records change so that an idle tick does not walk every task.
  std::set<std::string> down_;
  std::map<plan::Step*, std::unique_ptr<Work>> work_;
  // What the tick looks at of work_: the steps that changed since (their work new, or their
  // status set by the work, a status or a command; a Work's `expected` changes only beside its
  // step's status), and the work that waits on the clock (DELAYED) or on the garbage collector
  // (a release). Walking all of work_ on every tick made a deploy quadratic: at 40,000 pods an
  // eighth of the scheduler's CPU. Either may name a step whose work is gone, or a step gone.
  std::unordered_set<plan::Step*> touched_;
  std::set<plan::Step*> timed_;
  // Task name -> the steps whose work waits on its statuses: a status refreshes those steps,
  // not every step under way. Entries of finished work are dropped as they are met.
  std::map<std::string, std::vector<plan::Step*>> watchers_;
  std::deque<mesos::Offer> offers_;
  EvaluationHistory evaluations_{8, 1000};  // by step id, for debug offers
  std::map<std::string, std::map<std::string, std::string>> recovery_env_;  // by step id
  std::map<std::string, placement::AgentFacts> agent_facts_;  // by agent id, from offers
  struct LaunchBatch {
    std::vector<state::EncodedTask> tasks;
    std::vector<mesos::AcceptCall> accepts;
    std::map<std::string, std::size_t> accept_of_offer;  // offer id -> its ACCEPT in accepts
    bool unconfirmed_changed = false;
    bool gc_changed = false;
  };
  LaunchBatch batch_;
  // Within one pass of the offers, by a new pod's requirements (configuration, pod type,
  // tasks, parameters): the offers that did not fit it, which its pod type's other new
  // instances need not evaluate again. Each waiting step otherwise paid every full offer
  // before the one that fitted it, or every offer when none did: 1.3 s for a pass of 500
  // launches past 250 full offers, 1.6 s for 5,000 steps and one offer.
  struct Unfit {
    bool placement = false;  // dropped at each launch: placement may pass once more are placed
    bool none = false;       // no offer of the pass fits
    std::string none_for;    // the step that found so, named to the others
    std::set<std::string> offers;
  };
  std::map<std::string, Unfit> unfit_;
  bool not_evaluated_ = false;  // try_launch answered from unfit_ (no evaluation to time)
  std::map<std::string, state::GoalOverride> overrides_;  // by task name: paused tasks
  std::set<std::string> paused_launches_;                 // task ids launched paused
  // Steps of the plans made at the start (or for a new target) not dispatched since: a set of
  // 10,000 step ids cost a deploy's start 7 ms to fill and empty. Every step leaves it before
  // its plan is dropped (drop_plan), so no address is reused while in it.
  std::unordered_set<const plan::Step*> adoptable_;
  // Replaced footprints not released yet: resource id -> agent id.
  std::map<std::string, std::string> gc_resources_;
  // Pod instances whose new footprint no task status has confirmed yet (the ACCEPT may never
  // have reached the master).
  std::set<std::string> unconfirmed_;
  bool unconfirmed_in_batch_ = false;  // unconfirmed_ changed by the status batch under way
  bool tick_posted_ = false;           // a tick_soon() is queued on the loop
  std::atomic<bool> stopping_{false};  // request_end() or stop() began: ticks do nothing
  enum class StartState { loading, started, failed };
  std::mutex start_mutex_;
  std::condition_variable start_cv_;
  StartState start_state_ = StartState::loading;
  bool load_state_and_run(std::string& error);
  double last_replace_ = -1e9;
  bool declined_ = false;       // offers declined since the last REVIVE
  bool declined_long_ = false;  // ... for longer than a short while
  bool was_waiting_ = false;    // a step waited for offers on the last pass
  // Default TRANSIENT recovery phases added and not started yet, by first step id: the tasks
  // each would relaunch (full name, task id when the phase was added).
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> unbegun_recoveries_;
  std::map<std::string, double> failing_since_;  // pod instance -> first failure (timed policy)
  SchedulerMetrics metrics_;
  FailureLog store_failures_;
  Reconciler reconciler_;
  LaunchBackoff backoff_;
  TaskKiller killer_;
  ReviveLimiter revive_limiter_;
  bool suppressed_ = false;
  bool revive_wanted_ = false;
  bool subscribed_ = false;
  std::string last_subscribe_failure_;  // logged once until it changes or a subscription works
  bool reconciled_ = false;             // explicit reconciliation done for this subscription
  bool deploy_complete_ = false;        // the deploy plan was COMPLETE on the last tick
  std::vector<mesos::TaskStatus> pending_updates_;  // received, not yet persisted
  // Statuses handled and tasks launched since memory was last released (every 500, and
  // once they have stopped coming for half a second), and since they started coming.
  std::size_t churn_since_trim_ = 0;
  std::size_t burst_churn_ = 0;
  QuietTimer trim_timer_{0.5};
  bool defer_acks_ = false;  // inside a batch: acks wait for its commit
  std::vector<mesos::TaskStatus> deferred_acks_;

  std::atomic<bool> uninstalled_{false};
  mutable std::mutex end_mutex_;
  std::condition_variable ended_;
  bool ending_ = false;
  std::string end_reason_;
};

}  // namespace steward::scheduler
