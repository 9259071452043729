// The service scheduler's configuration management (dcos-commons §4): choosing the target at
// start, validated updates, the config-id sweep, and the decommission plan for pods the target
// no longer has.

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/uuid.hpp"
#include "plan/plan_generator.hpp"
#include "scheduler/log.hpp"
#include "scheduler/service_scheduler.hpp"
#include "scheduler/task_labels.hpp"
#include "spec/spec_json.hpp"
#include "spec/spec_summary.hpp"
#include "spec/spec_validator.hpp"

namespace steward::scheduler {

using nlohmann::json;
using plan::Status;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Messages quote what the operator wrote, bytes and all: never let them make the writer throw.
std::string safe_dump(const json& j, int indent = 2) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> texts(const std::vector<spec::ConfigError>& errors) {
  std::vector<std::string> out;
  for (const spec::ConfigError& e : errors)
    out.push_back(e.to_string());
  return out;
}

const char* result_name(UpdateOutcome::Result r) {
  switch (r) {
    case UpdateOutcome::Result::accepted:
      return "accepted";
    case UpdateOutcome::Result::unchanged:
      return "unchanged";
    case UpdateOutcome::Result::refused:
      return "refused";
    case UpdateOutcome::Result::dry_run:
      return "dry-run";
  }
  return "?";
}

}  // namespace

std::string ServiceScheduler::task_config(const TaskEntry& t) const {
  return t.label("target_configuration");
}

// At start: the spec `steward run` was given becomes the target when it is new, passes the
// update validators, or is the first; the target set by `steward update` stays when the run
// spec is the same one the last run started with. A refused spec leaves the old target
// running, with the errors in the deploy plan.
bool ServiceScheduler::choose_target(const spec::ServiceSpec& run_spec, std::string& error) {
  const std::string run_json = spec::to_json(run_spec, -1);
  auto target_id = store_->target_config();
  std::optional<std::string> stored = target_id ? store_->config(*target_id) : std::nullopt;
  if (!target_id || !stored) {
    config_id_ = new_id();
    store_->store_config(config_id_, run_json);
    store_->set_target_config(config_id_);
    store_->set_property("run-config", run_json);
    target_ = std::make_shared<const spec::ServiceSpec>(run_spec);
    early_target_ = target_.get();  // the spec the early plans were made from
    target_json_ = run_json;
    sweep_configs();
    return true;
  }
  config_id_ = *target_id;
  target_json_ = *stored;
  if (*stored == run_json) {
    target_ = std::make_shared<const spec::ServiceSpec>(run_spec);
    early_target_ = target_.get();
    store_->set_property("run-config", run_json);
    sweep_configs();
    return true;
  }
  std::string parse_error;
  auto old = spec::spec_from_json(*stored, parse_error);
  if (!old) {
    error = "the target configuration " + *target_id + " of " + run_spec.name +
            " cannot be read (" + parse_error + "). Nothing was changed.";
    return false;
  }
  old->source_file = "configuration " + *target_id;
  target_ = std::make_shared<const spec::ServiceSpec>(std::move(*old));
  if (store_->property("run-config") == run_json) {
    log(options_.service_name, "keeping target configuration " + config_id_ +
                                   " (set by an update): the spec given is the one the last "
                                   "run started with");
    sweep_configs();
    return true;
  }
  UpdateOutcome outcome = update_on_loop(run_spec, false, "run");
  if (outcome.result == UpdateOutcome::Result::accepted)
    store_->set_property("run-config", run_json);
  return true;
}

std::pair<int, std::string> ServiceScheduler::update(const std::string& spec_json, bool dry_run) {
  std::string parse_error;
  auto candidate = spec::spec_from_json(spec_json, parse_error);
  if (!candidate) {
    const json answer = {{"message", "the configuration cannot be read: " + parse_error}};
    return {400, safe_dump(answer)};
  }
  // The service's transforms run on the loop, as they do for everything else of the service.
  return command_on_loop("update", [&] { return update_json_on_loop(*candidate, dry_run); });
}

