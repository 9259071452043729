#include "cluster/master_state.hpp"

#include <nlohmann/json.hpp>

#include "cluster/master.hpp"
#include "mesos/call_json.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"
#include "resources/ranges.hpp"

namespace steward::cluster {

using mesos::Resource;
using nlohmann::json;

namespace {

json id(const std::string& value) {
  return {{"value", value}};
}

json nanos(double seconds) {
  return {{"nanoseconds", static_cast<std::int64_t>(seconds * 1e9)}};
}

// Operator endpoints show reserved resources with both the old `role` and the stack.
json endpoint_resource(const Resource& r) {
  json j = mesos::to_json(r);
  j["role"] = r.role();
  return j;
}

json resource_list(const std::vector<Resource>& resources) {
  json list = json::array();
  for (const Resource& r : resources)
    list.push_back(endpoint_resource(r));
  return list;
}

// {"cpus":1.5,"mem":2048,"disk":0,"gpus":0,"ports":"[31000-31005]"}
json summary(const std::vector<Resource>& resources) {
  json j = {{"cpus", 0.0}, {"mem", 0.0}, {"disk", 0.0}, {"gpus", 0.0}};
  std::vector<mesos::ValueRange> ports;
  for (const Resource& r : resources) {
    if (r.type == Resource::Type::scalar) {
      double current = j.contains(r.name) ? j[r.name].get<double>() : 0.0;
      j[r.name] = mesos::round_scalar(current + r.scalar);
    } else if (r.name == "ports") {
      ports = resources::add(ports, r.ranges);
    }
  }
  if (!ports.empty()) {
    std::string text = "[";
    for (std::size_t i = 0; i < ports.size(); ++i) {
      if (i) text += ", ";
      text += std::to_string(ports[i].begin) + "-" + std::to_string(ports[i].end);
    }
    j["ports"] = text + "]";
  }
  return j;
}

std::vector<Resource> offered_on(const Master& master, const std::string& agent_id) {
  std::vector<Resource> out;
  for (const auto& [oid, offer] : master.offers())
    if (offer.agent_id == agent_id)
      out.insert(out.end(), offer.resources.begin(), offer.resources.end());
  return out;
}

std::vector<Resource> offered_to(const Master& master, const std::string& framework_id) {
  std::vector<Resource> out;
  for (const auto& [oid, offer] : master.offers())
    if (offer.framework_id == framework_id)
      out.insert(out.end(), offer.resources.begin(), offer.resources.end());
  return out;
}

std::vector<Resource> used_by(const Master& master, const std::string& framework_id) {
  std::vector<Resource> out;
  for (const auto& [aid, agent] : master.agents())
    for (const auto& [key, executor] : agent.executors)
      if (executor.info.framework_id == framework_id) {
        out.insert(out.end(), executor.info.resources.begin(), executor.info.resources.end());
        out.insert(out.end(), executor.volumes.begin(), executor.volumes.end());
      }
  for (const auto& [key, task] : master.tasks())
    if (task.framework_id == framework_id && !task.resources_released)
      out.insert(out.end(), task.resources.begin(), task.resources.end());
  return out;
}

json task_json(const TaskRecord& task) {
  json j = {{"name", task.info.name},
            {"task_id", id(task.info.task_id)},
            {"framework_id", id(task.framework_id)},
            {"executor_id", id(task.executor_id)},
            {"agent_id", id(task.agent_id)},
            {"state", mesos::to_string(task.state)},
            {"resources", resource_list(task.info.resources)},
            {"statuses", json::array()}};
  if (task.latest) j["statuses"].push_back(mesos::to_json(*task.latest));
  if (!task.unacknowledged.empty()) {
    j["status_update_state"] = mesos::to_string(task.unacknowledged.front().state);
    j["status_update_uuid"] = task.unacknowledged.front().uuid;
  }
  json labels = json::array();
  for (const auto& l : task.info.labels) {
    json item = {{"key", l.key}};
    if (l.value) item["value"] = *l.value;
    labels.push_back(item);
  }
  j["labels"] = {{"labels", labels}};
  return j;
}

const char* agent_state(AgentRecord::State s) {
  switch (s) {
    case AgentRecord::State::active:
      return "active";
    case AgentRecord::State::stopped:
      return "unreachable";
    case AgentRecord::State::removed:
      return "gone";
  }
  return "unknown";
}

}  // namespace

json get_agents_json(const Master& master) {
  json agents = json::array();
  for (const auto& [aid, agent] : master.agents()) {
    if (agent.state != AgentRecord::State::active) continue;
    json attributes = json::array();
    for (const auto& [name, value] : agent.config.attributes)
      attributes.push_back({{"name", name}, {"type", "TEXT"}, {"text", {{"value", value}}}});
    json info = {{"hostname", agent.config.hostname},
                 {"id", id(agent.id)},
                 {"port", 5051},
                 {"resources", resource_list(agent.total.resources())},
                 {"attributes", attributes},
                 {"domain",
                  {{"fault_domain",
                    {{"region", {{"name", agent.config.region}}},
                     {"zone", {{"name", agent.config.zone}}}}}}}};
    agents.push_back({{"agent_info", info},
                      {"active", true},
                      {"deactivated", false},
                      {"version", "1.11.0"},
                      {"pid", "slave(" + agent.config.name + ")@127.0.0.1:5051"},
                      {"registered_time", nanos(agent.registered_time)},
                      {"total_resources", resource_list(agent.total.resources())},
                      {"allocated_resources", resource_list(master.used(agent).resources())},
                      {"offered_resources", resource_list(offered_on(master, agent.id))},
                      {"capabilities", json::array({{{"type", "MULTI_ROLE"}},
                                                    {{"type", "RESERVATION_REFINEMENT"}},
                                                    {{"type", "HIERARCHICAL_ROLE"}}})}});
  }
  return {{"agents", agents}, {"recovered_agents", json::array()}};
}

json get_frameworks_json(const Master& master) {
  json frameworks = json::array();
  for (const auto& [fid, fw] : master.frameworks()) {
    json offers = json::array();
    frameworks.push_back({{"framework_info", mesos::to_json(fw.info)},
                          {"active", fw.connected},
                          {"connected", fw.connected},
                          {"recovered", false},
                          {"registered_time", nanos(fw.registered_time)},
                          {"allocated_resources", resource_list(used_by(master, fid))},
                          {"offered_resources", resource_list(offered_to(master, fid))}});
  }
  return {{"frameworks", frameworks}, {"completed_frameworks", json::array()}};
}

json get_tasks_json(const Master& master) {
  json tasks = json::array();
  json unreachable = json::array();
  json completed = json::array();
  for (const auto& [key, task] : master.tasks()) {
    const AgentRecord* agent = master.find_agent(task.agent_id);
    if (agent && agent->state == AgentRecord::State::stopped)
      unreachable.push_back(task_json(task));
    else
      tasks.push_back(task_json(task));
  }
  for (const auto& [key, task] : master.completed_tasks())
    completed.push_back(task_json(task));
  return {{"tasks", tasks}, {"unreachable_tasks", unreachable}, {"completed_tasks", completed}};
}

json get_state_json(const Master& master, double) {
  json executors = json::array();
  for (const auto& [aid, agent] : master.agents())
    for (const auto& [key, executor] : agent.executors)
      executors.push_back(
          {{"executor_info", mesos::to_json(executor.info)}, {"agent_id", id(agent.id)}});
  return {{"get_tasks", get_tasks_json(master)},
          {"get_executors", {{"executors", executors}}},
          {"get_frameworks", get_frameworks_json(master)},
          {"get_agents", get_agents_json(master)}};
}

json legacy_state_json(const Master& master, double now) {
  json slaves = json::array();
  std::size_t active = 0;
  std::size_t unreachable = 0;
  for (const auto& [aid, agent] : master.agents()) {
    if (agent.state == AgentRecord::State::removed) continue;
    if (agent.state == AgentRecord::State::stopped) {
      ++unreachable;
      continue;
    }
    ++active;
    json reserved = json::object();
    std::vector<Resource> unreserved;
    std::map<std::string, std::vector<Resource>> by_role;
    for (const Resource& r : agent.total.resources()) {
      if (r.reserved())
        by_role[r.role()].push_back(r);
      else
        unreserved.push_back(r);
    }
    for (const auto& [role, list] : by_role)
      reserved[role] = summary(list);
    json attributes = json::object();
    for (const auto& [name, value] : agent.config.attributes)
      attributes[name] = value;
    slaves.push_back({{"id", agent.id},
                      {"hostname", agent.config.hostname},
                      {"port", 5051},
                      {"attributes", attributes},
                      {"pid", "slave(" + agent.config.name + ")@127.0.0.1:5051"},
                      {"registered_time", agent.registered_time},
                      {"resources", summary(agent.total.resources())},
                      {"used_resources", summary(master.used(agent).resources())},
                      {"offered_resources", summary(offered_on(master, agent.id))},
                      {"reserved_resources", reserved},
                      {"unreserved_resources", summary(unreserved)},
                      {"active", true},
                      {"deactivated", false},
                      {"version", "1.11.0"},
                      {"capabilities",
                       json::array({"MULTI_ROLE", "RESERVATION_REFINEMENT", "HIERARCHICAL_ROLE"})},
                      {"domain",
                       {{"fault_domain",
                         {{"region", {{"name", agent.config.region}}},
                          {"zone", {{"name", agent.config.zone}}}}}}}});
  }
  json frameworks = json::array();
  for (const auto& [fid, fw] : master.frameworks()) {
    json tasks = json::array();
    json completed = json::array();
    for (const auto& [key, task] : master.tasks()) {
      if (task.framework_id != fid) continue;
      json t = task_json(task);
      json legacy = {{"id", task.info.task_id},
                     {"name", task.info.name},
                     {"framework_id", fid},
                     {"executor_id", task.executor_id},
                     {"slave_id", task.agent_id},
                     {"state", mesos::to_string(task.state)},
                     {"resources", summary(task.info.resources)},
                     {"role", task.role},
                     {"statuses", t["statuses"]},
                     {"labels", t["labels"]["labels"]}};
      tasks.push_back(legacy);
    }
    for (const auto& [key, task] : master.completed_tasks()) {
      if (task.framework_id != fid) continue;
      completed.push_back({{"id", task.info.task_id},
                           {"name", task.info.name},
                           {"framework_id", fid},
                           {"slave_id", task.agent_id},
                           {"state", mesos::to_string(task.state)}});
    }
    json executors = json::array();
    for (const auto& [aid, agent] : master.agents())
      for (const auto& [key, executor] : agent.executors)
        if (executor.info.framework_id == fid)
          executors.push_back({{"executor_id", executor.info.executor_id},
                               {"name", executor.info.name},
                               {"slave_id", agent.id},
                               {"resources", summary(executor.info.resources)}});
    frameworks.push_back({{"id", fid},
                          {"name", fw.info.name},
                          {"pid", ""},
                          {"active", fw.connected},
                          {"connected", fw.connected},
                          {"recovered", false},
                          {"user", fw.info.user},
                          {"principal", fw.info.principal},
                          {"roles", fw.info.roles},
                          {"role", fw.info.roles.empty() ? "*" : fw.info.roles.front()},
                          {"failover_timeout", fw.info.failover_timeout},
                          {"checkpoint", fw.info.checkpoint},
                          {"registered_time", fw.registered_time},
                          {"used_resources", summary(used_by(master, fid))},
                          {"offered_resources", summary(offered_to(master, fid))},
                          {"tasks", tasks},
                          {"unreachable_tasks", json::array()},
                          {"completed_tasks", completed},
                          {"offers", json::array()},
                          {"executors", executors},
                          {"labels", json::array()}});
  }
  return {{"version", "1.11.0"},
          {"git_sha", ""},
          {"build_date", ""},
          {"start_time", master.start_time()},
          {"elected_time", master.start_time()},
          {"id", master.id()},
          {"pid", "master@127.0.0.1:5050"},
          {"hostname", "localhost"},
          {"activated_slaves", active},
          {"deactivated_slaves", 0},
          {"unreachable_slaves", unreachable},
          {"leader", "master@127.0.0.1:5050"},
          {"log_dir", ""},
          {"flags", json::object()},
          {"slaves", slaves},
          {"recovered_slaves", json::array()},
          {"frameworks", frameworks},
          {"completed_frameworks", json::array()},
          {"orphan_tasks", json::array()},
          {"unregistered_frameworks", json::array()},
          {"now", now}};
}

json cluster_status_json(const Master& master) {
  json agents = json::array();
  for (const auto& [aid, agent] : master.agents()) {
    std::map<std::string, std::vector<Resource>> by_role;
    json volumes = json::array();
    for (const Resource& r : agent.total.resources()) {
      if (r.reserved()) by_role[r.role()].push_back(r);
      if (r.disk && r.disk->persistence)
        volumes.push_back({{"role", r.role()},
                           {"persistence_id", r.disk->persistence->id},
                           {"container_path", r.disk->volume ? r.disk->volume->container_path : ""},
                           {"size_mb", r.scalar},
                           {"path", master.volume_path(agent, r.role(), r.disk->persistence->id)}});
    }
    json reserved = json::object();
    for (const auto& [role, list] : by_role)
      reserved[role] = summary(list);
    json executors = json::array();
    for (const auto& [key, executor] : agent.executors)
      executors.push_back({{"framework_id", executor.info.framework_id},
                           {"executor_id", executor.info.executor_id},
                           {"tasks", executor.tasks}});
    agents.push_back({{"id", agent.id},
                      {"name", agent.config.name},
                      {"hostname", agent.config.hostname},
                      {"region", agent.config.region},
                      {"zone", agent.config.zone},
                      {"simulated", agent.config.simulated},
                      {"state", agent_state(agent.state)},
                      {"total", summary(agent.total.resources())},
                      {"used", summary(master.used(agent).resources())},
                      {"offered", summary(offered_on(master, agent.id))},
                      {"free", summary(agent.free.resources())},
                      {"reserved", reserved},
                      {"volumes", volumes},
                      {"executors", executors}});
  }
  json frameworks = json::array();
  for (const auto& [fid, fw] : master.frameworks()) {
    std::size_t count = 0;
    for (const auto& [key, task] : master.tasks())
      if (task.framework_id == fid) ++count;
    frameworks.push_back({{"id", fid},
                          {"name", fw.info.name},
                          {"roles", fw.info.roles},
                          {"connected", fw.connected},
                          {"tasks", count}});
  }
  json tasks = json::array();
  for (const auto& [key, task] : master.tasks())
    tasks.push_back({{"id", task.info.task_id},
                     {"name", task.info.name},
                     {"framework_id", task.framework_id},
                     {"executor_id", task.executor_id},
                     {"agent_id", task.agent_id},
                     {"state", mesos::to_string(task.state)}});
  return {
      {"master_id", master.id()}, {"agents", agents}, {"frameworks", frameworks}, {"tasks", tasks}};
}

}  // namespace steward::cluster
