// What the service scheduler offers a service's own C++ code (the SDK): snapshots of the
// service, its own properties, plan customizers and the code steps they add.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <set>

#include "common/uuid.hpp"
#include "plan/plan_generator.hpp"
#include "scheduler/log.hpp"
#include "scheduler/service_scheduler.hpp"
#include "scheduler/spec_adapter.hpp"
#include "scheduler/task_labels.hpp"
#include "scheduler/work.hpp"

namespace steward::scheduler {

using plan::Status;

namespace {

// Service properties live next to the scheduler's own, under a prefix of their own so no key
// of the service can overwrite one of the scheduler's.
constexpr const char* kUserPrefix = "user:";

class UserProperties : public steward::PropertyStore {
 public:
  explicit UserProperties(state::StateStore& store) : store_(store) {}
  std::optional<std::string> get(const std::string& key) const override {
    return store_.property(kUserPrefix + key);
  }
  void set(const std::string& key, const std::string& value) override {
    store_.set_property(kUserPrefix + key, value);
  }
  void erase(const std::string& key) override { store_.delete_property(kUserPrefix + key); }
  std::vector<std::string> keys() const override {
    std::vector<std::string> out;
    const std::string prefix = kUserPrefix;
    for (const std::string& k : store_.property_keys())
      if (k.rfind(prefix, 0) == 0) out.push_back(k.substr(prefix.size()));
    return out;
  }

 private:
  state::StateStore& store_;
};

// A distinct pseudo pod instance per code step, so coordination never serialises two of them.
std::atomic<int> code_step_sequence{0};

class Editor : public steward::PlanEditor {
 public:
  Editor(std::vector<std::unique_ptr<plan::Plan>>& plans, const spec::ServiceSpec& spec,
         std::map<std::string, steward::CodeStepFunction>& code_steps)
      : plans_(plans), spec_(spec), code_steps_(code_steps) {}

  std::vector<std::string> plans() const override {
    std::vector<std::string> out;
    for (const auto& p : plans_)
      out.push_back(p->name());
    return out;
  }
  std::vector<std::string> phases(const std::string& plan) const override {
    std::vector<std::string> out;
    if (plan::Plan* p = find(plan))
      for (const auto& phase : p->phases())
        out.push_back(phase->name());
    return out;
  }
  bool add_phase(const std::string& plan, const std::string& phase,
                 std::vector<steward::PlanStepSpec> specs, bool serial) override {
    if (!usable(plan) || !usable(phase)) return false;
    for (const std::string& existing : phases(plan))
      if (existing == phase) return false;  // phases are addressed by name
    std::vector<std::unique_ptr<plan::Step>> steps;
    std::set<std::string> names;  // a code step's completion is recorded by its name
    for (steward::PlanStepSpec& s : specs) {
      if (s.run && (s.name.empty() || !names.insert(s.name).second)) return false;
      if (s.run) {
        auto step = std::make_unique<plan::Step>(s.name, "__code__", code_step_sequence++,
                                                 std::vector<std::string>{}, plan::system_clock());
        code_steps_[step->id()] = s.run;
        steps.push_back(std::move(step));
        continue;
      }
      const spec::PodSpec* pod = spec_.find_pod(s.pod_type);
      if (pod == nullptr || s.index < 0 || s.index >= pod->count || s.tasks.empty()) return false;
      for (const std::string& t : s.tasks)
        if (pod->find_task(t) == nullptr) return false;
      const std::string name =
          s.name.empty() ? plan::step_name(s.pod_type, s.index, s.tasks) : s.name;
      steps.push_back(
          std::make_unique<plan::Step>(name, s.pod_type, s.index, s.tasks, plan::system_clock()));
    }
    const std::size_t n = steps.size();
    auto added = std::make_unique<plan::Phase>(
        phase, std::move(steps), serial ? plan::Strategy::serial(n) : plan::Strategy::parallel(n),
        plan::system_clock());
    auto it = position(plan);
    if (it == plans_.end()) {
      std::vector<std::unique_ptr<plan::Phase>> phases;
      phases.push_back(std::move(added));
      auto p = std::make_unique<plan::Plan>(plan, std::move(phases), plan::Strategy::serial(1),
                                            plan::system_clock());
      p->interrupt();  // a new plan waits for `plan start`, like the spec's custom plans
      plans_.push_back(std::move(p));
      return true;
    }
    rebuild(it, [&](std::vector<std::unique_ptr<plan::Phase>>& phases) {
      phases.push_back(std::move(added));
    });
    return true;
  }
  bool remove_phase(const std::string& plan, const std::string& phase) override {
    if (!usable(plan)) return false;
    auto it = position(plan);
    if (it == plans_.end()) return false;
    bool found = false;
    rebuild(it, [&](std::vector<std::unique_ptr<plan::Phase>>& phases) {
      for (auto p = phases.begin(); p != phases.end();)
        if ((*p)->name() == phase) {
          found = true;
          p = phases.erase(p);
        } else {
          ++p;
        }
    });
    return found;
  }