std::pair<int, std::string> ServiceScheduler::update_json_on_loop(spec::ServiceSpec& candidate,
                                                                  bool dry_run) {
  json answer;
  // The service's own transforms, as a spec file gets them when it is loaded.
  try {
    for (const auto& transform : options_.spec_transforms)
      if (transform) transform(candidate);
  } catch (const std::exception& e) {
    answer = {{"message", std::string("a spec transform failed: ") + e.what()}};
    return {400, safe_dump(answer)};
  }
  // The checks a spec file gets when it is loaded, for a configuration written by hand; the
  // reader's own (what must not be empty) are not in the validator, so they come first here.
  Diagnostics diagnostics;
  if (candidate.name.empty()) diagnostics.error({}, "name", "must not be empty");
  if (candidate.pods.empty()) diagnostics.error({}, "pods", "must define at least one pod type");
  for (const spec::PodSpec& pod : candidate.pods) {
    if (pod.tasks.empty())
      diagnostics.error({}, "pods." + pod.type + ".tasks", "must define at least one task");
    for (const spec::TaskSpec& task : pod.tasks)
      if (task.cmd.find_first_not_of(" \t\n") == std::string::npos)
        diagnostics.error({}, "pods." + pod.type + ".tasks." + task.name + ".cmd",
                          "must not be empty");
  }
  for (const spec::PlanSpec& plan : candidate.plans)
    if (plan.phases.empty())
      diagnostics.error({}, "plans." + plan.name + ".phases", "must define at least one phase");
  spec::validate_service_spec(candidate, diagnostics);
  if (diagnostics.has_errors()) {
    json errors = json::array();
    for (const Diagnostic& d : diagnostics.items())
      if (d.severity == Severity::error)
        errors.push_back((d.path.empty() ? "" : d.path + ": ") + d.message +
                         (d.hint.empty() ? "" : " (" + d.hint + ")"));
    answer = {{"message", "the configuration is not a valid spec"}, {"errors", errors}};
    return {400, safe_dump(answer)};
  }
  UpdateOutcome o = update_on_loop(candidate, dry_run, "update");
  answer = {{"result", result_name(o.result)},
            {"config_id", o.config_id},
            {"errors", o.errors},
            {"changes", o.preview.changes},
            {"restart", o.preview.restart},
            {"deploy", o.preview.deploy},
            {"decommission", o.preview.decommission}};
  if (o.result == UpdateOutcome::Result::refused) {
    answer["message"] = "the update is refused; the running configuration stays";
    return {409, safe_dump(answer)};
  }
  return {200, safe_dump(answer)};
}

UpdateOutcome ServiceScheduler::update(const spec::ServiceSpec& candidate, bool dry_run) {
  return command_on_loop("update", [&] { return update_on_loop(candidate, dry_run, "update"); });
}

