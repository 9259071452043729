// ACCEPT: offer validation and the offer operations, applied in order against the pool of
// offered resources (RESERVE, UNRESERVE, CREATE, DESTROY, LAUNCH, LAUNCH_GROUP).

#include <algorithm>
#include <functional>
#include <set>
#include <string_view>

#include "cluster/master.hpp"

namespace steward::cluster {

using mesos::Operation;
using mesos::Resource;
using mesos::TaskState;

namespace {

bool is_ancestor_or_self(const std::string& ancestor, const std::string& role) {
  return ancestor == role ||
         (role.size() > ancestor.size() && role.compare(0, ancestor.size(), ancestor) == 0 &&
          role[ancestor.size()] == '/');
}

std::string describe(const Resource& r) {
  std::string out = r.name + "(" + r.role() + ")";
  if (r.type == Resource::Type::scalar) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ":%g", r.scalar);
    out += buf;
  }
  if (r.disk && r.disk->persistence) out += "[" + r.disk->persistence->id + "]";
  return out;
}

// Operation resources may carry the offer's allocation role (or none); the ledger keeps
// resources without it.
bool strip_allocation(std::vector<Resource>& resources, const std::string& role,
                      std::string& error) {
  for (Resource& r : resources) {
    if (r.allocation_role && *r.allocation_role != role) {
      error = "resource " + describe(r) + " is allocated to role \"" + *r.allocation_role +
              "\", not to the offer's role \"" + role + "\"";
      return false;
    }
    r.allocation_role.reset();
  }
  return true;
}

Resource without_volume(Resource r) {
  if (r.disk) {
    r.disk->persistence.reset();
    r.disk->volume.reset();
    if (!r.disk->source) r.disk.reset();
  }
  return r;
}

bool is_volume(const Resource& r) {
  return r.disk && r.disk->persistence;
}

// Ids become directory names (sandboxes, volumes): as Mesos requires, no '/', no '.' or '..',
// no control characters, and not too long.
bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 255 || id == "." || id == "..") return false;
  return std::none_of(id.begin(), id.end(), [](char c) {
    return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

// Only the offer's own role may change (unreserve, make or destroy a volume on) the top
// reservation; an ancestor's reservation is only lent to it.
bool owned_by(const Resource& r, const std::string& role) {
  return !r.reservations.empty() && r.reservations.back().role == role;
}

// Takes every resource out of `pool`, or nothing.
bool take_all(resources::ResourcePool& pool, const std::vector<Resource>& wanted,
              std::string& error) {
  // Taken in place and given back on a failure: a copy of the offer's pool per launch was 2% of
  // the cluster's work when hundreds of pods are packed into one offer.
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!pool.subtract(wanted[i])) {
      error = "resource " + describe(wanted[i]) + " is not in the offered resources";
      for (std::size_t j = 0; j < i; ++j)
        pool.add(wanted[j]);
      return false;
    }
  }
  return true;
}

}  // namespace

void Master::refuse_tasks(FrameworkRecord& fw, const Operation& op, TaskState state,
                          const std::string& reason, const std::string& message,
                          const std::string& agent_id, double now) {
  for (const mesos::TaskInfo& task : op.tasks)
    send_update(fw, master_status(task.task_id, agent_id, state, reason, message, now));
}

