#include "plan/plan.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace steward::plan {

Clock system_clock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

// ---- Step

Step::Step(std::string name, std::string pod_type, int pod_index, std::vector<std::string> tasks,
           Clock clock)
    : id_(new_id()),
      name_(std::move(name)),
      pod_type_(std::move(pod_type)),
      pod_index_(pod_index),
      tasks_(std::move(tasks)),
      clock_(std::move(clock)) {
  created_ = clock_();
}

Step::Extra& Step::extra() {
  if (!extra_) extra_ = std::make_unique<Extra>();
  return *extra_;
}

const std::string& Step::message() const {
  static const std::string none;
  return extra_ ? extra_->message : none;
}

void Step::set_message(std::string message) {
  if (extra_ || !message.empty()) extra().message = std::move(message);
}

const std::vector<std::string>& Step::errors() const {
  static const std::vector<std::string> none;
  return extra_ ? extra_->errors : none;
}

const std::map<std::string, std::string>& Step::parameters() const {
  static const std::map<std::string, std::string> none;
  return extra_ ? extra_->parameters : none;
}

Timestamps Step::timestamps() const {
  const auto set = [](std::int64_t t) {
    return t == kNever ? std::nullopt : std::optional<std::int64_t>(t);
  };
  return {set(created_), set(started_), set(completed_)};
}

std::string Step::pod_instance() const {
  return pod_type_ + "-" + std::to_string(pod_index_);
}

bool Step::set_status(Status status) {
  if (status == Status::waiting || status == Status::in_progress) return false;
  if (status == status_) return true;
  status_ = status;
  if (status != Status::pending && started_ == kNever) started_ = clock_();
  completed_ = status == Status::complete ? clock_() : kNever;
  if (phase_ != nullptr) phase_->step_changed(*this);
  return true;
}

void Step::add_error(std::string error) {
  extra().errors.push_back(std::move(error));
  set_status(Status::error);
}

void Step::set_parameters(std::map<std::string, std::string> parameters) {
  if (extra_ || !parameters.empty()) extra().parameters = std::move(parameters);
}

void Step::restart() {
  if (extra_) extra_->errors.clear();
  status_ = Status::pending;
  ++restarts_;
  started_ = kNever;
  completed_ = kNever;
  if (phase_ != nullptr) phase_->step_changed(*this);
}

// ---- Phase

Phase::Phase(std::string name, std::vector<std::unique_ptr<Step>> steps, Strategy strategy,
             Clock clock)
    : id_(new_id()),
      name_(std::move(name)),
      steps_(std::move(steps)),
      strategy_(std::move(strategy)) {
  created_ = clock();
  for (auto& step : steps_)
    step->phase_ = this;
  status_ = computed_status();
}

void Phase::add_error(std::string error) {
  errors_.push_back(std::move(error));
  refresh();
}

bool Phase::interrupted() const {
  return strategy_.interrupted(!steps_.empty() && steps_[0]->status() == Status::complete);
}

void Phase::interrupt() {
  strategy_.interrupt();
  refresh();
}

bool Phase::proceed() {
  bool changed = strategy_.proceed();
  refresh();
  return changed;
}

std::vector<Status> Phase::child_statuses() const {
  std::vector<Status> out;
  out.reserve(steps_.size());
  for (const auto& step : steps_)
    out.push_back(step->status());
  return out;
}

std::vector<Step*> Phase::candidates() const {
  std::vector<Step*> out;
  for (std::size_t i : strategy_.candidates(child_statuses(), {}))
    out.push_back(steps_[i].get());
  return out;
}

Status Phase::computed_status() const {
  std::vector<Status> children = child_statuses();
  std::vector<Status> candidate_statuses;
  for (std::size_t i : strategy_.candidates(children, {}))
    candidate_statuses.push_back(children[i]);
  return aggregate(children, candidate_statuses, interrupted(), !errors_.empty());
}

Status Phase::status() const {
  if (stale_) {
    status_ = computed_status();
    stale_ = false;
  }
  return status_;
}

void Phase::refresh() {
  stale_ = true;
  // Interruption and gates change the plan's view even when this status did not change.
  if (plan_ != nullptr) plan_->refresh();
}

void Phase::step_changed(Step& step) {
  refresh();
  if (plan_ != nullptr && plan_->observer() != nullptr) plan_->observer()->step_changed(step);
}

Timestamps Phase::timestamps() const {
  Timestamps t;
  t.created = created_;
  for (const auto& step : steps_) {
    const Timestamps s = step->timestamps();
    if (s.started && (!t.started || *s.started < *t.started)) t.started = s.started;
  }
  if (status() == Status::complete) {
    for (const auto& step : steps_) {
      const Timestamps s = step->timestamps();
      if (s.completed && (!t.completed || *s.completed > *t.completed)) t.completed = s.completed;
    }
  }
  return t;
}

