#pragma once

// Owns every plan of a service, picks the steps to work on next, and carries out operator
// commands. Plans are ordered by priority: deploy, recovery, decommission, then custom plans
// in the order they were added. No two plans work on one pod instance at once.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace steward::plan {

// What runs a step: the scheduler's offer loop, or a fake in tests.
class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  // Called once when the coordinator hands `step` over (the step is then PREPARED); the
  // executor reports progress with step.set_status().
  virtual void start(Step& step) = 0;
};

enum class CommandResult { done, already, not_found, invalid };
std::string_view to_string(CommandResult r);

struct CommandOutcome {
  CommandResult result = CommandResult::done;
  std::string message;
};

class PlanCoordinator {
 public:
  void add(std::unique_ptr<Plan> plan);
  // The observer of every plan's steps, the plans added later included.
  void set_observer(StepObserver* observer);
  // Drops a plan (a new target re-plans); its steps are gone, so whoever runs them must have
  // let go of them first.
  void remove(const std::string& name);
  const std::vector<std::unique_ptr<Plan>>& plans() const { return plans_; }
  Plan* find(const std::string& name) const;

  // Steps to work on now, in priority order, at most one per pod instance, none on a pod
  // instance another plan has in PREPARED, STARTING, STARTED or DELAYED.
  std::vector<Step*> candidates() const;
  // Hands every candidate to the executor; returns how many were started.
  std::size_t dispatch(StepExecutor& executor);

  // Commands (dcos-commons semantics, answers map to HTTP 200 / 208 / 404 / 400).
  CommandOutcome start(const std::string& plan,
                       const std::map<std::string, std::string>& parameters);
  CommandOutcome stop(const std::string& plan);
  CommandOutcome interrupt(const std::string& plan, const std::string& phase = {});
  CommandOutcome proceed(const std::string& plan, const std::string& phase = {});
  CommandOutcome force_complete(const std::string& plan, const std::string& phase = {},
                                const std::string& step = {});
  CommandOutcome restart(const std::string& plan, const std::string& phase = {},
                         const std::string& step = {});

 private:
  struct Target {
    Plan* plan = nullptr;
    Phase* phase = nullptr;
    Step* step = nullptr;
  };
  // Resolves plan / phase / step by name or id; a step name that repeats across phases
  // needs its phase or its id.
  std::optional<Target> resolve(const std::string& plan, const std::string& phase,
                                const std::string& step, CommandOutcome& error) const;
  static int priority(const std::string& name);

  std::vector<std::unique_ptr<Plan>> plans_;
  StepObserver* observer_ = nullptr;
};

}  // namespace steward::plan
