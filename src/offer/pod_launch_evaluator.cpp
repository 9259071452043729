#include "offer/pod_launch_evaluator.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/process.hpp"

namespace steward::offer {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string amount(const mesos::Resource& r) {
  char buf[64];
  if (r.type == mesos::Resource::Type::scalar) {
    std::snprintf(buf, sizeof buf, "%s %g", r.name.c_str(), r.scalar);
    return buf;
  }
  return r.name;
}

mesos::Operation launch_group(const mesos::ExecutorInfo& executor,
                              std::vector<mesos::TaskInfo> tasks) {
  for (mesos::TaskInfo& t : tasks)
    t.executor.reset();
  mesos::Operation op;
  op.type = mesos::Operation::Type::launch_group;
  op.executor = executor;
  op.tasks = std::move(tasks);
  return op;
}

void set_label(std::vector<mesos::Label>& labels, const std::string& key,
               const std::string& value) {
  for (mesos::Label& l : labels) {
    if (l.key == key) {
      l.value = value;
      return;
    }
  }
  labels.push_back({key, value});
}

PodLaunchEvaluation existing_pipeline(const PodLaunchRequest& req, const mesos::Offer& offer,
                                      const PodLaunchContext& ctx) {
  const std::string instance = pod_instance_name(req.pod->type, req.index);
  PodLaunchEvaluation e;
  e.outcome.stage = "offer " + offer.id + " on agent " + offer.agent_id + " for " + instance +
                    " (existing footprint)";
  std::string agent;
  std::optional<mesos::ExecutorInfo> executor;
  for (const mesos::TaskInfo& t : req.existing) {
    if (agent.empty()) agent = t.agent_id;
    if (!executor && t.executor) executor = t.executor;
  }
  auto fail = [&](std::string stage, std::string reason) {
    e.outcome.pass = false;
    e.outcome.children.push_back({std::move(stage), false, std::move(reason), {}});
    e.outcome.reason = "cannot relaunch in place";
    return e;
  };
  if (offer.agent_id != agent)
    return fail("agent", instance + " holds its reservations on agent " + agent);
  if (!executor) return fail("executor", instance + " has no executor on record");

  // Reservations offered now, by resource_id.
  std::set<std::string> offered;
  for (const mesos::Resource& r : offer.resources)
    if (auto id = r.label("resource_id")) offered.insert(*id);

  const bool running = req.executor_live && contains(offer.executor_ids, executor->executor_id);
  Outcome needs{"reservations", true, "", {}};
  auto need = [&](const std::vector<mesos::Resource>& resources, const std::string& owner) {
    for (const mesos::Resource& r : resources) {
      auto id = r.label("resource_id");
      if (!id) continue;  // a pre-reserved resource taken as is: nothing to match
      bool ok = offered.count(*id) > 0;
      needs.children.push_back({amount(r) + " of " + owner,
                                ok,
                                ok ? "offered" : "reservation " + *id + " not offered",
                                {}});
      needs.pass = needs.pass && ok;
    }
  };
  if (!running) need(executor->resources, "the executor");

  std::vector<mesos::TaskInfo> store = req.existing;
  std::vector<mesos::TaskInfo> group;
  for (const std::string& name : req.tasks) {
    const std::string full = req.pod->type + "-" + std::to_string(req.index) + "-" + name;
    auto it = std::find_if(store.begin(), store.end(),
                           [&](const mesos::TaskInfo& t) { return t.name == full; });
    if (it == store.end()) return fail("task " + full, "no footprint on record for this task");
    need(it->resources, full);
  }
  if (!needs.pass) {
    needs.reason = "not every reservation of " + instance + " is in this offer";
    e.outcome.children.push_back(std::move(needs));
    e.outcome.pass = false;
    e.outcome.reason = "cannot relaunch in place";
    return e;
  }
  e.outcome.children.push_back(std::move(needs));

  mesos::ExecutorInfo exec = *executor;
  if (!running) exec.executor_id = req.pod->type + "__" + ctx.new_id();
  exec.framework_id = ctx.framework_id;
  PodLaunch launch;
  for (mesos::TaskInfo& t : store) {
    t.executor = exec;
    const std::string short_name = t.name.substr(instance.size() + 1);
    if (!contains(req.tasks, short_name)) continue;
    t.task_id = new_task_id(ctx.service_name, t.name, ctx.new_id());
    if (t.command)
      for (const auto& [k, v] : req.parameters)
        set_env(t.command->environment, k, v);
    set_label(t.labels, "target_configuration", ctx.config_id);
    launch.launched[t.name] = t.task_id;
    group.push_back(t);
  }
  launch.operations.push_back(launch_group(exec, std::move(group)));
  launch.store = std::move(store);
  e.outcome.reason = running ? "relaunching into the running executor" : "relaunching in place";
  e.launch = std::move(launch);
  return e;
}

PodLaunchEvaluation new_pipeline(const PodLaunchRequest& req, const mesos::Offer& offer,
                                 const PodLaunchContext& ctx) {
  const std::string instance = pod_instance_name(req.pod->type, req.index);
  PodLaunchEvaluation e;
  e.outcome.stage = "offer " + offer.id + " on agent " + offer.agent_id + " (" + offer.hostname +
                    ") for " + instance;
  const placement::AgentFacts facts = agent_facts(offer);
  if (!req.pod->placement.empty()) {
    placement::PlacementVerdict v = placement::evaluate(req.pod->placement, facts, req.placed);
    e.outcome.children.push_back(
        {"placement " + req.pod->placement_text, v.pass, v.pass ? "satisfied" : v.reason, {}});
    if (!v.pass) {
      e.outcome.pass = false;
      e.outcome.reason = "placement: " + v.reason;
      return e;
    }
  }
  PodFootprint footprint = pod_footprint(*req.pod, ctx.role, ctx.overhead);
  Evaluation fit = evaluate_new_footprint(footprint, offer, {ctx.principal, ctx.new_id});
  e.outcome.children.push_back(fit.outcome);
  if (!fit.fit) {
    e.outcome.pass = false;
    e.outcome.reason = fit.outcome.reason;
    // The first failing resource says it best: "resource set x: cpus: need 1, offered 0.5".
    for (const Outcome& set : fit.outcome.children) {
      if (set.pass) continue;
      for (const Outcome& r : set.children)
        if (!r.pass) {
          e.outcome.reason = set.stage + ": " + r.stage + ": " + r.reason;
          break;
        }
      break;
    }
    return e;
  }
  LaunchContext lc;
  lc.service_name = ctx.service_name;
  lc.framework_id = ctx.framework_id;
  lc.agent_id = offer.agent_id;
  lc.hostname = offer.hostname;
  lc.region = offer.region;
  lc.zone = offer.zone;
  lc.config_id = ctx.config_id;
  lc.parameters = req.parameters;
  lc.new_id = ctx.new_id;

  PodLaunch launch;
  launch.new_footprint = true;
  mesos::ExecutorInfo executor = build_executor(*req.pod, req.index, *fit.fit, lc);
  std::vector<mesos::TaskInfo> group;
  for (const spec::TaskSpec& task : req.pod->tasks) {
    const bool go = contains(req.tasks, task.name);
    mesos::TaskInfo t = build_task(*req.pod, req.index, task, *fit.fit, lc, go);
    t.executor = executor;
    if (go) {
      launch.launched[t.name] = t.task_id;
      group.push_back(t);
    }
    launch.store.push_back(std::move(t));
  }
  if (!fit.fit->reserve.empty())
    launch.operations.push_back(
        {mesos::Operation::Type::reserve, fit.fit->reserve, std::nullopt, {}, ""});
  if (!fit.fit->create.empty())
    launch.operations.push_back(
        {mesos::Operation::Type::create, fit.fit->create, std::nullopt, {}, ""});
  launch.operations.push_back(launch_group(executor, std::move(group)));
  e.outcome.reason = "reserving the footprint and launching";
  e.launch = std::move(launch);
  return e;
}

}  // namespace

std::string pod_instance_name(const std::string& pod_type, int index) {
  return pod_type + "-" + std::to_string(index);
}

placement::AgentFacts agent_facts(const mesos::Offer& offer) {
  placement::AgentFacts f;
  f.hostname = offer.hostname;
  f.zone = offer.zone;
  f.region = offer.region;
  for (const mesos::Attribute& a : offer.attributes) {
    if (a.scalar) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", *a.scalar);
      f.attributes.emplace_back(a.name, buf);
    } else {
      f.attributes.emplace_back(a.name, a.text);
    }
  }
  return f;
}

PodLaunchEvaluation evaluate_pod_launch(const PodLaunchRequest& request, const mesos::Offer& offer,
                                        const PodLaunchContext& context) {
  bool has_footprint = false;
  for (const mesos::TaskInfo& t : request.existing)
    has_footprint = has_footprint || !t.resources.empty();
  if (has_footprint && !request.replace) return existing_pipeline(request, offer, context);
  return new_pipeline(request, offer, context);
}

}  // namespace steward::offer
