#pragma once

// The plan tree: Plan -> Phase -> Step. Steps carry their own status (set by whatever runs
// them); phases and plans cache the aggregate of their children and refresh it when a child
// changes, so a status change costs O(siblings) per level, never O(plan).

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "plan/status.hpp"
#include "plan/strategy.hpp"

namespace steward::plan {

// Milliseconds since the Unix epoch; injectable so tests control time.
using Clock = std::function<std::int64_t()>;
Clock system_clock();
using steward::new_id;  // a random UUID (version 4)

class Step;

// Told of each step whose status changes, as it changes (set_status, restart), whatever made
// it change: an engine that runs the steps looks at the steps that changed rather than at every
// step on every pass (a deploy of 10,000 steps made each pass's walk over them all a quadratic
// share of the deploy).
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void step_changed(Step& step) = 0;
};

struct Timestamps {
  std::optional<std::int64_t> created;
  std::optional<std::int64_t> started;
  std::optional<std::int64_t> completed;
};

class Phase;
class Plan;

class Step {
 public:
  Step(std::string name, std::string pod_type, int pod_index, std::vector<std::string> tasks,
       Clock clock);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& pod_type() const { return pod_type_; }
  int pod_index() const { return pod_index_; }
  std::string pod_instance() const;  // "<pod>-<index>": what coordination keeps exclusive
  const std::vector<std::string>& tasks() const { return tasks_; }

  Status status() const { return status_; }
  // Set by the engine that runs the step (PREPARED, STARTING, STARTED, COMPLETE, DELAYED,
  // PENDING, ERROR). WAITING and IN_PROGRESS are aggregates and are refused.
  bool set_status(Status status);
  const std::string& message() const;
  void set_message(std::string message);

  const std::vector<std::string>& errors() const;
  void add_error(std::string error);

  // Environment for the tasks this step launches (plan parameters).
  const std::map<std::string, std::string>& parameters() const;
  void set_parameters(std::map<std::string, std::string> parameters);

  void force_complete() { set_status(Status::complete); }
  void restart();  // back to PENDING, timestamps of the run cleared
  // How often restart() was called: a scheduler tells from it which steps a command reset.
  std::uint32_t restarts() const { return restarts_; }
  Timestamps timestamps() const;
  Phase* phase() const { return phase_; }

 private:
  friend class Phase;
  // What few steps have, kept apart: a deploy of 10,000 pods is 10,000 steps, and these
  // were 104 of the 328 bytes of each.
  struct Extra {
    std::string message;
    std::vector<std::string> errors;
    std::map<std::string, std::string> parameters;
  };
  Extra& extra();
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

  std::string id_;
  std::string name_;
  std::string pod_type_;
  int pod_index_;
  Status status_ = Status::pending;
  std::uint32_t restarts_ = 0;
  std::vector<std::string> tasks_;
  std::unique_ptr<Extra> extra_;
  Clock clock_;
  std::int64_t created_ = kNever;  // kNever: not set (Timestamps' optionals took twice this)
  std::int64_t started_ = kNever;
  std::int64_t completed_ = kNever;
  Phase* phase_ = nullptr;
};

class Phase {
 public:
  Phase(std::string name, std::vector<std::unique_ptr<Step>> steps, Strategy strategy, Clock clock);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::vector<std::unique_ptr<Step>>& steps() const { return steps_; }
  const Strategy& strategy() const { return strategy_; }
  Status status() const;
  const std::vector<std::string>& errors() const { return errors_; }
  void add_error(std::string error);

  bool interrupted() const;
  void interrupt();
  bool proceed();  // false when there was nothing to release
  // Steps the strategy would work on now (including ones already under way).
  std::vector<Step*> candidates() const;
  Timestamps timestamps() const;  // created here; started and completed from the steps
  Plan* plan() const { return plan_; }

  // Marks the cached status stale (a step changed) and tells the plan. The status is
  // recomputed when next read: a batch of step changes (a restart marking thousands of steps,
  // a burst of task statuses) costs one pass over the steps, not one per change.
  void refresh();
  // refresh(), and the plan's observer told of `step`.
  void step_changed(Step& step);
  // The status computed from scratch, for checking the cache.
  Status computed_status() const;

 private:
  friend class Plan;
  std::vector<Status> child_statuses() const;
  std::string id_;
  std::string name_;
  std::vector<std::unique_ptr<Step>> steps_;
  Strategy strategy_;
  std::vector<std::string> errors_;
  mutable Status status_ = Status::pending;
  mutable bool stale_ = false;
  std::int64_t created_ = 0;
  Plan* plan_ = nullptr;
};

class Plan {
 public:
  Plan(std::string name, std::vector<std::unique_ptr<Phase>> phases, Strategy strategy,
       Clock clock);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::vector<std::unique_ptr<Phase>>& phases() const { return phases_; }
  const Strategy& strategy() const { return strategy_; }
  Status status() const;
  const std::vector<std::string>& errors() const { return errors_; }
  void add_error(std::string error);
  void clear_errors();

  bool interrupted() const;
  void interrupt();
  bool proceed();
  std::vector<Phase*> candidate_phases() const;
  // Steps that may be handed to the engine now: the candidates of candidate phases whose
  // status is PENDING or PREPARED. Empty while the plan is interrupted.
  std::vector<Step*> dispatchable_steps() const;
  Timestamps timestamps() const;

  void refresh();
  Status computed_status() const;

  // Told of every status change of this plan's steps, those of phases added later included
  // (nullptr: none).
  void set_observer(StepObserver* observer) { observer_ = observer; }
  StepObserver* observer() const { return observer_; }

  Phase* find_phase(const std::string& name_or_id) const;
  // Appends a phase to a parallel plan (the recovery plan grows one phase per failed pod);
  // the strategy keeps running every phase at once, and an interruption stays.
  void add_phase(std::unique_ptr<Phase> phase);
  // Drops the phases `drop` picks from a parallel plan (old, completed recoveries).
  void remove_phases_if(const std::function<bool(const Phase&)>& drop);
  // Hands the phases over (to build a plan with them changed); this plan is left empty.
  std::vector<std::unique_ptr<Phase>> release_phases();

 private:
  std::vector<Status> child_statuses() const;
  std::string id_;
  std::string name_;
  std::vector<std::unique_ptr<Phase>> phases_;
  Strategy strategy_;
  std::vector<std::string> errors_;
  mutable Status status_ = Status::pending;
  mutable bool stale_ = false;  // recomputed when read (see Phase::refresh)
  std::int64_t created_ = 0;
  StepObserver* observer_ = nullptr;
};

}  // namespace steward::plan