bool Master::apply_reserve(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                           const Operation& op, resources::ResourcePool& pool, std::string& error) {
  // Applied in place, and undone if a later resource fails (the operation applies whole or not
  // at all): copying the pools first cost every reservation the agent holds, per RESERVE,
  // which made packing many pods onto one agent quadratic.
  std::vector<std::function<void()>> undo;
  auto fail = [&](std::string why) {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it)
      (*it)();
    error = std::move(why);
    return false;
  };
  for (const Resource& r : op.resources) {
    if (r.reservations.empty()) {
      return fail("RESERVE: resource " + describe(r) + " carries no reservation to make");
    }
    const mesos::ReservationInfo& top = r.reservations.back();
    if (top.type != mesos::ReservationInfo::Type::dynamic) {
      return fail("RESERVE: the reservation to make must be DYNAMIC");
    }
    if (top.role != role) {
      return fail("RESERVE: reservation role \"" + top.role + "\" must be the offer's role \"" +
                  role + "\"");
    }
    if (!fw.info.principal.empty() && top.principal != fw.info.principal) {
      return fail("RESERVE: reservation principal \"" + top.principal +
                  "\" must be the framework's principal \"" + fw.info.principal + "\"");
    }
    if (is_volume(r)) {
      return fail(
          "RESERVE: a persistent volume cannot be reserved (reserve the disk, then CREATE)");
    }
    if (r.reservations.size() > 1) {
      if (!fw.capable("RESERVATION_REFINEMENT")) {
        return fail("RESERVE: refining a reservation needs the RESERVATION_REFINEMENT capability");
      }
      const std::string& parent = r.reservations[r.reservations.size() - 2].role;
      if (parent == top.role || !is_ancestor_or_self(parent, top.role)) {
        return fail("RESERVE: role \"" + top.role + "\" does not refine the reservation of \"" +
                    parent + "\"");
      }
    }
    Resource source = resources::unreserved(r);
    auto missing = [&] {
      return "RESERVE: resource " + describe(source) + " is not in the offered resources";
    };
    if (!pool.subtract(source)) return fail(missing());
    undo.push_back([&pool, source] { pool.add(source); });
    if (!agent.total.subtract(source)) return fail(missing());
    undo.push_back([&agent, source] { agent.total.add(source); });
    pool.add(r);
    undo.push_back([&pool, &r] { pool.subtract(r); });
    agent.total.add(r);
    undo.push_back([&agent, &r] { agent.total.subtract(r); });
  }
  return true;
}

bool Master::apply_unreserve(FrameworkRecord& fw, AgentRecord& agent, const std::string& fw_role,
                             const Operation& op, resources::ResourcePool& pool,
                             std::string& error) {
  (void)fw;
  resources::ResourcePool next = pool;
  resources::ResourcePool total = agent.total;
  for (const Resource& r : op.resources) {
    if (r.reservations.empty() ||
        r.reservations.back().type != mesos::ReservationInfo::Type::dynamic) {
      error = "UNRESERVE: resource " + describe(r) + " is not dynamically reserved";
      return false;
    }
    if (is_volume(r)) {
      error = "UNRESERVE: resource " + describe(r) + " is a persistent volume (DESTROY it first)";
      return false;
    }
    if (!owned_by(r, fw_role)) {
      error = "UNRESERVE: resource " + describe(r) + " is not reserved to the offer's role";
      return false;
    }
    if (!next.subtract(r) || !total.subtract(r)) {
      error = "UNRESERVE: resource " + describe(r) + " is not in the offered resources";
      return false;
    }
    Resource target = resources::unreserved(r);
    next.add(target);
    total.add(target);
  }
  pool = std::move(next);
  agent.total = std::move(total);
  return true;
}

bool Master::apply_create(FrameworkRecord& fw, AgentRecord& agent, const std::string& fw_role,
                          const Operation& op, resources::ResourcePool& pool, std::string& error) {
  resources::ResourcePool next = pool;
  resources::ResourcePool total = agent.total;
  std::vector<std::string> made;
  for (const Resource& r : op.resources) {
    if (!is_volume(r) || !r.disk->volume) {
      error = "CREATE: resource " + describe(r) + " is not a persistent volume";
      return false;
    }
    if (!r.reserved()) {
      error = "CREATE: persistent volumes must be made on reserved disk";
      return false;
    }
    const auto& persistence = *r.disk->persistence;
    const auto& volume = *r.disk->volume;
    if (!valid_id(persistence.id)) {
      error = "CREATE: persistence id \"" + persistence.id + "\" is not a valid id";
      return false;
    }
    if (!owned_by(r, fw_role)) {
      error = "CREATE: volumes are made on reservations of the offer's role";
      return false;
    }
    if (volume.mode != mesos::DiskInfo::Volume::Mode::rw) {
      error = "CREATE: only RW volumes are supported";
      return false;
    }
    const std::string& path = volume.container_path;
    if (path.empty() || path.front() == '/' || path == ".." || path.rfind("../", 0) == 0 ||
        path.find("/../") != std::string::npos ||
        (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0)) {
      error = "CREATE: container_path \"" + path + "\" must be a relative path inside the sandbox";
      return false;
    }
    if (!fw.info.principal.empty() && !persistence.principal.empty() &&
        persistence.principal != fw.info.principal) {
      error = "CREATE: volume principal \"" + persistence.principal +
              "\" must be the framework's principal";
      return false;
    }
    for (const Resource& existing : total.resources()) {
      if (is_volume(existing) && existing.disk->persistence->id == persistence.id &&
          existing.role() == r.role()) {
        error = "CREATE: persistence id \"" + persistence.id + "\" is already in use on agent " +
                agent.id;
        return false;
      }
    }
    Resource source = without_volume(r);
    if (!next.subtract(source) || !total.subtract(source)) {
      error = "CREATE: resource " + describe(source) + " is not in the offered resources";
      return false;
    }
    next.add(r);
    total.add(r);
    made.push_back(volume_path(agent, r.role(), persistence.id));
  }
  for (const std::string& dir : made) {
    if (!runtime_for_(agent).create_volume(agent.id, dir, error)) {
      error = "CREATE: " + error;
      return false;
    }
  }
  pool = std::move(next);
  agent.total = std::move(total);
  return true;
}