UpdateOutcome ServiceScheduler::update_on_loop(const spec::ServiceSpec& candidate, bool dry_run,
                                               const std::string& source) {
  UpdateOutcome out;
  const std::string candidate_json = spec::to_json(candidate, -1);
  // What each pod instance runs now, and those configurations.
  std::map<std::string, std::string> instances, configs;
  for (const auto& [name, t] : tasks_) {
    auto [type, index] = t.pod();
    const std::string instance = type + "-" + std::to_string(index);
    // A ONCE task never reruns, so the configuration it ran with says nothing about the pod;
    // otherwise a task behind the target makes the pod's answer.
    const bool once = t.label("goal_state") == "ONCE";
    const std::string id = once ? config_id_ : task_config(t);
    auto [it, added] = instances.emplace(instance, id);
    if (!added && it->second == config_id_) it->second = id;
    if (!configs.count(id))
      if (auto c = id == config_id_ ? std::optional(target_json_) : store_->config(id))
        configs[id] = *c;
  }
  out.preview = preview_update(target_json_, candidate_json, instances, configs);
  if (options_.uninstall) {
    out.result = UpdateOutcome::Result::refused;
    out.errors = {"the service is being uninstalled"};
    return out;
  }
  out.errors = texts(spec::validate_config_update(*target_, candidate, options_.config_validators));
  // The framework's roles are fixed while it is subscribed: a pre-reserved role new to the
  // service can only come with a start of `steward run`.
  if (source != "run")
    for (const spec::PodSpec& pod : candidate.pods)
      if (!pod.pre_reserved_role.empty() &&
          !roles_.roles.count(pod.pre_reserved_role + "/" + role_))
        out.errors.push_back("pods." + pod.type + ".pre-reserved-role: the role \"" +
                             pod.pre_reserved_role +
                             "\" is new to the service; it takes effect only when `steward "
                             "run` starts with this spec");
  out.config_id = config_id_;
  if (dry_run) {
    out.result = UpdateOutcome::Result::dry_run;
    return out;
  }
  if (candidate_json == target_json_) {
    // The running configuration again (a refused update taken back): its errors go.
    out.result = UpdateOutcome::Result::unchanged;
    out.errors.clear();
    // On record before the errors go (a restart reads them from it): a store that refuses the
    // record fails the call with them still shown, as they still are on disk.
    record_update(source, out);
    if (!refused_.empty()) {
      refused_.clear();
      if (plan::Plan* deploy = plans_.find("deploy")) deploy->clear_errors();
    }
    return out;
  }
  if (!out.errors.empty()) {
    out.result = UpdateOutcome::Result::refused;
    record_update(source, out);  // likewise, before the errors show
    refused_ = out.errors;
    if (plan::Plan* deploy = plans_.find("deploy")) {
      deploy->clear_errors();
      for (const std::string& e : refused_)
        deploy->add_error(e);
    }
    for (const std::string& e : refused_)
      log(options_.service_name, "update refused: " + e);
    return out;
  }
  // Persist before acting, all of it in one transaction: the configuration, the target, the
  // sweep's relabels, the configurations no task needs any more, and the outcome. A store that
  // refuses any of it (a full disk) fails the update with nothing changed, on disk or here;
  // written one by one, a failure after the target left it set on disk, and here, with the
  // sweep and the plans not done.
  const std::string id = new_id();
  const std::vector<state::StoredTask> relabelled = sweep_relabels(id, candidate_json);
  out.result = UpdateOutcome::Result::accepted;
  out.config_id = id;
  state::write_together(*store_, [&] {
    store_->store_config(id, candidate_json);
    store_->set_target_config(id);
    if (!relabelled.empty()) store_->store_tasks(relabelled);
    for (const std::string& unneeded : unneeded_configs(id, relabelled))
      store_->delete_config(unneeded);
    record_update(source, out);
  });
  config_id_ = id;
  target_json_ = candidate_json;
  target_ = std::make_shared<const spec::ServiceSpec>(candidate);
  refused_.clear();
  for (const state::StoredTask& t : relabelled)
    put_task(t);
  log(options_.service_name, "new target configuration " + id + " (" + source + "): " +
                                 std::to_string(out.preview.changes.size()) + " changes; restart " +
                                 std::to_string(out.preview.restart.size()) + ", deploy " +
                                 std::to_string(out.preview.deploy.size()) + ", decommission " +
                                 std::to_string(out.preview.decommission.size()) + " pods");
  // At start the plans are built once everything is loaded; later, they are re-planned here.
  if (recovery_ != nullptr) rebuild_plans();
  return out;
}

void ServiceScheduler::record_update(const std::string& source, const UpdateOutcome& outcome) {
  json j = {{"time_ms", wall_ms()},
            {"source", source},
            {"result", result_name(outcome.result)},
            {"config_id", outcome.config_id},
            {"errors", outcome.errors}};
  store_->set_property("last-update", safe_dump(j, -1));
}

// dcos-commons' config-id sweep: a task whose pod spec is the same under the target (count,
// placement and allow-decommission aside) runs the target as it is and is relabelled, so
// nothing restarts for it; a permanently failed one is relabelled too (its replacement
// launches from the target anyway). The others keep their configuration until relaunched.
void ServiceScheduler::sweep_configs() {
  const std::vector<state::StoredTask> relabelled = sweep_relabels(config_id_, target_json_);
  if (!relabelled.empty()) store_tasks(relabelled);
  delete_unneeded_configs();
}

