#include "cluster/master.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "common/uuid.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/recordio.hpp"

namespace steward::cluster {

using mesos::TaskState;

namespace {
// Completed tasks kept for the state endpoints; older ones are forgotten.
constexpr std::size_t kCompletedTasksKept = 1000;

std::string uuid_base64() {
  UuidBytes u = random_uuid();
  return base64_encode(std::string_view(reinterpret_cast<const char*>(u.data()), u.size()));
}
}  // namespace

bool FrameworkRecord::capable(const char* capability) const {
  return std::find(info.capabilities.begin(), info.capabilities.end(), capability) !=
         info.capabilities.end();
}

Master::Master(std::string master_id, ClusterConfig config,
               std::function<AgentRuntime&(const AgentRecord&)> runtime_for, std::string work_dir,
               double now)
    : id_(std::move(master_id)),
      config_(std::move(config)),
      runtime_for_(std::move(runtime_for)),
      work_dir_(std::move(work_dir)),
      start_time_(now) {
  std::size_t n = 0;
  for (const AgentConfig& ac : config_.agents) {
    AgentRecord agent;
    agent.config = ac;
    agent.id = id_ + "-S" + std::to_string(n++);
    agent.total = resources::ResourcePool(ac.total_resources());
    agent.free = agent.total;
    agent.registered_time = now;
    agents_.emplace(agent.id, std::move(agent));
  }
}

std::string Master::volume_path(const AgentRecord& agent, const std::string& role,
                                const std::string& persistence_id) const {
  std::string dir_role = role;
  std::replace(dir_role.begin(), dir_role.end(), '/', ' ');  // as Mesos names them
  return work_dir_ + "/agents/" + agent.config.name + "/volumes/roles/" + dir_role + "/" +
         persistence_id;
}

std::string Master::sandbox_path(const AgentRecord& agent, const std::string& framework_id,
                                 const std::string& executor_id) const {
  return work_dir_ + "/agents/" + agent.config.name + "/slaves/" + agent.id + "/frameworks/" +
         framework_id + "/executors/" + executor_id + "/runs/latest";
}

const AgentRecord* Master::find_agent(const std::string& id_or_name) const {
  auto it = agents_.find(id_or_name);
  if (it != agents_.end()) return &it->second;
  for (const auto& [id, agent] : agents_)
    if (agent.config.name == id_or_name) return &agent;
  return nullptr;
}

AgentRecord* Master::agent_by(const std::string& id_or_name) {
  return const_cast<AgentRecord*>(find_agent(id_or_name));
}

resources::ResourcePool Master::used(const AgentRecord& agent) const {
  resources::ResourcePool pool;
  for (const auto& [key, executor] : agent.executors) {
    for (const mesos::Resource& r : executor.info.resources)
      pool.add(r);
    for (const mesos::Resource& r : executor.volumes)
      pool.add(r);
  }
  for (const auto& [key, task] : tasks_) {
    if (task.agent_id != agent.id || task.resources_released) continue;
    for (const mesos::Resource& r : task.resources)
      pool.add(r);
  }
  return pool;
}

// ---- events

void Master::send(FrameworkRecord& framework, const mesos::Event& event) {
  if (!framework.connected || !framework.stream) return;
  if (event.type != mesos::Event::Type::subscribed) {
    framework.stream->push(mesos::recordio_encode(mesos::event_text(event)));
    return;
  }
  nlohmann::json j = mesos::to_json(event);
  j["subscribed"]["master_info"] = {{"id", id_},
                                    {"ip", 16777343},
                                    {"port", 5050},
                                    {"hostname", "localhost"},
                                    {"version", "1.11.0"}};
  framework.stream->push(
      mesos::recordio_encode(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

void Master::send_subscribed(FrameworkRecord& framework, double now) {
  mesos::Event e;
  e.type = mesos::Event::Type::subscribed;
  e.framework_id = framework.info.id;
  e.heartbeat_interval_seconds = config_.heartbeat_interval_seconds;
  send(framework, e);
  framework.last_heartbeat = now;
}

void Master::send_update(FrameworkRecord& framework, const mesos::TaskStatus& status) {
  mesos::Event e;
  e.type = mesos::Event::Type::update;
  e.status = status;
  send(framework, e);
}

mesos::TaskStatus Master::master_status(const std::string& task_id, const std::string& agent_id,
                                        TaskState state, const std::string& reason,
                                        std::string message, double now) const {
  mesos::TaskStatus s;
  s.task_id = task_id;
  s.agent_id = agent_id;
  s.state = state;
  s.source = mesos::TaskStatus::Source::master;
  s.reason = reason;
  s.message = std::move(message);
  s.timestamp = now;
  return s;
}

// ---- subscription

CallOutcome Master::subscribe(const mesos::Call& call, std::shared_ptr<EventStream> stream,
                              double now) {
  dirty_ = true;
  mesos::FrameworkInfo info = call.framework_info;
  if (info.roles.empty()) info.roles.push_back("*");
  for (const std::string& role : info.roles) {
    if (role.empty() || role.front() == '/' || role.back() == '/' ||
        role.find("//") != std::string::npos || role == "." || role == "..")
      return {400, "Failed to validate framework: invalid role \"" + role + "\""};
  }
  if (info.roles.size() > 1 && std::find(info.capabilities.begin(), info.capabilities.end(),
                                         "MULTI_ROLE") == info.capabilities.end())
    return {400, "Failed to validate framework: multiple roles need the MULTI_ROLE capability"};

  if (!info.id.empty() && removed_frameworks_.count(info.id)) {
    // Mesos answers 200, sends one ERROR event, and closes the stream.
    FrameworkRecord gone;
    gone.connected = true;
    gone.stream = stream;
    mesos::Event e;
    e.type = mesos::Event::Type::error;
    e.message = "Framework has been removed";
    send(gone, e);
    stream->close();
    return {200, ""};
  }

  // A new id never reuses one a scheduler brought along (after a master failover, Mesos
  // accepts ids it does not know) or one that was removed.
  if (info.id.empty()) {
    do {
      char digits[24];
      std::snprintf(digits, sizeof digits, "%04llu",
                    static_cast<unsigned long long>(framework_counter_++));
      info.id = id_ + "-" + digits;
    } while (frameworks_.count(info.id) || removed_frameworks_.count(info.id));
  }
  auto [it, created] = frameworks_.try_emplace(info.id);
  FrameworkRecord& fw = it->second;
  if (created) {
    fw.registered_time = now;
  } else {
    // Failover: the old subscription ends; principal, user and checkpoint are kept. As Mesos
    // does, its scheduler is told why first: a scheduler that only saw its stream close would
    // subscribe again and take the framework back, and two of them would take turns for good.
    if (fw.stream) {
      mesos::Event e;
      e.type = mesos::Event::Type::error;
      e.message = "Framework failed over";
      send(fw, e);
      fw.stream->close();
    }
    rescind_offers_of(info.id, false);
    info.principal = fw.info.principal;
    info.user = fw.info.user;
    info.checkpoint = fw.info.checkpoint;
  }
  fw.info = info;
  fw.connected = true;
  fw.stream = std::move(stream);
  fw.disconnected_at = 0;
  fw.suppressed = std::set<std::string>(call.suppressed_roles.begin(), call.suppressed_roles.end());
  fw.filters.clear();
  send_subscribed(fw, now);
  // Updates in flight go out again on the new stream.
  for (auto& [key, task] : tasks_) {
    if (task.framework_id != fw.info.id || task.unacknowledged.empty()) continue;
    send_update(fw, task.unacknowledged.front());
    task.last_sent = now;
    retry_after(now);
  }
  allocation_needed_ = true;
  return {200, "", fw.info.id};
}

void Master::stream_closed(const std::string& framework_id, const std::string& stream_id,
                           double now) {
  dirty_ = true;
  auto it = frameworks_.find(framework_id);
  if (it == frameworks_.end()) return;
  FrameworkRecord& fw = it->second;
  if (!fw.stream || fw.stream->id() != stream_id) return;  // an older subscription
  fw.stream->close();
  fw.stream.reset();
  fw.connected = false;
  fw.disconnected_at = now;
  rescind_offers_of(framework_id, false);
  allocation_needed_ = true;
}

FrameworkRecord* Master::connected_framework(const mesos::Call& call, const std::string& stream_id,
                                             CallOutcome& outcome) {
  auto it = frameworks_.find(call.framework_id);
  if (it == frameworks_.end()) {
    if (removed_frameworks_.count(call.framework_id))
      outcome = {403, "Framework has been removed"};
    else
      outcome = {400, "Framework cannot be found"};
    return nullptr;
  }
  FrameworkRecord& fw = it->second;
  if (!fw.connected || !fw.stream) {
    outcome = {403, "Framework is not subscribed"};
    return nullptr;
  }
  if (stream_id.empty()) {
    outcome = {400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"};
    return nullptr;
  }
  if (stream_id != fw.stream->id()) {
    outcome = {400, "The stream ID '" + stream_id + "' included in this request didn't match " +
                        "the stream ID currently associated with framework ID " + fw.info.id};
    return nullptr;
  }
  return &fw;
}

CallOutcome Master::validate(const std::string& framework_id, const std::string& stream_id) {
  mesos::Call call;
  call.framework_id = framework_id;
  CallOutcome outcome;
  connected_framework(call, stream_id, outcome);
  return outcome;
}

CallOutcome Master::update_framework(const mesos::Call& call, const std::string& stream_id,
                                     double now) {
  dirty_ = true;
  CallOutcome outcome;
  FrameworkRecord* fw = connected_framework(call, stream_id, outcome);
  if (!fw) return outcome;
  mesos::FrameworkInfo info = call.framework_info;
  if (info.id != call.framework_id)
    return {400, "UPDATE_FRAMEWORK: framework_info.id must equal the call's framework_id"};
  if (info.principal != fw->info.principal || info.user != fw->info.user ||
      info.checkpoint != fw->info.checkpoint)
    return {400, "UPDATE_FRAMEWORK: principal, user and checkpoint cannot change"};
  if (info.roles.empty()) info.roles.push_back("*");
  if (info.roles.size() > 1 && std::find(info.capabilities.begin(), info.capabilities.end(),
                                         "MULTI_ROLE") == info.capabilities.end())
    return {400, "UPDATE_FRAMEWORK: multiple roles need the MULTI_ROLE capability"};
  std::vector<std::string> dropped;
  for (const auto& [id, offer] : offers_)
    if (offer.framework_id == fw->info.id &&
        std::find(info.roles.begin(), info.roles.end(), offer.role) == info.roles.end())
      dropped.push_back(id);
  for (const std::string& id : dropped)
    rescind_offer(id, true);
  fw->info = info;
  fw->suppressed =
      std::set<std::string>(call.suppressed_roles.begin(), call.suppressed_roles.end());
  allocation_needed_ = true;
  (void)now;
  return {200, ""};
}

CallOutcome Master::handle(const mesos::Call& call, const std::string& stream_id, double now) {
  dirty_ = true;
  CallOutcome outcome;
  FrameworkRecord* fw = connected_framework(call, stream_id, outcome);
  if (!fw) return outcome;
  using T = mesos::Call::Type;
  switch (call.type) {
    case T::teardown:
      remove_framework(*fw, now);
      break;
    case T::decline:
      outcome.allocate_now = decline(*fw, call.offer_ids, call.refuse_seconds, now);
      break;
    case T::revive: {
      std::vector<std::string> roles = call.roles.empty() ? fw->info.roles : call.roles;
      for (const std::string& role : roles) {
        fw->suppressed.erase(role);
        std::erase_if(fw->filters, [&](const OfferFilter& f) { return f.role == role; });
      }
      allocation_needed_ = true;
      break;
    }
    case T::suppress: {
      std::vector<std::string> roles = call.roles.empty() ? fw->info.roles : call.roles;
      for (const std::string& role : roles)
        fw->suppressed.insert(role);
      break;
    }
    case T::kill:
      kill(*fw, call, now);
      break;
    case T::shutdown: {
      AgentRecord* agent = agent_by(call.agent_id);
      if (!agent) return {400, "Agent " + call.agent_id + " is not known"};
      std::string key = fw->info.id + "/" + call.executor_id;
      if (agent->executors.count(key) && agent->state == AgentRecord::State::active)
        runtime_for_(*agent).shutdown_executor(agent->id, fw->info.id, call.executor_id);
      break;
    }
    case T::acknowledge:
      acknowledge(*fw, call, now, outcome);
      break;
    case T::reconcile:
      reconcile(*fw, call.tasks, now);
      break;
    default:
      return {400, "Unsupported call"};
  }
  return outcome;
}

// ---- offers

void Master::rescind_offer(const std::string& offer_id, bool notify) {
  auto it = offers_.find(offer_id);
  if (it == offers_.end()) return;
  OfferRecord offer = std::move(it->second);
  offers_.erase(it);
  auto agent = agents_.find(offer.agent_id);
  if (agent != agents_.end() && agent->second.state != AgentRecord::State::removed)
    for (const mesos::Resource& r : offer.resources)
      agent->second.free.add(r);
  if (notify) {
    auto fw = frameworks_.find(offer.framework_id);
    if (fw != frameworks_.end()) {
      mesos::Event e;
      e.type = mesos::Event::Type::rescind;
      e.offer_id = offer_id;
      send(fw->second, e);
    }
  }
  allocation_needed_ = true;
}

void Master::rescind_offers_of(const std::string& framework_id, bool notify) {
  std::vector<std::string> ids;
  for (const auto& [id, offer] : offers_)
    if (offer.framework_id == framework_id) ids.push_back(id);
  for (const std::string& id : ids)
    rescind_offer(id, notify);
}

void Master::rescind_offers_on(const std::string& agent_id) {
  std::vector<std::string> ids;
  for (const auto& [id, offer] : offers_)
    if (offer.agent_id == agent_id) ids.push_back(id);
  for (const std::string& id : ids)
    rescind_offer(id, true);
}

// Declined resources are filtered for the framework only while their agent has nothing more
// to give. When a task's or an executor's resources were freed on it while the offer was out
// (an executor's, once its last task ended, as a serial plan's next step waits for them), the
// two together are offered at once rather than at the next tick: hello-world's `server`
// otherwise waited up to 50 ms, one deploy in five. Only then: other frameworks' or roles'
// declines free nothing, and two of them declining without filters would otherwise pass the
// agent's resources back and forth at once, forever.
bool Master::decline(FrameworkRecord& fw, const std::vector<std::string>& offer_ids,
                     std::optional<double> refuse_seconds, double now) {
  double refuse = refuse_seconds.value_or(5.0);
  if (refuse < 0) refuse = 5.0;
  refuse = std::min(refuse, 31536000.0);
  std::map<const AgentRecord*, resources::ResourcePool> returned;
  for (const std::string& id : offer_ids) {
    auto it = offers_.find(id);
    if (it == offers_.end() || it->second.framework_id != fw.info.id) continue;
    fw.filters.push_back({it->second.agent_id, it->second.role, now + refuse,
                          resources::ResourcePool(it->second.resources)});
    const AgentRecord* agent = find_agent(it->second.agent_id);
    if (agent && agent->releases != agent->releases_answered) {
      resources::ResourcePool& pool = returned[agent];
      for (const mesos::Resource& r : it->second.resources)
        pool.add(r);
    }
    rescind_offer(id, false);
  }
  if (!offers_more(fw, returned, now)) return false;
  for (auto& [agent, pool] : returned)
    agent_by(agent->id)->releases_answered = agent->releases;
  return true;
}

// ---- tasks

void Master::release_task_resources(TaskRecord& task) {
  if (task.resources_released) return;
  task.resources_released = true;
  auto agent = agents_.find(task.agent_id);
  if (agent == agents_.end() || agent->second.state == AgentRecord::State::removed) return;
  for (const mesos::Resource& r : task.resources)
    agent->second.free.add(r);
  ++agent->second.releases;
  allocation_needed_ = true;
}

void Master::release_executor(AgentRecord& agent, const std::string& key) {
  auto it = agent.executors.find(key);
  if (it == agent.executors.end()) return;
  if (agent.state != AgentRecord::State::removed) {
    for (const mesos::Resource& r : it->second.info.resources)
      agent.free.add(r);
    for (const mesos::Resource& r : it->second.volumes)
      agent.free.add(r);
    ++agent.releases;
  }
  agent.executors.erase(it);
  allocation_needed_ = true;
}

void Master::complete_task_if_done(const std::string& key) {
  auto it = tasks_.find(key);
  if (it == tasks_.end()) return;
  TaskRecord& task = it->second;
  if (!is_terminal(task.state) || !task.unacknowledged.empty()) return;
  release_task_resources(task);
  completed_order_.push_back(key);
  task.checkpoint_fixed = task.checkpoint_latest = std::string();  // not checkpointed
  completed_[key] = std::move(task);
  tasks_.erase(it);
  while (completed_order_.size() > kCompletedTasksKept) {
    completed_.erase(completed_order_.front());
    completed_order_.pop_front();
  }
}

void Master::status_update(const std::string& agent_id, mesos::TaskStatus status, double now,
                           const std::string& framework_id) {
  dirty_ = true;
  auto agent = agents_.find(agent_id);
  if (agent == agents_.end()) return;
  // Find the task by id on this agent (task ids are unique per framework; executors report
  // their own tasks).
  TaskRecord* task = nullptr;
  std::string key;
  auto matches = [&](const TaskRecord& t) {
    return t.agent_id == agent_id && t.info.task_id == status.task_id &&
           (status.executor_id.empty() || t.executor_id == status.executor_id);
  };
  if (!framework_id.empty()) {
    auto it = tasks_.find(task_key(framework_id, status.task_id));
    if (it != tasks_.end() && matches(it->second)) {
      task = &it->second;
      key = it->first;
    }
  } else {
    for (auto& [k, t] : tasks_) {
      if (matches(t)) {
        task = &t;
        key = k;
        break;
      }
    }
  }
  if (!task) {
    // No task to deliver it for: a repeat of an update already acknowledged (the executor
    // did not hear the ack before a reconnection or a restart), or one for a framework that
    // is gone. Acknowledge it, or the executor would keep it, and itself, forever.
    if (!framework_id.empty())
      runtime_for_(agent->second)
          .acknowledged(agent_id, framework_id, status.executor_id, status.task_id, status.uuid);
    return;
  }
  if (!status.uuid.empty()) {
    for (const mesos::TaskStatus& pending : task->unacknowledged)
      if (pending.uuid == status.uuid) return;  // already queued
    if (std::find(task->acknowledged.begin(), task->acknowledged.end(), status.uuid) !=
        task->acknowledged.end()) {
      runtime_for_(agent->second)
          .acknowledged(agent_id, task->framework_id, task->executor_id, status.task_id,
                        status.uuid);
      return;
    }
  }
  if (is_terminal(task->state) && !is_terminal(status.state)) {
    // A task's end is final. An update that would take it back is one that failed to reach
    // the agent and was sent again after later ones did (an executor resends what is not
    // acknowledged once it subscribes again): acknowledged, so that the executor forgets it,
    // and dropped (the Mesos master likewise keeps a terminal state against such updates).
    runtime_for_(agent->second)
        .acknowledged(agent_id, task->framework_id, task->executor_id, status.task_id, status.uuid);
    return;
  }
  status.agent_id = agent_id;
  status.executor_id = task->executor_id;
  if (status.timestamp == 0) status.timestamp = now;
  if (status.uuid.empty()) status.uuid = uuid_base64();
  task->state = status.state;
  task->latest = status;
  task->checkpoint_latest.clear();  // its checkpoint text is written anew
  if (is_terminal(status.state)) release_task_resources(*task);
  task->unacknowledged.push_back(status);
  if (task->unacknowledged.size() == 1 && agent->second.state == AgentRecord::State::active) {
    auto fw = frameworks_.find(task->framework_id);
    if (fw != frameworks_.end()) send_update(fw->second, status);
    task->last_sent = now;
    retry_after(now);
  }
}

void Master::acknowledge(FrameworkRecord& fw, const mesos::Call& call, double now,
                         CallOutcome& outcome) {
  auto decoded = base64_decode(call.uuid);
  if (!decoded || decoded->size() != 16) {
    outcome = {400, "Failed to validate scheduler::Call: Not a valid UUID"};
    return;
  }
  std::string key = task_key(fw.info.id, call.task_id);
  auto it = tasks_.find(key);
  if (it == tasks_.end()) return;  // already acknowledged: Mesos ignores duplicates
  TaskRecord& task = it->second;
  if (task.unacknowledged.empty() || task.unacknowledged.front().uuid != call.uuid) return;
  if (!call.agent_id.empty() && call.agent_id != task.agent_id) return;
  task.unacknowledged.erase(task.unacknowledged.begin());
  task.acknowledged.push_back(call.uuid);
  if (task.acknowledged.size() > 64) task.acknowledged.erase(task.acknowledged.begin());
  // Passed on even while the agent is "stopped": the executor is local and must not keep
  // an update the framework already has.
  AgentRecord* agent = agent_by(task.agent_id);
  if (agent && agent->state != AgentRecord::State::removed)
    runtime_for_(*agent).acknowledged(agent->id, fw.info.id, task.executor_id, task.info.task_id,
                                      call.uuid);
  if (!task.unacknowledged.empty()) {
    send_update(fw, task.unacknowledged.front());
    task.last_sent = now;
    retry_after(now);
  }
  complete_task_if_done(key);
}

void Master::executor_terminated(const std::string& agent_id, const std::string& framework_id,
                                 const std::string& executor_id, std::optional<int> wait_status,
                                 double now) {
  dirty_ = true;
  AgentRecord* agent = agent_by(agent_id);
  if (!agent) return;
  std::string key = framework_id + "/" + executor_id;
  auto it = agent->executors.find(key);
  if (it == agent->executors.end()) return;
  // Tasks the executor never reported terminal are lost with it.
  for (const std::string& task_id : it->second.tasks) {
    auto t = tasks_.find(task_key(framework_id, task_id));
    if (t == tasks_.end() || is_terminal(t->second.state)) continue;
    mesos::TaskStatus s;
    s.task_id = task_id;
    s.state = TaskState::failed;
    s.source = mesos::TaskStatus::Source::agent;
    s.reason = "REASON_EXECUTOR_TERMINATED";
    s.message = "Executor terminated";
    status_update(agent_id, s, now, framework_id);
  }
  release_executor(*agent, key);
  auto fw = frameworks_.find(framework_id);
  if (fw != frameworks_.end() && wait_status) {
    mesos::Event e;
    e.type = mesos::Event::Type::failure;
    e.agent_id = agent_id;
    e.executor_id = executor_id;
    e.exit_status = wait_status;
    send(fw->second, e);
  }
}

void Master::kill(FrameworkRecord& fw, const mesos::Call& call, double now) {
  auto it = tasks_.find(task_key(fw.info.id, call.task_id));
  if (it == tasks_.end() || is_terminal(it->second.state)) {
    // Unknown task: answer as an explicit reconciliation would.
    reconcile(fw, {{call.task_id, call.agent_id}}, now);
    return;
  }
  TaskRecord& task = it->second;
  AgentRecord* agent = agent_by(task.agent_id);
  if (!agent || agent->state != AgentRecord::State::active) return;  // Mesos retries later
  std::optional<std::int64_t> grace = call.kill_grace_period_ns;
  if (!grace) grace = task.info.kill_grace_period_ns;
  runtime_for_(*agent).kill_task(agent->id, fw.info.id, task.executor_id, task.info.task_id, grace);
}

void Master::reconcile(FrameworkRecord& fw, const std::vector<mesos::Call::TaskRef>& refs,
                       double now) {
  auto answer = [&](const TaskRecord& task) {
    mesos::TaskStatus s = task.latest.value_or(mesos::TaskStatus{});
    s.task_id = task.info.task_id;
    s.agent_id = task.agent_id;
    s.executor_id = task.executor_id;
    s.state = task.state;
    s.source = mesos::TaskStatus::Source::master;
    s.reason = "REASON_RECONCILIATION";
    s.uuid.clear();
    s.labels.clear();
    s.timestamp = now;
    const AgentRecord* agent = find_agent(task.agent_id);
    if (agent && agent->state == AgentRecord::State::stopped && !is_terminal(task.state))
      s.state = fw.partition_aware() ? TaskState::unreachable : TaskState::lost;
    send_update(fw, s);
  };
  if (refs.empty()) {
    for (const auto& [key, task] : tasks_)
      if (task.framework_id == fw.info.id) answer(task);
    return;
  }
  for (const auto& ref : refs) {
    auto it = tasks_.find(task_key(fw.info.id, ref.task_id));
    if (it != tasks_.end()) {
      answer(it->second);
      continue;
    }
    auto done = completed_.find(task_key(fw.info.id, ref.task_id));
    if (done != completed_.end()) {
      answer(done->second);
      continue;
    }
    const AgentRecord* agent = ref.agent_id.empty() ? nullptr : find_agent(ref.agent_id);
    TaskState state = TaskState::unknown;
    if (agent) {
      switch (agent->state) {
        case AgentRecord::State::active:
          state = TaskState::gone;
          break;
        case AgentRecord::State::stopped:
          state = TaskState::unreachable;
          break;
        case AgentRecord::State::removed:
          state = TaskState::gone_by_operator;
          break;
      }
    }
    if (!fw.partition_aware()) state = TaskState::lost;
    send_update(fw, master_status(ref.task_id, ref.agent_id, state, "REASON_RECONCILIATION",
                                  "Reconciliation: task is unknown", now));
  }
}

// ---- framework removal

void Master::remove_framework(FrameworkRecord& fw, double now) {
  const std::string id = fw.info.id;
  rescind_offers_of(id, false);
  for (auto& [agent_id, agent] : agents_) {
    std::vector<std::string> keys;
    for (const auto& [key, executor] : agent.executors)
      if (executor.info.framework_id == id) keys.push_back(key);
    for (const std::string& key : keys) {
      if (agent.state == AgentRecord::State::active)
        runtime_for_(agent).shutdown_executor(agent.id, id, agent.executors[key].info.executor_id);
      release_executor(agent, key);
    }
  }
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second.framework_id != id) {
      ++it;
      continue;
    }
    TaskRecord& task = it->second;
    release_task_resources(task);
    if (!is_terminal(task.state)) task.state = TaskState::killed;
    // Nobody will acknowledge these now: let the executor go.
    AgentRecord* agent = agent_by(task.agent_id);
    if (agent && agent->state == AgentRecord::State::active)
      for (const mesos::TaskStatus& s : task.unacknowledged)
        runtime_for_(*agent).acknowledged(agent->id, id, task.executor_id, task.info.task_id,
                                          s.uuid);
    task.unacknowledged.clear();
    task.checkpoint_fixed = task.checkpoint_latest = std::string();  // not checkpointed
    completed_order_.push_back(it->first);
    completed_[it->first] = std::move(task);
    it = tasks_.erase(it);
  }
  if (fw.stream) fw.stream->close();
  removed_frameworks_.insert(id);
  frameworks_.erase(id);
  (void)now;
  allocation_needed_ = true;
}

CallOutcome Master::teardown(const std::string& framework_id, double now) {
  dirty_ = true;
  auto it = frameworks_.find(framework_id);
  if (it == frameworks_.end()) return {400, "No framework found with specified ID"};
  remove_framework(it->second, now);
  return {200, ""};
}

// ---- timers

void Master::tick(double now) {
  // Failover timeouts.
  std::vector<std::string> expired;
  for (const auto& [id, fw] : frameworks_)
    if (!fw.connected && fw.disconnected_at > 0 &&
        now - fw.disconnected_at >= fw.info.failover_timeout)
      expired.push_back(id);
  for (const std::string& id : expired)
    remove_framework(frameworks_.at(id), now);

  for (auto& [id, fw] : frameworks_) {
    if (!fw.connected) continue;
    if (now - fw.last_heartbeat >= config_.heartbeat_interval_seconds) {
      mesos::Event e;
      e.type = mesos::Event::Type::heartbeat;
      send(fw, e);
      fw.last_heartbeat = now;
    }
    if (std::erase_if(fw.filters, [&](const OfferFilter& f) { return f.until <= now; }) > 0)
      allocation_needed_ = true;
  }
  // Unacknowledged updates go out again.
  if (now >= retry_due_) {
    retry_due_ = std::numeric_limits<double>::infinity();
    for (auto& [key, task] : tasks_) {
      if (task.unacknowledged.empty()) continue;
      if (now - task.last_sent < config_.update_retry_seconds) {
        retry_after(task.last_sent);
        continue;
      }
      // An update waiting for its agent or framework goes out when that one is back (agent
      // restart, resubscription); until then it is looked at once an interval.
      retry_after(now);
      const AgentRecord* agent = find_agent(task.agent_id);
      if (!agent || agent->state != AgentRecord::State::active) continue;
      auto fw = frameworks_.find(task.framework_id);
      if (fw == frameworks_.end() || !fw->second.connected) continue;
      send_update(fw->second, task.unacknowledged.front());
      task.last_sent = now;
    }
  }
  if (allocation_needed_ || now >= next_allocation_) allocate(now);
}

// ---- fault injection

// As Mesos does when it takes an agent out (unreachable, or gone while it was active): every
// framework subscribed hears of it, with or without tasks there (FAILURE naming the agent, no
// executor). An agent already unreachable that is then removed is not told of again.
void Master::send_agent_lost(const std::string& agent_id) {
  for (auto& [id, fw] : frameworks_) {
    mesos::Event e;
    e.type = mesos::Event::Type::failure;
    e.agent_id = agent_id;
    send(fw, e);
  }
}

CallOutcome Master::stop_agent(const std::string& name, double now) {
  dirty_ = true;
  AgentRecord* agent = agent_by(name);
  if (!agent) return {404, "no agent " + name};
  if (agent->state != AgentRecord::State::active) return {409, "agent " + name + " is not active"};
  agent->state = AgentRecord::State::stopped;
  rescind_offers_on(agent->id);
  for (auto& [key, task] : tasks_) {
    if (task.agent_id != agent->id || is_terminal(task.state)) continue;
    auto fw = frameworks_.find(task.framework_id);
    if (fw == frameworks_.end()) continue;
    TaskState state = fw->second.partition_aware() ? TaskState::unreachable : TaskState::lost;
    mesos::TaskStatus s = master_status(task.info.task_id, agent->id, state, "REASON_SLAVE_REMOVED",
                                        "Agent is unreachable", now);
    s.executor_id = task.executor_id;
    send_update(fw->second, s);
  }
  send_agent_lost(agent->id);
  return {200, ""};
}

CallOutcome Master::start_agent(const std::string& name, double now) {
  dirty_ = true;
  AgentRecord* agent = agent_by(name);
  if (!agent) return {404, "no agent " + name};
  if (agent->state == AgentRecord::State::removed)
    return {409, "agent " + name + " was removed for good"};
  if (agent->state == AgentRecord::State::active) return {200, ""};
  agent->state = AgentRecord::State::active;
  // The agent re-registers: tasks still there report their state again, and updates that
  // waited for the agent go out.
  for (auto& [key, task] : tasks_) {
    if (task.agent_id != agent->id) continue;
    auto fw = frameworks_.find(task.framework_id);
    if (fw == frameworks_.end()) continue;
    if (!task.unacknowledged.empty()) {
      send_update(fw->second, task.unacknowledged.front());
      task.last_sent = now;
      retry_after(now);
    } else if (!is_terminal(task.state)) {
      mesos::TaskStatus s = task.latest.value_or(mesos::TaskStatus{});
      s.task_id = task.info.task_id;
      s.agent_id = agent->id;
      s.executor_id = task.executor_id;
      s.state = task.state;
      s.source = mesos::TaskStatus::Source::master;
      s.reason = "REASON_AGENT_REREGISTERED";
      s.message = "Agent reregistered";
      s.uuid.clear();
      s.timestamp = now;
      send_update(fw->second, s);
    }
  }
  allocation_needed_ = true;
  return {200, ""};
}

CallOutcome Master::remove_agent(const std::string& name, double now) {
  dirty_ = true;
  AgentRecord* agent = agent_by(name);
  if (!agent) return {404, "no agent " + name};
  if (agent->state == AgentRecord::State::removed) return {200, ""};
  const bool was_active = agent->state == AgentRecord::State::active;
  rescind_offers_on(agent->id);
  {  // stopped or not, its executors are on this host and must go
    for (const auto& [key, executor] : agent->executors)
      runtime_for_(*agent).shutdown_executor(agent->id, executor.info.framework_id,
                                             executor.info.executor_id);
  }
  agent->state = AgentRecord::State::removed;
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    TaskRecord& task = it->second;
    if (task.agent_id != agent->id) {
      ++it;
      continue;
    }
    auto fw = frameworks_.find(task.framework_id);
    if (!is_terminal(task.state) && fw != frameworks_.end()) {
      TaskState state =
          fw->second.partition_aware() ? TaskState::gone_by_operator : TaskState::lost;
      mesos::TaskStatus s =
          master_status(task.info.task_id, agent->id, state, "REASON_SLAVE_REMOVED_BY_OPERATOR",
                        "Agent was removed by the operator", now);
      s.executor_id = task.executor_id;
      send_update(fw->second, s);
      task.state = state;
    }
    task.unacknowledged.clear();
    task.resources_released = true;
    task.checkpoint_fixed = task.checkpoint_latest = std::string();  // not checkpointed
    completed_order_.push_back(it->first);
    completed_[it->first] = std::move(task);
    it = tasks_.erase(it);
  }
  agent->executors.clear();
  agent->free = resources::ResourcePool();
  agent->total = resources::ResourcePool();
  if (was_active) send_agent_lost(agent->id);
  return {200, ""};
}

}  // namespace steward::cluster