bool Master::apply_destroy(AgentRecord& agent, const std::string& fw_role, const Operation& op,
                           resources::ResourcePool& pool, std::string& error) {
  resources::ResourcePool next = pool;
  resources::ResourcePool total = agent.total;
  std::vector<std::string> gone;
  for (const Resource& r : op.resources) {
    if (!is_volume(r)) {
      error = "DESTROY: resource " + describe(r) + " is not a persistent volume";
      return false;
    }
    if (!owned_by(r, fw_role) || !valid_id(r.disk->persistence->id)) {
      error = "DESTROY: volume " + describe(r) + " does not belong to the offer's role";
      return false;
    }
    if (!next.subtract(r) || !total.subtract(r)) {
      error = "DESTROY: volume " + describe(r) + " is not in the offered resources";
      return false;
    }
    Resource target = without_volume(r);
    next.add(target);
    total.add(target);
    gone.push_back(volume_path(agent, r.role(), r.disk->persistence->id));
  }
  for (const std::string& dir : gone) {
    if (!runtime_for_(agent).destroy_volume(agent.id, dir, error)) {
      error = "DESTROY: " + error;
      return false;
    }
  }
  pool = std::move(next);
  agent.total = std::move(total);
  return true;
}

bool Master::apply_launch_group(FrameworkRecord& fw, AgentRecord& agent, const std::string& role,
                                Operation& op, resources::ResourcePool& pool, std::string& error,
                                double now) {
  const bool command_executor = op.type == Operation::Type::launch;
  if (!op.id.empty()) {
    error = "operation ids are not allowed on LAUNCH and LAUNCH_GROUP";
    return false;
  }
  if (op.tasks.empty()) {
    error = "the task group has no tasks";
    return false;
  }
  if (!op.executor) {
    error = "LAUNCH_GROUP needs an executor";
    return false;
  }
  mesos::ExecutorInfo& executor = *op.executor;
  if (!valid_id(executor.executor_id)) {
    error = "executor_id \"" + executor.executor_id + "\" is not a valid id";
    return false;
  }
  if (executor.framework_id != fw.info.id) {
    error = "executor framework_id \"" + executor.framework_id + "\" must be set to \"" +
            fw.info.id + "\"";
    return false;
  }
  if (!strip_allocation(executor.resources, role, error)) return false;
  const std::string key = fw.info.id + "/" + executor.executor_id;
  auto existing = agent.executors.find(key);
  const bool new_executor = existing == agent.executors.end();
  if (!new_executor && !(existing->second.info == executor)) {
    error = "ExecutorInfo for executor \"" + executor.executor_id +
            "\" differs from the running executor's";
    return false;
  }
  std::vector<Resource> wanted;
  if (new_executor && !command_executor) {
    // Summed in place: a pool made of them for this was 1% of the cluster's work in a deploy.
    const auto total = [&](std::string_view name) {
      double sum = 0;
      for (const Resource& r : executor.resources)
        if (r.name == name && r.type == Resource::Type::scalar) sum += r.scalar;
      return mesos::round_scalar(sum);
    };
    if (total("cpus") < 0.01 || total("mem") < 32 || total("disk") <= 0) {
      error = "executor resources need at least 0.01 cpus, 32 MB mem and some disk";
      return false;
    }
    wanted = executor.resources;
  }
  std::set<std::string> ids;
  for (mesos::TaskInfo& task : op.tasks) {
    if (!valid_id(task.task_id)) {
      error = "task id \"" + task.task_id + "\" is not a valid id";
      return false;
    }
    if (!ids.insert(task.task_id).second || tasks_.count(task_key(fw.info.id, task.task_id))) {
      error = "task id \"" + task.task_id + "\" is already in use";
      return false;
    }
    if (!task.agent_id.empty() && task.agent_id != agent.id) {
      error = "task \"" + task.task_id + "\" names agent " + task.agent_id +
              " but the offer is for agent " + agent.id;
      return false;
    }
    if (task.resources.empty()) {
      error = "task \"" + task.task_id + "\" uses no resources";
      return false;
    }
    if (!task.command) {
      error = "task \"" + task.task_id + "\" has no command";
      return false;
    }
    if (!strip_allocation(task.resources, role, error)) return false;
  }
  // A volume listed by the executor and by its tasks is one volume, held by the executor;
  // one listed by several tasks only is taken once.
  // Volumes belong to the pod, not to one task: one a task lists is held by the executor
  // (as are the executor's own), so a task that ends never frees a volume its siblings use.
  const std::vector<Resource> already_held =
      new_executor ? std::vector<Resource>{} : existing->second.volumes;
  auto held = [&](const Resource& r, const std::vector<Resource>& extra) {
    auto in = [&](const std::vector<Resource>& list) {
      return std::find(list.begin(), list.end(), r) != list.end();
    };
    return in(executor.resources) || in(already_held) || in(extra);
  };
  std::vector<std::vector<Resource>> accounted;
  std::vector<Resource> task_volumes;
  std::vector<Resource> unique = std::move(wanted);
  for (const mesos::TaskInfo& task : op.tasks) {
    std::vector<Resource> own;
    for (const Resource& r : task.resources) {
      if (is_volume(r)) {
        if (!held(r, task_volumes)) {
          task_volumes.push_back(r);
          unique.push_back(r);
        }
        continue;
      }
      own.push_back(r);
      unique.push_back(r);
    }
    accounted.push_back(std::move(own));
  }
  if (!take_all(pool, unique, error)) return false;

  LaunchRequest request;
  request.agent_id = agent.id;
  request.framework = &fw.info;
  request.new_executor = new_executor;
  request.sandbox = sandbox_path(agent, fw.info.id, executor.executor_id);
  std::set<std::string> seen_paths;
  const auto mount = [&](const std::vector<Resource>& list) {
    for (const Resource& r : list) {
      if (!is_volume(r) || !r.disk->volume) continue;
      if (!seen_paths.insert(r.disk->volume->container_path).second) continue;
      request.volumes.emplace_back(r.disk->volume->container_path,
                                   volume_path(agent, r.role(), r.disk->persistence->id));
    }
  };
  mount(executor.resources);
  for (const mesos::TaskInfo& task : op.tasks)
    mount(task.resources);
  if (new_executor) {
    ExecutorRecord record;
    record.info = executor;
    record.agent_id = agent.id;
    record.role = role;
    existing = agent.executors.emplace(key, std::move(record)).first;
  }
  existing->second.volumes.insert(existing->second.volumes.end(), task_volumes.begin(),
                                  task_volumes.end());
  const std::uint64_t group = ++group_counter_;
  for (std::size_t i = 0; i < op.tasks.size(); ++i) {
    const mesos::TaskInfo& info = op.tasks[i];
    TaskRecord task;
    task.info = info;
    task.resources = std::move(accounted[i]);
    task.info.agent_id = agent.id;
    task.framework_id = fw.info.id;
    task.executor_id = executor.executor_id;
    task.agent_id = agent.id;
    task.role = role;
    task.group = group;
    existing->second.tasks.insert(info.task_id);
    tasks_.emplace(task_key(fw.info.id, info.task_id), std::move(task));
  }
  (void)now;
  // The operation's own copies go to the agent (a launch pass carries hundreds of tasks), and
  // come back to be freed with the call.
  request.executor = std::move(executor);
  request.tasks = std::move(op.tasks);
  runtime_for_(agent).launch(request);
  executor = std::move(request.executor);
  op.tasks = std::move(request.tasks);
  return true;
}

