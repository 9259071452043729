#include "offer/pod_launch_evaluator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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

LaunchContext launch_context(const PodLaunchRequest& req, const mesos::Offer& offer,
                             const PodLaunchContext& ctx) {
  LaunchContext lc;
  lc.service_name = ctx.service_name;
  lc.framework_id = ctx.framework_id;
  lc.agent_id = offer.agent_id;
  lc.hostname = offer.hostname;
  lc.region = offer.region;
  lc.zone = offer.zone;
  lc.config_id = ctx.config_id;
  lc.artifact_url = ctx.artifact_url;
  lc.parameters = req.parameters;
  lc.new_id = ctx.new_id;
  return lc;
}

// UNRESERVE -> RESERVE -> CREATE, each only when there is something to do.
void footprint_operations(const FootprintFit& fit, std::vector<mesos::Operation>& ops) {
  using Type = mesos::Operation::Type;
  for (auto [type, resources] :
       {std::pair{Type::unreserve, &fit.unreserve}, std::pair{Type::reserve, &fit.reserve},
        std::pair{Type::create, &fit.create}})
    if (!resources->empty()) ops.push_back({type, *resources, std::nullopt, {}, ""});
}

std::string port_label_value(const mesos::TaskInfo& t, const std::string& port_name) {
  for (const mesos::Label& l : t.labels)
    if (l.key == "port:" + port_name) return l.value.value_or("");
  return "";
}

// The update pipeline's second half: the offer carries the pod's reservations; resize the
// launched tasks' sets to the new spec and launch them rebuilt from it.
PodLaunchEvaluation resize_and_launch(const PodLaunchRequest& req, const mesos::Offer& offer,
                                      const PodLaunchContext& ctx, const mesos::ExecutorInfo& exec,
                                      PodLaunchEvaluation e) {
  const std::string instance = pod_instance_name(req.pod->type, req.index);
  auto stored = [&](const std::string& task) -> const mesos::TaskInfo* {
    const std::string full = instance + "-" + task;
    for (const mesos::TaskInfo& t : req.existing)
      if (t.name == full) return &t;
    return nullptr;
  };
  std::vector<std::string> sets;
  std::map<std::string, std::vector<mesos::Resource>> held;
  std::map<std::string, std::map<std::string, int>> ports;
  for (const spec::TaskSpec& task : req.pod->tasks) {
    const mesos::TaskInfo* t = stored(task.name);
    if (contains(req.tasks, task.name) && !contains(sets, task.resource_set))
      sets.push_back(task.resource_set);
    if (t == nullptr || held.count(task.resource_set)) continue;
    // What the set holds is what the offer carries under its reservations' ids: the record
    // may overstate or understate it when an earlier resize never took effect.
    std::vector<mesos::Resource>& h = held[task.resource_set];
    for (const mesos::Resource& r : t->resources) {
      auto rid = r.label("resource_id");
      if (!rid) {
        h.push_back(r);
        continue;
      }
      std::optional<mesos::Resource> actual;
      for (const mesos::Resource& o : offer.resources)
        if (o.name == r.name && o.label("resource_id") == rid) {
          if (!actual) {
            actual = o;
          } else if (o.type == mesos::Resource::Type::scalar) {
            actual->scalar = mesos::round_scalar(actual->scalar + o.scalar);
          } else {
            actual->ranges.insert(actual->ranges.end(), o.ranges.begin(), o.ranges.end());
          }
        }
      if (actual) h.push_back(*actual);
    }
    if (const spec::ResourceSetSpec* rs = req.pod->find_resource_set(task.resource_set))
      for (const auto& [name, port] : rs->ports) {
        const std::string value = port_label_value(*t, name);
        if (!value.empty()) ports[task.resource_set][name] = std::atoi(value.c_str());
      }
  }
  held["executor"] = exec.resources;
  const PodFootprint footprint = pod_footprint(*req.pod, ctx.role, ctx.overhead);
  Evaluation fit =
      evaluate_resized_footprint(footprint, sets, held, ports, offer, {ctx.principal, ctx.new_id});
  e.outcome.children.push_back(fit.outcome);
  if (!fit.fit) {
    e.outcome.pass = false;
    e.outcome.reason = fit.outcome.reason;
    for (const Outcome& set : fit.outcome.children)
      for (const Outcome& r : set.children)
        if (!r.pass && e.outcome.reason == fit.outcome.reason)
          e.outcome.reason = set.stage + ": " + r.reason;
    return e;
  }
  const LaunchContext lc = launch_context(req, offer, ctx);

  PodLaunch launch;
  std::vector<mesos::TaskInfo> group;
  for (const spec::TaskSpec& task : req.pod->tasks) {
    const mesos::TaskInfo* old = stored(task.name);
    if (contains(req.tasks, task.name)) {
      mesos::TaskInfo t = build_task(*req.pod, req.index, task, *fit.fit, lc, true);
      t.executor = exec;
      launch.launched[t.name] = t.task_id;
      group.push_back(t);
      launch.store.push_back(std::move(t));
    } else if (old != nullptr) {
      mesos::TaskInfo t = *old;
      t.executor = exec;
      // A task sharing a resized set holds what the set holds now.
      if (contains(sets, task.resource_set)) t.resources = fit.fit->held[task.resource_set];
      launch.store.push_back(std::move(t));
    }
  }
  // Tasks the new spec no longer has keep their record (and footprint) as they were.
  for (const mesos::TaskInfo& t : req.existing)
    if (req.pod->find_task(t.name.substr(instance.size() + 1)) == nullptr)
      launch.store.push_back(t);
  footprint_operations(*fit.fit, launch.operations);
  launch.operations.push_back(launch_group(exec, std::move(group)));
  launch.resized =
      !fit.fit->unreserve.empty() || !fit.fit->reserve.empty() || !fit.fit->create.empty();
  e.outcome.reason = "relaunching in place under the new configuration";
  e.launch = std::move(launch);
  return e;
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
  auto need = [&](const std::vector<mesos::Resource>& resources, const std::string& owner,
                  bool volumes_only = false) {
    for (const mesos::Resource& r : resources) {
      auto id = r.label("resource_id");
      if (!id) continue;  // a pre-reserved resource taken as is: nothing to match
      // A resize takes what is offered and reserves the rest; only a volume cannot be remade.
      if (volumes_only && !(r.disk && r.disk->persistence)) continue;
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
    if (it == store.end()) {
      // A task the new configuration adds to the pod gets its set reserved by the resize.
      if (req.update) continue;
      return fail("task " + full, "no footprint on record for this task");
    }
    need(it->resources, full, req.update);
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
  if (req.update) return resize_and_launch(req, offer, ctx, exec, std::move(e));
  PodLaunch launch;
  for (mesos::TaskInfo& t : store) {
    t.executor = exec;
    const std::string short_name = t.name.substr(instance.size() + 1);
    if (!contains(req.tasks, short_name)) continue;
    t.task_id = new_task_id(ctx.service_name, t.name, ctx.new_id());
    if (t.command) {
      for (const auto& [k, v] : req.parameters)
        set_env(t.command->environment, k, v);
      rebase_template_uris(*t.command, ctx.artifact_url, ctx.config_id);
    }
    // Relaunched as it was built (its templates fetched under the configuration it is
    // labelled with now, the same pod).
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
  const LaunchContext lc = launch_context(req, offer, ctx);

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
  footprint_operations(*fit.fit, launch.operations);
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