std::vector<state::StoredTask> ServiceScheduler::sweep_relabels(const std::string& config_id,
                                                                const std::string& target_json) {
  std::map<std::pair<std::string, std::string>, bool> same;  // (config, pod type) -> same
  std::vector<state::StoredTask> relabelled;
  for (const auto& [name, t] : tasks_) {
    const std::string id = task_config(t);
    if (id == config_id) continue;
    const std::string type = t.pod().first;
    auto [it, added] = same.try_emplace({id, type}, false);
    if (added) {
      auto old = store_->config(id);
      it->second = old && same_pod_config(*old, target_json, type);
    }
    if (!it->second && !t.has_label(kPermanentlyFailed)) continue;
    state::StoredTask copy = t.stored();
    copy.config_id = config_id;
    bool found = false;
    for (mesos::Label& l : copy.info.labels)
      if (l.key == "target_configuration") {
        l.value = config_id;
        found = true;
      }
    if (!found) copy.info.labels.push_back({"target_configuration", config_id});
    relabelled.push_back(std::move(copy));
  }
  return relabelled;
}

void ServiceScheduler::delete_unneeded_configs() {
  for (const std::string& id : unneeded_configs(config_id_, {}))
    store_->delete_config(id);
}

std::vector<std::string> ServiceScheduler::unneeded_configs(
    const std::string& config_id, const std::vector<state::StoredTask>& relabelled) {
  std::set<std::string> needed = {config_id};
  std::set<std::string> moving;  // relabelled to config_id
  for (const state::StoredTask& t : relabelled)
    moving.insert(t.name);
  for (const auto& [name, t] : tasks_)
    if (!moving.count(name)) needed.insert(task_config(t));
  std::vector<std::string> out;
  for (const std::string& id : store_->config_ids())
    if (!needed.count(id)) out.push_back(id);
  return out;
}

bool ServiceScheduler::decommissioning(const std::string& pod_type, int index) const {
  const spec::PodSpec* pod = target_ ? target_->find_pod(pod_type) : nullptr;
  return pod == nullptr || index >= pod->count;
}

// dcos-commons' decommission plan: one serial phase per pod instance the target no longer
// has, pod types in reverse spec order (removed types first), highest index first; each
// phase kills the pod's tasks, releases its footprint, then erases its record.
std::unique_ptr<plan::Plan> ServiceScheduler::decommission_plan() const {
  std::map<std::string, std::map<int, std::vector<std::string>>> gone;  // type -> index -> tasks
  for (const auto& [pod, names] : pod_tasks_)
    if (decommissioning(pod.first, pod.second))
      for (const std::string* name : names)
        gone[pod.first][pod.second].push_back(*name);
  if (gone.empty()) return nullptr;
  std::vector<std::string> order;
  for (const auto& [type, instances] : gone)
    if (target_->find_pod(type) == nullptr) order.push_back(type);
  for (auto p = target_->pods.rbegin(); p != target_->pods.rend(); ++p)
    if (gone.count(p->type)) order.push_back(p->type);
  std::vector<std::unique_ptr<plan::Phase>> phases;
  for (const std::string& type : order)
    for (auto i = gone[type].rbegin(); i != gone[type].rend(); ++i) {
      const std::string instance = type + "-" + std::to_string(i->first);
      std::vector<std::unique_ptr<plan::Step>> steps;
      for (const char* what : {"kill-", "unreserve-", "erase-"})
        steps.push_back(std::make_unique<plan::Step>(what + instance, type, i->first, i->second,
                                                     plan::system_clock()));
      phases.push_back(std::make_unique<plan::Phase>(
          instance, std::move(steps), plan::Strategy::serial(3), plan::system_clock()));
    }
  const std::size_t n = phases.size();
  return std::make_unique<plan::Plan>("decommission", std::move(phases), plan::Strategy::serial(n),
                                      plan::system_clock());
}

std::string ServiceScheduler::configurations_json() {
  return loop_->call([this] {
    json last = nullptr;
    if (auto l = store_->property("last-update")) {
      last = json::parse(*l, nullptr, false);
      if (last.is_discarded()) last = nullptr;
    }
    json j = {{"target", config_id_.empty() ? json(nullptr) : json(config_id_)},
              {"ids", store_->config_ids()},
              {"last_update", last}};
    return safe_dump(j);
  });
}

}  // namespace steward::scheduler
