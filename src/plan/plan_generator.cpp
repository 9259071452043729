#include "plan/plan_generator.hpp"

namespace steward::plan {

namespace {

std::vector<std::string> all_tasks(const spec::PodSpec& pod) {
  std::vector<std::string> names;
  for (const auto& task : pod.tasks)
    names.push_back(task.name);
  return names;
}

// The steps entry for one instance: its own index wins over default.
const spec::StepsEntry* entry_for(const std::vector<spec::StepsEntry>& entries, int index) {
  const spec::StepsEntry* chosen = nullptr;
  for (const auto& e : entries) {
    if (e.index ? *e.index == index : chosen == nullptr) chosen = &e;
  }
  return chosen;
}

Strategy plain_strategy(spec::Strategy s, std::size_t n) {
  switch (s) {
    case spec::Strategy::parallel:
      return Strategy::parallel(n);
    case spec::Strategy::serial_canary:
      return Strategy::serial_canary(n);
    case spec::Strategy::parallel_canary:
      return Strategy::parallel_canary(n);
    default:
      return Strategy::serial(n);
  }
}

std::unique_ptr<Phase> make_phase(const spec::ServiceSpec& spec, const spec::PhaseSpec& phase_spec,
                                  const Clock& clock) {
  const spec::PodSpec* pod = spec.find_pod(phase_spec.pod);
  std::vector<std::unique_ptr<Step>> steps;
  std::vector<int> owner;  // pod index of each step
  if (pod != nullptr) {
    for (int i = 0; i < pod->count; ++i) {
      if (!phase_spec.steps) {
        auto tasks = all_tasks(*pod);
        steps.push_back(
            std::make_unique<Step>(step_name(pod->type, i, tasks), pod->type, i, tasks, clock));
        owner.push_back(i);
        continue;
      }
      const spec::StepsEntry* entry = entry_for(*phase_spec.steps, i);
      if (entry == nullptr) continue;
      for (const auto& tasks : entry->steps) {
        steps.push_back(
            std::make_unique<Step>(step_name(pod->type, i, tasks), pod->type, i, tasks, clock));
        owner.push_back(i);
      }
    }
  }
  const std::size_t n = steps.size();
  bool custom = phase_spec.steps.has_value();
  bool parallel_kind = phase_spec.strategy == spec::Strategy::parallel ||
                       phase_spec.strategy == spec::Strategy::parallel_canary;
  Strategy strategy = plain_strategy(phase_spec.strategy, n);
  if (custom && parallel_kind) {
    // Instances in parallel, each instance's own steps in order.
    std::vector<std::vector<std::size_t>> deps(n);
    for (std::size_t k = 1; k < n; ++k) {
      for (std::size_t j = k; j-- > 0;) {
        if (owner[j] == owner[k]) {
          deps[k] = {j};
          break;
        }
      }
    }
    strategy = Strategy::dependency(std::move(deps), nullptr);
    strategy.display_as(std::string(spec::to_string(phase_spec.strategy)));
    if (phase_spec.strategy == spec::Strategy::parallel_canary) strategy.with_canary_gates();
  }
  return std::make_unique<Phase>(phase_spec.name, std::move(steps), std::move(strategy), clock);
}

std::unique_ptr<Plan> make_plan(const spec::ServiceSpec& spec, const spec::PlanSpec& plan_spec,
                                const std::string& name, const Clock& clock) {
  std::vector<std::unique_ptr<Phase>> phases;
  for (const auto& phase_spec : plan_spec.phases)
    phases.push_back(make_phase(spec, phase_spec, clock));
  std::size_t n = phases.size();
  Strategy strategy =
      plan_spec.strategy == spec::Strategy::parallel ? Strategy::parallel(n) : Strategy::serial(n);
  return std::make_unique<Plan>(name, std::move(phases), std::move(strategy), clock);
}

spec::PlanSpec default_deploy(const spec::ServiceSpec& spec) {
  spec::PlanSpec plan;
  plan.name = "deploy";
  for (const auto& pod : spec.pods) {
    spec::PhaseSpec phase;
    phase.name = pod.type;
    phase.pod = pod.type;
    plan.phases.push_back(phase);
  }
  return plan;
}

}  // namespace

std::string step_name(const std::string& pod_type, int index,
                      const std::vector<std::string>& tasks) {
  std::string name = pod_type + "-" + std::to_string(index) + ":[";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (i > 0) name += ", ";
    name += tasks[i];
  }
  return name + "]";
}

std::vector<std::unique_ptr<Plan>> generate_plans(const spec::ServiceSpec& spec,
                                                  const GenerateOptions& options) {
  std::vector<std::unique_ptr<Plan>> plans;
  const spec::PlanSpec* deploy = spec.find_plan("deploy");
  const spec::PlanSpec* update = spec.find_plan("update");
  spec::PlanSpec generated;
  if (deploy == nullptr) {
    generated = default_deploy(spec);
    deploy = &generated;
  }
  // After a completed deploy, `update` rolls changes instead, under the name deploy.
  const spec::PlanSpec* chosen = options.deploy_completed && update != nullptr ? update : deploy;
  plans.push_back(make_plan(spec, *chosen, "deploy", options.clock));
  for (const auto& plan_spec : spec.plans) {
    if (plan_spec.name == "deploy" || plan_spec.name == "update") continue;
    auto plan = make_plan(spec, plan_spec, plan_spec.name, options.clock);
    plan->interrupt();  // custom plans run only when started
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace steward::plan