// ---- Plan

Plan::Plan(std::string name, std::vector<std::unique_ptr<Phase>> phases, Strategy strategy,
           Clock clock)
    : id_(new_id()),
      name_(std::move(name)),
      phases_(std::move(phases)),
      strategy_(std::move(strategy)) {
  created_ = clock();
  for (auto& phase : phases_)
    phase->plan_ = this;
  status_ = computed_status();
}

void Plan::add_phase(std::unique_ptr<Phase> phase) {
  phase->plan_ = this;
  phases_.push_back(std::move(phase));
  const bool interrupted = strategy_.explicitly_interrupted();
  strategy_ = Strategy::parallel(phases_.size());
  if (interrupted) strategy_.interrupt();
  refresh();
}

void Plan::remove_phases_if(const std::function<bool(const Phase&)>& drop) {
  const std::size_t before = phases_.size();
  phases_.erase(std::remove_if(phases_.begin(), phases_.end(),
                               [&](const std::unique_ptr<Phase>& p) { return drop(*p); }),
                phases_.end());
  if (phases_.size() == before) return;
  const bool interrupted = strategy_.explicitly_interrupted();
  strategy_ = Strategy::parallel(phases_.size());
  if (interrupted) strategy_.interrupt();
  refresh();
}

void Plan::add_error(std::string error) {
  errors_.push_back(std::move(error));
  refresh();
}

std::vector<std::unique_ptr<Phase>> Plan::release_phases() {
  std::vector<std::unique_ptr<Phase>> out = std::move(phases_);
  phases_.clear();
  for (auto& p : out)
    p->plan_ = nullptr;
  refresh();
  return out;
}

void Plan::clear_errors() {
  errors_.clear();
  refresh();
}

bool Plan::interrupted() const {
  return strategy_.interrupted(!phases_.empty() && phases_[0]->status() == Status::complete);
}

void Plan::interrupt() {
  strategy_.interrupt();
  refresh();
}

bool Plan::proceed() {
  bool changed = strategy_.proceed();
  refresh();
  return changed;
}

std::vector<Status> Plan::child_statuses() const {
  std::vector<Status> out;
  out.reserve(phases_.size());
  for (const auto& phase : phases_)
    out.push_back(phase->status());
  return out;
}

std::vector<Phase*> Plan::candidate_phases() const {
  std::vector<bool> interrupted;
  for (const auto& phase : phases_)
    interrupted.push_back(phase->interrupted());
  std::vector<Phase*> out;
  for (std::size_t i : strategy_.candidates(child_statuses(), interrupted)) {
    out.push_back(phases_[i].get());
  }
  return out;
}

std::vector<Step*> Plan::dispatchable_steps() const {
  std::vector<Step*> out;
  if (interrupted() || status() == Status::error) return out;
  for (Phase* phase : candidate_phases()) {
    if (!phase->errors().empty()) continue;
    for (Step* step : phase->candidates()) {
      if (step->status() == Status::pending || step->status() == Status::prepared) {
        out.push_back(step);
      }
    }
  }
  return out;
}

Status Plan::computed_status() const {
  std::vector<Status> children = child_statuses();
  std::vector<bool> phase_interrupted;
  for (const auto& phase : phases_)
    phase_interrupted.push_back(phase->interrupted());
  std::vector<Status> candidate_statuses;
  for (std::size_t i : strategy_.candidates(children, phase_interrupted)) {
    candidate_statuses.push_back(children[i]);
  }
  return aggregate(children, candidate_statuses, interrupted(), !errors_.empty());
}

Status Plan::status() const {
  if (stale_) {
    status_ = computed_status();
    stale_ = false;
  }
  return status_;
}

void Plan::refresh() {
  stale_ = true;
}

Timestamps Plan::timestamps() const {
  Timestamps t;
  t.created = created_;
  for (const auto& phase : phases_) {
    Timestamps p = phase->timestamps();
    if (p.started && (!t.started || *p.started < *t.started)) t.started = p.started;
    if (status() == Status::complete && p.completed &&
        (!t.completed || *p.completed > *t.completed)) {
      t.completed = p.completed;
    }
  }
  return t;
}

Phase* Plan::find_phase(const std::string& name_or_id) const {
  for (const auto& phase : phases_) {
    if (phase->id() == name_or_id || phase->name() == name_or_id) return phase.get();
  }
  return nullptr;
}

}  // namespace steward::plan
