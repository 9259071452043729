#include "plan/plan_coordinator.hpp"

#include <algorithm>
#include <regex>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace steward::plan {

std::string_view to_string(CommandResult r) {
  switch (r) {
    case CommandResult::done:
      return "done";
    case CommandResult::already:
      return "already";
    case CommandResult::not_found:
      return "not found";
    case CommandResult::invalid:
      return "invalid";
  }
  return "invalid";
}

int PlanCoordinator::priority(const std::string& name) {
  if (name == "deploy") return 0;
  if (name == "recovery") return 1;
  if (name == "decommission") return 2;
  return 3;
}

void PlanCoordinator::set_observer(StepObserver* observer) {
  observer_ = observer;
  for (const auto& p : plans_)
    p->set_observer(observer);
}

void PlanCoordinator::add(std::unique_ptr<Plan> plan) {
  plan->set_observer(observer_);
  // Stable: custom plans keep the order they were added in.
  auto at = std::upper_bound(
      plans_.begin(), plans_.end(), priority(plan->name()),
      [](int p, const std::unique_ptr<Plan>& existing) { return p < priority(existing->name()); });
  plans_.insert(at, std::move(plan));
}

void PlanCoordinator::remove(const std::string& name) {
  plans_.erase(std::remove_if(plans_.begin(), plans_.end(),
                              [&](const std::unique_ptr<Plan>& p) { return p->name() == name; }),
               plans_.end());
}

Plan* PlanCoordinator::find(const std::string& name) const {
  for (const auto& plan : plans_) {
    if (plan->name() == name || plan->id() == name) return plan.get();
  }
  return nullptr;
}

std::vector<Step*> PlanCoordinator::candidates() const {
  // Dispatchable steps are PENDING or PREPARED. A PREPARED step already owns its pod instance;
  // a PENDING one must find it free. Most ticks have no PENDING step, and then nothing needs
  // to know which instances are busy: that was most of a tick at 10,000 steps.
  std::vector<Step*> dispatchable;
  bool any_pending = false;
  for (const auto& plan : plans_) {
    for (Step* step : plan->dispatchable_steps()) {
      any_pending = any_pending || step->status() == Status::pending;
      dispatchable.push_back(step);
    }
  }
  if (!any_pending) return dispatchable;

  // Pod instances by type and index, not by "<pod>-<index>" text, which cost an allocation
  // per step.
  struct Hash {
    std::size_t operator()(const std::pair<std::string_view, int>& k) const {
      return std::hash<std::string_view>()(k.first) * 31 + static_cast<std::size_t>(k.second);
    }
  };
  std::unordered_set<std::pair<std::string_view, int>, Hash> dirty;
  auto instance = [](const Step* step) {
    return std::pair<std::string_view, int>(step->pod_type(), step->pod_index());
  };
  for (const auto& plan : plans_) {
    for (const auto& phase : plan->phases()) {
      for (const auto& step : phase->steps()) {
        // Working on the pod: matching offers, launching, waiting for readiness, or waiting
        // out a launch backoff.
        if (step->status() == Status::prepared || step->status() == Status::starting ||
            step->status() == Status::started || step->status() == Status::delayed) {
          dirty.insert(instance(step.get()));
        }
      }
    }
  }
  std::vector<Step*> out;
  for (Step* step : dispatchable) {
    if (step->status() == Status::prepared || dirty.insert(instance(step)).second)
      out.push_back(step);
  }
  return out;
}

std::size_t PlanCoordinator::dispatch(StepExecutor& executor) {
  std::size_t started = 0;
  for (Step* step : candidates()) {
    if (step->status() != Status::pending) continue;
    step->set_status(Status::prepared);
    executor.start(*step);
    ++started;
  }
  return started;
}

std::optional<PlanCoordinator::Target> PlanCoordinator::resolve(const std::string& plan_name,
                                                                const std::string& phase_name,
                                                                const std::string& step_name,
                                                                CommandOutcome& error) const {
  Target t;
  t.plan = find(plan_name);
  if (t.plan == nullptr) {
    error = {CommandResult::not_found, "no plan \"" + plan_name + "\""};
    return std::nullopt;
  }
  if (!phase_name.empty()) {
    t.phase = t.plan->find_phase(phase_name);
    if (t.phase == nullptr) {
      error = {CommandResult::not_found,
               "plan " + plan_name + " has no phase \"" + phase_name + "\""};
      return std::nullopt;
    }
  }
  if (!step_name.empty()) {
    std::vector<std::pair<Phase*, Step*>> matches;
    for (const auto& phase : t.plan->phases()) {
      if (t.phase != nullptr && phase.get() != t.phase) continue;
      for (const auto& step : phase->steps()) {
        if (step->id() == step_name || step->name() == step_name)
          matches.emplace_back(phase.get(), step.get());
      }
    }
    if (matches.empty()) {
      error = {CommandResult::not_found,
               "plan " + plan_name + " has no step \"" + step_name + "\""};
      return std::nullopt;
    }
    if (matches.size() > 1) {
      error = {
          CommandResult::invalid,
          "step \"" + step_name + "\" is in several phases; name the phase or use the step's id"};
      return std::nullopt;
    }
    t.phase = matches[0].first;
    t.step = matches[0].second;
  }
  return t;
}