  // The scheduler's own plans are not the service's to change, `update` becomes `deploy`,
  // and names appear in URLs and in the code-step records.
  static bool usable(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && name != "recovery" &&
           name != "decommission" && name != "update";
  }

 private:
  plan::Plan* find(const std::string& name) const {
    for (const auto& p : plans_)
      if (p->name() == name) return p.get();
    return nullptr;
  }
  std::vector<std::unique_ptr<plan::Plan>>::iterator position(const std::string& name) {
    return std::find_if(plans_.begin(), plans_.end(),
                        [&](const auto& p) { return p->name() == name; });
  }
  // A plan made again with its phases changed: same name, same kind of strategy, still
  // interrupted if it was.
  template <typename Change>
  void rebuild(std::vector<std::unique_ptr<plan::Plan>>::iterator it, Change change) {
    plan::Plan& old = **it;
    const bool parallel = old.strategy().name() == "parallel";
    const bool interrupted = old.interrupted();
    std::vector<std::unique_ptr<plan::Phase>> phases = old.release_phases();
    change(phases);
    const std::size_t n = phases.size();
    auto p = std::make_unique<plan::Plan>(
        old.name(), std::move(phases),
        parallel ? plan::Strategy::parallel(n) : plan::Strategy::serial(n), plan::system_clock());
    if (interrupted) p->interrupt();
    *it = std::move(p);
  }