CallOutcome Master::accept(mesos::AcceptCall& call, const std::string& stream_id, double now) {
  dirty_ = true;
  mesos::Call as_call;
  as_call.framework_id = call.framework_id;
  CallOutcome outcome;
  FrameworkRecord* fw = connected_framework(as_call, stream_id, outcome);
  if (!fw) return outcome;

  std::string error;
  std::string agent_id;
  std::string role;
  std::set<std::string> seen;
  if (call.offer_ids.empty()) error = "No offers specified";
  for (const std::string& id : call.offer_ids) {
    if (!error.empty()) break;
    auto it = offers_.find(id);
    if (it == offers_.end()) {
      error = "Offer " + id + " is no longer valid";
    } else if (it->second.framework_id != fw->info.id) {
      error = "Offer " + id + " has invalid framework " + it->second.framework_id +
              " while framework " + fw->info.id + " is expected";
    } else if (!seen.insert(id).second) {
      error = "Duplicate offer " + id + " in the offer list";
    } else if (!agent_id.empty() && it->second.agent_id != agent_id) {
      error = "Aggregated offers must belong to one single agent";
    } else if (!role.empty() && it->second.role != role) {
      error = "Aggregated offers must be allocated to the same role";
    } else {
      agent_id = it->second.agent_id;
      role = it->second.role;
    }
  }
  if (!error.empty()) {
    for (const std::string& id : call.offer_ids) {
      auto it = offers_.find(id);
      if (it != offers_.end() && it->second.framework_id == fw->info.id) rescind_offer(id, false);
    }
    TaskState state = fw->partition_aware() ? TaskState::dropped : TaskState::lost;
    for (const Operation& op : call.operations)
      if (op.type == Operation::Type::launch || op.type == Operation::Type::launch_group)
        refuse_tasks(*fw, op, state, "REASON_INVALID_OFFERS", error, agent_id, now);
    return {202, ""};
  }

  AgentRecord& agent = agents_.at(agent_id);
  resources::ResourcePool pool;
  for (const std::string& id : call.offer_ids) {
    for (const Resource& r : offers_.at(id).resources)
      pool.add(r);
    offers_.erase(id);
  }

  for (Operation& op : call.operations) {
    std::string op_error;
    if (!strip_allocation(op.resources, role, op_error)) {
      // Ignored like every other invalid non-launch operation.
      continue;
    }
    switch (op.type) {
      case Operation::Type::reserve:
        apply_reserve(*fw, agent, role, op, pool, op_error);
        break;
      case Operation::Type::unreserve:
        apply_unreserve(*fw, agent, role, op, pool, op_error);
        break;
      case Operation::Type::create:
        apply_create(*fw, agent, role, op, pool, op_error);
        break;
      case Operation::Type::destroy:
        apply_destroy(agent, role, op, pool, op_error);
        break;
      case Operation::Type::launch: {
        // Each task runs under its own command executor, as Mesos' LAUNCH does.
        for (const mesos::TaskInfo& task : op.tasks) {
          Operation single;
          single.type = Operation::Type::launch;
          single.tasks = {task};
          mesos::ExecutorInfo executor;
          executor.executor_id = task.task_id;
          executor.framework_id = fw->info.id;
          executor.name = "Command Executor (Task: " + task.task_id + ")";
          single.executor = executor;
          std::string task_error;
          if (!apply_launch_group(*fw, agent, role, single, pool, task_error, now))
            refuse_tasks(*fw, single, TaskState::error, "REASON_TASK_INVALID", task_error, agent.id,
                         now);
        }
        break;
      }
      case Operation::Type::launch_group:
        if (!apply_launch_group(*fw, agent, role, op, pool, op_error, now))
          refuse_tasks(*fw, op, TaskState::error, "REASON_TASK_GROUP_INVALID", op_error, agent.id,
                       now);
        break;
      default:
        break;
    }
  }

  // What the operations left counts as declined.
  if (!pool.empty()) {
    double refuse = call.refuse_seconds.value_or(5.0);
    if (refuse < 0) refuse = 5.0;
    refuse = std::min(refuse, 31536000.0);
    fw->filters.push_back({agent.id, role, now + refuse, pool});
    for (const Resource& r : pool.resources())
      agent.free.add(r);
  }
  allocation_needed_ = true;
  return {202, ""};
}

}  // namespace steward::cluster