CommandOutcome PlanCoordinator::start(const std::string& plan_name,
                                      const std::map<std::string, std::string>& parameters) {
  static const std::regex kEnvName("[A-Za-z_][A-Za-z0-9_]*");
  CommandOutcome error;
  auto t = resolve(plan_name, {}, {}, error);
  if (!t) return error;
  for (const auto& [key, value] : parameters) {
    if (!std::regex_match(key, kEnvName)) {
      return {CommandResult::invalid,
              "parameter name \"" + key + "\" is not a valid environment variable name"};
    }
  }
  for (const auto& phase : t->plan->phases()) {
    for (const auto& step : phase->steps())
      step->set_parameters(parameters);
  }
  // A finished plan starts over; one under way keeps its progress.
  if (t->plan->status() == Status::complete) {
    for (const auto& phase : t->plan->phases()) {
      for (const auto& step : phase->steps())
        step->restart();
    }
  }
  t->plan->proceed();
  return {CommandResult::done, "started plan " + plan_name};
}

CommandOutcome PlanCoordinator::stop(const std::string& plan_name) {
  CommandOutcome error;
  auto t = resolve(plan_name, {}, {}, error);
  if (!t) return error;
  bool all_pending = true;
  for (const auto& phase : t->plan->phases()) {
    for (const auto& step : phase->steps())
      all_pending = all_pending && step->status() == Status::pending;
  }
  if (t->plan->strategy().explicitly_interrupted() && all_pending) {
    return {CommandResult::already, "plan " + plan_name + " is already stopped"};
  }
  t->plan->interrupt();
  for (const auto& phase : t->plan->phases()) {
    for (const auto& step : phase->steps())
      step->restart();
  }
  return {CommandResult::done, "stopped plan " + plan_name};
}

CommandOutcome PlanCoordinator::interrupt(const std::string& plan_name,
                                          const std::string& phase_name) {
  CommandOutcome error;
  auto t = resolve(plan_name, phase_name, {}, error);
  if (!t) return error;
  if (t->phase != nullptr) {
    if (t->phase->strategy().explicitly_interrupted()) {
      return {CommandResult::already, "phase " + t->phase->name() + " is already interrupted"};
    }
    t->phase->interrupt();
    return {CommandResult::done, "interrupted phase " + t->phase->name()};
  }
  if (t->plan->strategy().explicitly_interrupted()) {
    return {CommandResult::already, "plan " + plan_name + " is already interrupted"};
  }
  t->plan->interrupt();
  return {CommandResult::done, "interrupted plan " + plan_name};
}

CommandOutcome PlanCoordinator::proceed(const std::string& plan_name,
                                        const std::string& phase_name) {
  CommandOutcome error;
  auto t = resolve(plan_name, phase_name, {}, error);
  if (!t) return error;
  if (t->phase != nullptr) {
    if (!t->phase->proceed())
      return {CommandResult::already, "phase " + t->phase->name() + " is not waiting"};
    return {CommandResult::done, "continued phase " + t->phase->name()};
  }
  // A plan-level continue also opens the next gate of its first waiting canary phase.
  bool changed = t->plan->proceed();
  if (!changed) {
    for (const auto& phase : t->plan->phases()) {
      if (phase->status() == Status::complete) continue;
      if (phase->strategy().gates_remaining() > 0 && phase->interrupted()) {
        changed = phase->proceed();
      }
      break;
    }
  }
  if (!changed) return {CommandResult::already, "plan " + plan_name + " is not waiting"};
  return {CommandResult::done, "continued plan " + plan_name};
}

CommandOutcome PlanCoordinator::force_complete(const std::string& plan_name,
                                               const std::string& phase_name,
                                               const std::string& step_name) {
  CommandOutcome error;
  auto t = resolve(plan_name, phase_name, step_name, error);
  if (!t) return error;
  std::vector<Step*> steps;
  if (t->step != nullptr) {
    steps.push_back(t->step);
  } else {
    for (const auto& phase : t->plan->phases()) {
      if (t->phase != nullptr && phase.get() != t->phase) continue;
      for (const auto& step : phase->steps())
        steps.push_back(step.get());
    }
  }
  bool changed = false;
  for (Step* step : steps) {
    if (step->status() != Status::complete) {
      step->force_complete();
      changed = true;
    }
  }
  if (!changed) return {CommandResult::already, "already complete"};
  return {CommandResult::done, "forced " + std::to_string(steps.size()) + " step(s) complete"};
}

CommandOutcome PlanCoordinator::restart(const std::string& plan_name, const std::string& phase_name,
                                        const std::string& step_name) {
  CommandOutcome error;
  auto t = resolve(plan_name, phase_name, step_name, error);
  if (!t) return error;
  std::size_t count = 0;
  for (const auto& phase : t->plan->phases()) {
    if (t->phase != nullptr && phase.get() != t->phase) continue;
    for (const auto& step : phase->steps()) {
      if (t->step != nullptr && step.get() != t->step) continue;
      step->restart();
      ++count;
    }
  }
  if (t->phase != nullptr && t->phase->strategy().explicitly_interrupted()) t->phase->proceed();
  if (t->plan->strategy().explicitly_interrupted()) t->plan->proceed();
  return {CommandResult::done, "restarted " + std::to_string(count) + " step(s)"};
}

}  // namespace steward::plan