  std::vector<std::unique_ptr<plan::Plan>>& plans_;
  const spec::ServiceSpec& spec_;
  std::map<std::string, steward::CodeStepFunction>& code_steps_;
};

}  // namespace

void ServiceScheduler::open_user_properties() {
  user_properties_ = std::make_unique<UserProperties>(*store_);
}

steward::PropertyStore& ServiceScheduler::properties() {
  return *user_properties_;
}

steward::ServiceView ServiceScheduler::service_view() {
  steward::ServiceView v = loop_->call([this] { return view_on_loop(); });
  // Read here, on the caller's thread: the store is thread-safe, the loop has other work.
  for (const std::string& k : user_properties_->keys())
    if (auto value = user_properties_->get(k)) v.properties[k] = *value;
  return v;
}

steward::ServiceView ServiceScheduler::view_on_loop() const {
  steward::ServiceView v;
  v.service_name = options_.service_name;
  v.config_id = config_id_;
  for (const auto& [name, t] : tasks_) {
    steward::TaskView tv;
    tv.name = name;
    auto [type, index] = t.pod();
    tv.pod_type = type;
    tv.index = index;
    tv.pod = type + "-" + std::to_string(index);
    tv.task = t.label("task_type");
    tv.task_id = t.task_id();
    tv.agent_id = t.agent_id();
    tv.hostname = t.label("offer_hostname");
    for (const mesos::Label& l : t.labels())
      if (l.key.rfind("port:", 0) == 0 && l.value)
        tv.ports[l.key.substr(5)] = std::atoi(l.value->c_str());
    if (const mesos::TaskInfo info = t.info(); info.command)
      for (const auto& [key, value] : info.command->environment)
        tv.env[key] = value;
    auto st = statuses_.find(name);
    if (st != statuses_.end() && st->second.task_id == t.task_id() && !t.task_id().empty()) {
      tv.state = std::string(mesos::to_string(st->second.state));
      tv.ready = st->second.state == mesos::TaskState::running && ready(st->second);
    }
    v.tasks.push_back(std::move(tv));
  }
  for (const auto& p : plans_.plans())
    v.plans.push_back({p->name(), std::string(plan::to_string(p->status()))});
  return v;
}

void ServiceScheduler::customize(std::vector<std::unique_ptr<plan::Plan>>& plans,
                                 std::map<std::string, steward::CodeStepFunction>& code_steps) {
  if (options_.plan_customizers.empty()) return;
  Editor editor(plans, *target_, code_steps);
  const SpecAdapter view(static_cast<const spec::ServiceSpec&>(*target_));
  for (const steward::PlanCustomizer& c : options_.plan_customizers) {
    if (!c) continue;
    try {
      c(editor, view);
    } catch (const std::exception& e) {
      // The service's bug shows on the deploy plan (ERROR), and the scheduler goes on.
      const std::string why = std::string("a plan customizer failed: ") + e.what();
      log(options_.service_name, why);
      for (auto& p : plans)
        if (p->name() == "deploy") p->add_error(why);
    }
  }
}

void ServiceScheduler::start_code_step(Work& work) {
  work.kind = Work::Kind::code;
  work.expected = Status::starting;
  work.step->set_status(Status::starting);
  const std::string id = work.step->id();
  work.run = steward::new_id();
  const std::string run_id = work.run;
  steward::CodeStepFunction run = code_steps_.at(id);
  steward::ServiceView snapshot = view_on_loop();
  log(options_.service_name, "running code step " + code_step_keys_[id]);
  // Threads of steps that ended are joined here, so they never pile up.
  for (auto it = code_threads_.begin(); it != code_threads_.end();)
    if (*it->done) {
      it->thread.join();
      it = code_threads_.erase(it);
    } else {
      ++it;
    }
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread(
      [this, id, run_id, done, run = std::move(run), snapshot = std::move(snapshot)]() mutable {
        std::string error;
        try {
          for (const std::string& k : user_properties_->keys())
            if (auto value = user_properties_->get(k)) snapshot.properties[k] = *value;
          error = run(snapshot, *user_properties_);
        } catch (const std::exception& e) {
          error = std::string("the step threw: ") + e.what();
        } catch (...) {
          error = "the step threw";
        }
        loop_->post([this, id, run_id, error] { code_step_done(id, run_id, error); });
        *done = true;
      });
  code_threads_.push_back({std::move(thread), std::move(done)});
}

std::string ServiceScheduler::code_step_property(const std::string& key) {
  return "code-step:" + key;
}

void ServiceScheduler::code_step_done(const std::string& step_id, const std::string& run_id,
                                      const std::string& error) {
  // The step may be gone (a new target re-planned) or restarted by an operator (another run):
  // then this result is nobody's.
  for (auto& [step, work] : work_) {
    if (step->id() != step_id || work->kind != Work::Kind::code || work->run != run_id) continue;
    if (work->expected != Status::starting || step->status() != Status::starting) return;
    if (!error.empty()) {
      log(options_.service_name, "code step " + code_step_keys_[step_id] + " failed: " + error);
      work->expected = Status::error;
      step->add_error(error);
      return;
    }
    try {
      store_->set_property(code_step_property(code_step_keys_[step_id]), config_id_);
    } catch (const state::StateError& e) {
      // Not done until it is on record (a restart would run it again otherwise): the step
      // stays STARTING and the next tick tries again. Thrown from this posted task, it ended
      // the scheduler.
      note_store_failure(e.what(), 0);
      unrecorded_code_steps_.push_back({step_id, run_id, error});
      return;
    }
    note_store_success();
    work->expected = Status::complete;
    step->set_status(Status::complete);
    return;
  }
}

}  // namespace steward::scheduler
