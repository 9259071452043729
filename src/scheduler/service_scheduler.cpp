#include "scheduler/service_scheduler.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <tuple>

#include "common/allocator.hpp"
#include "common/json_text.hpp"
#include "common/uuid.hpp"
#include "mesos/call_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"
#include "offer/pod_launch_evaluator.hpp"
#include "offer/unexpected_resources.hpp"
#include "plan/plan_generator.hpp"
#include "plan/plan_render.hpp"
#include "resources/resource_pool.hpp"
#include "scheduler/log.hpp"
#include "scheduler/task_labels.hpp"
#include "scheduler/work.hpp"
#include "spec/spec_json.hpp"
#include "spec/spec_summary.hpp"
#include "state/record_codec.hpp"

namespace steward::scheduler {

namespace fs = std::filesystem;
using nlohmann::json;
using plan::Status;

namespace {

constexpr std::size_t kMaxQueuedOffers = 256;
// Acknowledgements queued while others are under way go out together, pipelined on one
// connection, at most this many at once (about 25 KB of requests: well within the sockets'
// buffers, which a pipelined batch must fit).
constexpr std::size_t kAcknowledgementBatch = 64;
// ACCEPTs pipelined at once (a pass sends one per offer it used; two passes may be queued).
constexpr std::size_t kAcceptBatch = 32;
// Marks an unconfirmed resize in `unconfirmed_` (a bare instance is a new footprint).
constexpr const char* kResized = "#resize";
constexpr std::size_t kOffersDetailed = 16;  // offers of one evaluation kept in full

// LOST, UNREACHABLE and UNKNOWN are not terminal for Mesos, but the task is not running.
bool not_running(mesos::TaskState s) {
  return mesos::is_terminal(s) || s == mesos::TaskState::lost ||
         s == mesos::TaskState::unreachable || s == mesos::TaskState::unknown;
}

// The answers a launch gets when its ACCEPT never took effect (a stale offer, a scheduler
// killed before sending it, reconciliation of a task the master never had).
bool never_launched(mesos::TaskState s) {
  return s == mesos::TaskState::dropped || s == mesos::TaskState::error ||
         s == mesos::TaskState::lost || s == mesos::TaskState::unknown ||
         s == mesos::TaskState::gone || s == mesos::TaskState::gone_by_operator;
}

int rank(Status s) {
  switch (s) {
    case Status::error:
      return 0;
    case Status::delayed:
      return 1;
    case Status::pending:
      return 2;
    case Status::prepared:
      return 3;
    case Status::starting:
      return 4;
    case Status::started:
      return 5;
    default:
      return 6;
  }
}

std::string current_user() {
  if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return "nobody";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "1.5", "4": a delay for a log line.
std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(s * 10) / 10);
  return buf;
}

std::string call_json(mesos::Call call) {
  return mesos::to_json(call).dump();
}

}  // namespace

ServiceScheduler::ServiceScheduler(SchedulerOptions options)
    : options_(std::move(options)),
      call_failures_([this](const std::string& line) { log(options_.service_name, line); }),
      reconciler_(options_.reconcile),
      backoff_(options_.backoff),
      killer_(options_.kill_resend_seconds) {
  plans_.set_observer(this);
  if (options_.spec) options_.service_name = options_.spec->name;
}

ServiceScheduler::~ServiceScheduler() {
  stop();
  plans_.set_observer(nullptr);  // the sets it fills go before the plans do
}

double ServiceScheduler::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ServiceScheduler::new_id() {
  return steward::new_id();
}

bool ServiceScheduler::open(std::string& error) {
  const fs::path dir = options_.state_dir;
  if (fs::exists(dir / "UNINSTALLED")) {
    std::ifstream in(dir / "UNINSTALLED");
    std::string when;
    std::getline(in, when);
    error = "service " + options_.service_name + " was uninstalled (" + when +
            "); it does nothing more. Remove " + (dir / "UNINSTALLED").string() +
            " to deploy it again.";
    return false;
  }
  if (options_.uninstall && !fs::exists(dir / "state.db")) {
    error = "no state for service " + options_.service_name + " in " + dir.string();
    return false;
  }
  try {
    sqlite_ = std::make_unique<state::SqliteStateStore>(dir.string());
  } catch (const state::StateError& e) {
    error = e.what();
    return false;
  }
  store_ = std::make_unique<state::LockedStateStore>(*sqlite_);
  return true;
}

bool ServiceScheduler::start(std::string& error) {
  bool ok = false;
  try {
    ok = (store_ || open(error)) && load_state_and_run(error);
  } catch (const std::exception& e) {  // out of memory or threads, say: the start fails
    error = e.what();
  }
  {
    std::lock_guard lock(start_mutex_);
    start_state_ = ok ? StartState::started : StartState::failed;
  }
  start_cv_.notify_all();
  return ok;
}

bool ServiceScheduler::wait_started(std::chrono::milliseconds within) {
  std::unique_lock lock(start_mutex_);
  start_cv_.wait_for(lock, within, [this] { return start_state_ != StartState::loading; });
  return start_state_ == StartState::started;
}

bool ServiceScheduler::load_state_and_run(std::string& error) {
  open_user_properties();
  mesos::FrameworkInfo info;
  // Reading the state may meet a damaged row: the start stops with the store's error (the
  // file and what is wrong) before any thread runs.
  try {
    if (!load_state(info, error)) return false;
  } catch (const state::StateError& e) {
    error = e.what();
    return false;
  }

  MesosSession::Options so;
  so.host = options_.master_host;
  so.port = options_.master_port;
  so.framework = info;
  // An OFFERS event from thousands of agents is megabytes of offers, most of them declined at
  // once for want of room: those are read by id only.
  so.offers_read = kMaxQueuedOffers;
  auto session =
      std::make_unique<MesosSession>(so, *store_, static_cast<MesosSession::Listener&>(*this));
  bool stop_requested = false;
  {
    // request_end() may come from the signal thread during the load: it sees the session
    // once it is here, or this sees that it came (and the session never subscribes).
    std::lock_guard lock(start_mutex_);
    session_ = std::move(session);
    stop_requested = stopping_;
  }
  if (stop_requested) session_->abort_calls();
  auto call_failed = [this](const std::string& what, const mesos::SchedulerClient::Response& r) {
    note_call(what, r);
  };
  auto call_done = [this](const std::string& what) {
    call_failures_.succeeded(what, static_cast<double>(now_ms()) / 1000);
  };
  auto call_many = [this](std::vector<std::string> bodies) {
    return session_->call_many(std::move(bodies));
  };
  ack_queue_ =
      std::make_unique<mesos::CallQueue>(call_many, kAcknowledgementBatch, call_failed, call_done);
  accept_queue_ =
      std::make_unique<mesos::CallQueue>(call_many, kAcceptBatch, call_failed, call_done);
  // Loading thousands of tasks and building their plans left freed temporaries behind.
  release_memory();
  loop_ = std::make_unique<EventLoop>(std::chrono::milliseconds(100), [this] { guarded_tick(); });
  loop_->start();
  if (!stop_requested) session_->start();
  log(options_.service_name, std::string(options_.uninstall ? "uninstalling" : "scheduling") +
                                 " with config " + (config_id_.empty() ? "-" : config_id_) +
                                 ", master " + options_.master_host + ":" +
                                 std::to_string(options_.master_port));
  return true;
}

void ServiceScheduler::stop() {
  stopping_ = true;
  // Acknowledgements still queued are dropped, and those under way are cut short: the master
  // sends their updates again. (request_end() aborted the calls already, unless the stop
  // came otherwise.)
  if (session_) session_->abort_calls();
  if (ack_queue_) ack_queue_->stop();
  if (accept_queue_) accept_queue_->stop();
  if (session_) session_->stop();
  if (loop_) loop_->stop();
  // Code steps end on their own (their results find the loop stopped).
  for (CodeThread& t : code_threads_)
    if (t.thread.joinable()) t.thread.join();
  code_threads_.clear();
  if (uninstalled_ && sqlite_) {
    // Nothing of the service stays: the database goes with it (the marker says why).
    store_.reset();
    sqlite_.reset();
    std::error_code ec;
    for (const char* f : {"state.db", "state.db-wal", "state.db-shm"})
      fs::remove(fs::path(options_.state_dir) / f, ec);
  }
  std::lock_guard lock(end_mutex_);
  ending_ = true;
  ended_.notify_all();
}

void ServiceScheduler::end(const std::string& reason) {
  std::lock_guard lock(end_mutex_);
  if (ending_) return;
  ending_ = true;
  end_reason_ = reason;
  ended_.notify_all();
}

void ServiceScheduler::wait() {
  std::unique_lock lock(end_mutex_);
  ended_.wait(lock, [this] { return ending_; });
}

std::string ServiceScheduler::end_reason() const {
  std::lock_guard lock(end_mutex_);
  return end_reason_;
}

// ---------------------------------------------------------------------------------------------
// State cache

// What start() reads from the store: tasks, statuses, overrides, the registration, the
// properties of garbage collection and footprints, and the plans built from them.
bool ServiceScheduler::load_state(mesos::FrameworkInfo& info, std::string& error) {
  // Nothing of the tasks goes into a plan's structure: it is made while they load.
  std::promise<std::vector<std::unique_ptr<plan::Plan>>> plans;
  std::function<void()> make_plans;
  if (options_.spec && !options_.uninstall) {
    early_deploy_completed_ = store_->property("deploy-completed").has_value();
    early_plans_ = plans.get_future();
    make_plans = [&] {
      try {
        plan::GenerateOptions g;
        g.deploy_completed = early_deploy_completed_;
        plans.set_value(plan::generate_plans(*options_.spec, g));
      } catch (...) {  // rebuild_plans() makes them again, and reports the failure
        plans.set_exception(std::current_exception());
      }
    };
  }
  load_tasks(make_plans);
  // The load read every row through SQLite's cache at its default size; from here on the
  // scheduler holds what it reads in memory of its own, and writes more than it reads.
  store_->set_cache_kib(options_.store_cache_kib);
  for (const auto& [name, o] : store_->goal_overrides())
    if (o.goal != state::GoalOverride::Goal::none && tasks_.count(name)) overrides_[name] = o;

  if (options_.spec) {
    if (!choose_target(*options_.spec, error)) return false;
    const spec::ServiceSpec& s = *target_;
    role_ = offer::service_role(s.name);
    principal_ = s.scheduler.principal.empty() ? s.name + "-principal" : s.scheduler.principal;
    info.name = s.name;
    // `--user`, else the spec's scheduler.user, else the user running the scheduler: the
    // framework's user, which a pod without a user of its own runs as.
    info.user = !options_.user.empty()      ? options_.user
                : !s.scheduler.user.empty() ? s.scheduler.user
                                            : current_user();
    info.principal = principal_;
    info.roles = {role_};
    for (const spec::PodSpec& p : s.pods) {
      if (p.pre_reserved_role.empty()) continue;
      std::string refined = p.pre_reserved_role + "/" + role_;
      if (std::find(info.roles.begin(), info.roles.end(), refined) == info.roles.end())
        info.roles.push_back(refined);
    }
    info.failover_timeout = options_.failover_timeout_seconds;
    info.checkpoint = true;
    info.capabilities = {"MULTI_ROLE", "RESERVATION_REFINEMENT", "PARTITION_AWARE",
                         "TASK_KILLING_STATE"};
    store_->set_property("framework-info", mesos::to_json(info).dump());
  } else {
    auto saved = store_->property("framework-info");
    std::string parse_error;
    auto j = saved ? json::parse(*saved, nullptr, false) : json();
    auto parsed =
        saved && !j.is_discarded() ? mesos::framework_info_from_json(j, parse_error) : std::nullopt;
    if (!parsed) {
      error = "the state of " + options_.service_name +
              " does not say how it registered (framework-info): " + parse_error;
      return false;
    }
    info = *parsed;
    info.id.clear();
    role_ = info.roles.empty() ? offer::service_role(options_.service_name) : info.roles[0];
    principal_ = info.principal;
  }
  for (const std::string& r : info.roles)
    roles_.roles.insert(r);

  if (auto gc = store_->property("gc-resources")) {
    json j = json::parse(*gc, nullptr, false);
    if (j.is_object())
      for (const auto& [id, agent] : j.items())
        if (agent.is_string()) gc_resources_[id] = agent.get<std::string>();
  }
  if (auto u = store_->property("unconfirmed-footprints")) {
    json j = json::parse(*u, nullptr, false);
    if (j.is_array())
      for (const json& a : j)
        if (a.is_string()) unconfirmed_.insert(a.get<std::string>());
    // A status on record for a task of the footprint already confirmed it (a crash may have
    // come between storing that status and updating this set).
    for (auto it = unconfirmed_.begin(); it != unconfirmed_.end();) {
      bool confirmed = false;
      if (auto pod = split_instance(it->substr(0, it->find('#'))))
        for (const std::string& n : pod_task_names(pod->first, pod->second)) {
          auto st = statuses_.find(n);
          if (st == statuses_.end() || st->second.task_id != tasks_.at(n).task_id()) continue;
          confirmed = confirmed || !never_launched(st->second.state);
        }
      it = confirmed ? unconfirmed_.erase(it) : std::next(it);
    }
  }
  if (options_.uninstall) {
    build_uninstall_plan();
  } else {
    auto recovery =
        std::make_unique<plan::Plan>("recovery", std::vector<std::unique_ptr<plan::Phase>>{},
                                     plan::Strategy::parallel(0), plan::system_clock());
    recovery_ = recovery.get();
    plans_.add(std::move(recovery));
    rebuild_plans();
    // A refused update's errors stay until an update is accepted or the target is sent
    // again, restarts included.
    if (auto last = store_->property("last-update"); last && refused_.empty()) {
      json j = json::parse(*last, nullptr, false);
      if (j.is_object() && j.value("result", "") == "refused")
        for (const json& e : j.value("errors", json::array()))
          if (e.is_string()) refused_.push_back(e.get<std::string>());
    }
    if (plan::Plan* deploy = plans_.find("deploy"))
      for (const std::string& e : refused_)
        deploy->add_error(e);
  }
  return true;
}

void ServiceScheduler::load_tasks(const std::function<void()>& beside) {
  tasks_.clear();
  by_id_.clear();
  statuses_.clear();
  pod_tasks_.clear();
  down_.clear();
  // The statuses are read on a thread and a connection of their own while the tasks are read
  // here: at 10,000 tasks they were 11-15 ms of a start-up. Only what the loops decide on is
  // kept (LastStatus), each as it is read (10,000 whole ones were 4.6 MB of a restart's
  // peak); they come sorted by name, so each goes at the end.
  const auto read = [this, &beside](bool apart) {
    std::map<std::string, LastStatus> kept;
    const auto keep = [&kept](std::string name, const mesos::TaskStatus& status) {
      kept.emplace_hint(kept.end(), std::move(name), LastStatus(status));
    };
    if (apart)
      sqlite_->for_each_status_apart(keep);
    else
      for (auto& [name, status] : store_->statuses())
        keep(name, status);
    if (beside) beside();
    return kept;
  };
  std::future<std::map<std::string, LastStatus>> reading;
  try {
    reading = std::async(std::launch::async, read, true);
  } catch (const std::system_error&) {  // no thread to be had: read them after the tasks
    reading = std::async(std::launch::deferred, read, false);
  }
  store_->for_each_task_record(
      [&](std::string name, std::string_view record, std::string config_id) {
        std::string error;
        std::optional<TaskEntry> task =
            TaskEntry::from_record(name, record, std::move(config_id), error);
        if (!task)
          throw state::StateError("state store " + sqlite_->path() + ": task " + name +
                                  " is damaged: " + error);
        // Records come sorted by name, so each insertion goes at the end: no search.
        const TaskEntry& entry =
            tasks_.emplace_hint(tasks_.end(), std::move(name), std::move(*task))->second;
        if (!entry.task_id().empty()) by_id_.emplace(entry.task_id(), &entry.name());
        index_task(entry);
      });
  std::map<std::string, LastStatus> stored = reading.get();
  // Sorted by name too: the status nodes move over without being allocated again.
  for (const auto& [name, entry] : tasks_) {
    auto st = statuses_.end();
    if (auto s = stored.find(name); s != stored.end())
      st = statuses_.insert(statuses_.end(), stored.extract(s));
    if (is_down(entry, st == statuses_.end() ? nullptr : &st->second)) down_.insert(name);
  }
}

bool ServiceScheduler::is_down(const TaskEntry& task, const LastStatus* status) {
  if (task.task_id().empty()) return false;
  return (status != nullptr && status->task_id == task.task_id() && not_running(status->state)) ||
         task.has_label(kPermanentlyFailed);
}

void ServiceScheduler::refresh_down(const std::string& name) {
  auto t = tasks_.find(name);
  bool down = false;
  if (t != tasks_.end()) {
    auto st = statuses_.find(name);
    down = is_down(t->second, st == statuses_.end() ? nullptr : &st->second);
  }
  if (down)
    down_.insert(name);
  else
    down_.erase(name);
}

void ServiceScheduler::PodTaskNames::insert(const std::string* name) {
  auto at = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const std::string* a, const std::string* b) { return *a < *b; });
  if (at != names_.end() && **at == *name)
    *at = name;
  else
    names_.insert(at, name);
}

void ServiceScheduler::PodTaskNames::erase(const std::string& name) {
  std::erase_if(names_, [&](const std::string* n) { return *n == name; });
}

void ServiceScheduler::index_task(const TaskEntry& t) {
  pod_tasks_[t.pod()].insert(&t.name());
}

void ServiceScheduler::unindex_task(const TaskEntry& t) {
  auto it = pod_tasks_.find(t.pod());
  if (it == pod_tasks_.end()) return;
  it->second.erase(t.name());
  if (it->second.empty()) pod_tasks_.erase(it);
}

void ServiceScheduler::store_tasks(const std::vector<state::StoredTask>& tasks) {
  store_->store_tasks(tasks);
  for (const state::StoredTask& t : tasks)
    put_task(t);
}

void ServiceScheduler::put_task(const state::StoredTask& task) {
  // Made before the indexes are touched: if it throws, the old entry stays, still indexed.
  put_task(TaskEntry(task));
}

void ServiceScheduler::put_task(TaskEntry fresh) {
  const std::string name = fresh.name();
  auto old = tasks_.find(name);
  if (old != tasks_.end()) {
    if (!old->second.task_id().empty()) by_id_.erase(old->second.task_id());
    unindex_task(old->second);
  }
  const TaskEntry& entry = tasks_.insert_or_assign(name, std::move(fresh)).first->second;
  if (!entry.task_id().empty()) by_id_[entry.task_id()] = &entry.name();
  index_task(entry);
  refresh_down(name);
}

std::set<std::string> ServiceScheduler::kept_resource_ids() const {
  // Every task's, whatever agent it is on record with: an agent that comes back under a new
  // id (a host rebooted) offers the reservations and volumes it had under the old one.
  std::set<std::string> keep;
  for (const auto& [name, t] : tasks_)
    t.for_each_resource_id([&](std::string_view id) { keep.emplace(id); });
  return keep;
}

std::vector<std::string> ServiceScheduler::pod_task_names(const std::string& pod_type,
                                                          int index) const {
  auto it = pod_tasks_.find({pod_type, index});
  if (it == pod_tasks_.end()) return {};
  std::vector<std::string> names;
  names.reserve(it->second.size());
  for (const std::string* name : it->second)
    names.push_back(*name);
  return names;
}

bool ServiceScheduler::ready(const LastStatus& s) const {
  auto it = by_id_.find(s.task_id);
  if (it == by_id_.end()) return false;
  return ready(s, *it->second, tasks_.at(*it->second));
}

bool ServiceScheduler::ready(const LastStatus& s, const std::string& name,
                             const TaskEntry& task) const {
  if (!task.has_check() || paused(name)) return true;
  return (s.check_exit_code && *s.check_exit_code == 0) ||
         (s.check_succeeded && *s.check_succeeded);
}

void ServiceScheduler::mark_step_initial_statuses() {
  // A step whose tasks already reached their goal (a restarted scheduler) is COMPLETE; so is
  // one whose tasks were replaced permanently (recovery owns them).
  for (const auto& p : plans_.plans()) {
    if (p.get() == recovery_ || p->name() == "decommission") continue;
    for (const auto& phase : p->phases()) {
      for (const auto& step : phase->steps()) {
        if (step->status() == Status::complete) continue;
        const spec::PodSpec* pod = target_->find_pod(step->pod_type());
        if (pod == nullptr || step->tasks().empty()) continue;
        bool done = true;
        for (const std::string& task : step->tasks()) {
          const spec::TaskSpec* ts = pod->find_task(task);
          auto it = tasks_.find(step->pod_instance() + "-" + task);
          if (ts == nullptr || it == tasks_.end() || it->second.task_id().empty()) {
            done = false;
            break;
          }
          if (it->second.has_label(kPermanentlyFailed)) continue;
          auto st = statuses_.find(it->first);
          if (st == statuses_.end() || st->second.task_id != it->second.task_id()) {
            done = false;
            break;
          }
          const mesos::TaskState state = st->second.state;
          if (ts->goal == spec::GoalState::running)
            done = state == mesos::TaskState::running && ready(st->second, it->first, it->second) &&
                   it->second.label("target_configuration") == config_id_;
          else if (ts->goal == spec::GoalState::finish)
            done = state == mesos::TaskState::finished &&
                   it->second.label("target_configuration") == config_id_;
          else
            done = state == mesos::TaskState::finished;
          if (!done) break;
        }
        if (done) step->force_complete();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mesos session (reader thread) -> loop

void ServiceScheduler::subscribed(const std::string& framework_id) {
  loop_->post([this, framework_id] { on_subscribed(framework_id); });
}

void ServiceScheduler::event(mesos::Event&& event) {
  switch (event.type) {
    case mesos::Event::Type::offers:
      loop_->post([this, offers = std::move(event.offers),
                   unread = std::move(event.unread_offer_ids)]() mutable {
        on_offers(std::move(offers), std::move(unread));
      });
      break;
    case mesos::Event::Type::rescind:
      loop_->post([this, id = event.offer_id] {
        offers_.erase(std::remove_if(offers_.begin(), offers_.end(),
                                     [&](const mesos::Offer& o) { return o.id == id; }),
                      offers_.end());
      });
      break;
    case mesos::Event::Type::update:
      if (event.status)
        loop_->post([this, s = std::move(*event.status)]() mutable { queue_update(std::move(s)); });
      break;
    case mesos::Event::Type::failure:
      // An agent lost (no executor named): unreachable, or gone. Which one, and what of it is
      // gone for good, the statuses of its tasks say (a TASK_GONE_BY_OPERATOR drops what was
      // to be released there, in on_update): an unreachable agent may come back with it.
      if (event.executor_id.empty() && !event.agent_id.empty())
        log(options_.service_name, "agent " + event.agent_id + " is lost to the master");
      if (!event.executor_id.empty())
        log(options_.service_name,
            "executor " + event.executor_id + " on agent " + event.agent_id + " ended");
      break;
    case mesos::Event::Type::error:
      log(options_.service_name, "error from the master: " + event.message);
      break;
    default:
      break;
  }
}

void ServiceScheduler::disconnected(const std::string& why) {
  loop_->post([this, why] {
    if (subscribed_) {
      log(options_.service_name, "disconnected from the master: " + why);
    } else if (why != last_subscribe_failure_) {
      // A subscription that keeps failing is said once per reason, not once per retry: silence
      // left an operator guessing why nothing happened.
      log(options_.service_name, "cannot subscribe yet, retrying with backoff: " + why);
    }
    last_subscribe_failure_ = subscribed_ ? "" : why;
    subscribed_ = false;
    offers_.clear();
    // They would fail one by one; the master sends their updates again once subscribed,
    // and the offers of the ACCEPTs are gone with the subscription (the tasks they launched
    // are reconciled as lost).
    ack_queue_->clear();
    accept_queue_->clear();
    last_pass_accepts_ = 0;
  });
}

void ServiceScheduler::removed(const std::string& message) {
  if (options_.uninstall) {
    loop_->post([this, message] {
      if (store_->property("teardown-sent")) {
        // Torn down already (an uninstall killed after its TEARDOWN): only the wipe was left.
        complete_uninstall();
        return;
      }
      log(options_.service_name,
          "the master removed this framework (" + message +
              ") before the uninstall released its reservations and volumes; they stay on "
              "their agents. The state is kept in " +
              options_.state_dir + ".");
      end("removed by the master before the uninstall finished: " + message);
    });
    return;
  }
  log(options_.service_name,
      "the master removed this framework (" + message +
          "): its tasks and reservations are gone. Uninstall the service, or remove its state "
          "directory " +
          options_.state_dir + " to deploy it afresh.");
  end_now("removed by the master: " + message);
}

// Another scheduler subscribed with this one's framework id: a copy of its state directory
// (the lock file keeps two off one directory). Its tasks are that scheduler's now; going on
// would take the framework back at the next subscription, and the two would take turns.
void ServiceScheduler::superseded(const std::string& message) {
  const std::string id = session_->framework_id();
  log(options_.service_name,
      "another scheduler subscribed as framework " + id + " (the master: \"" + message +
          "\"); this one stops, and the tasks stay with the other. Two schedulers of one "
          "framework would each undo the other's work: stop one of them for good.");
  end_now("another scheduler took over framework " + id + ": " + message);
}

void ServiceScheduler::on_subscribed(const std::string& framework_id) {
  log(options_.service_name, "subscribed as framework " + framework_id);
  subscribed_ = true;
  last_subscribe_failure_.clear();
  reconciled_ = false;
  suppressed_ = false;
  declined_long_ = false;
  revive_wanted_ = true;
  offers_.clear();
  std::vector<mesos::Call::TaskRef> live;
  for (const auto& [name, t] : tasks_) {
    if (t.task_id().empty()) continue;
    auto st = statuses_.find(name);
    if (st != statuses_.end() && st->second.task_id == t.task_id() &&
        mesos::is_terminal(st->second.state))
      continue;
    live.push_back({t.task_id(), t.agent_id()});
  }
  reconciler_.start(live, now());
}

void ServiceScheduler::on_offers(std::vector<mesos::Offer> offers,
                                 std::vector<std::string> unread_ids) {
  metrics_.offers_received += offers.size() + unread_ids.size();
  // Those past the queue's room are declined (the unread ones were past it already).
  for (mesos::Offer& o : offers) {
    if (offers_.size() >= kMaxQueuedOffers)
      unread_ids.push_back(std::move(o.id));
    else
      offers_.push_back(std::move(o));
  }
  decline_ids(std::move(unread_ids), options_.short_decline_seconds);
  tick_soon();
}

// Offers and statuses are acted on when they arrive, not at the next periodic tick: a serial
// plan otherwise lost up to a tick per step twice over (the status that completes a step, then
// the offers its successor needs), most of hello-world's deploy time beyond its tasks' own.
void ServiceScheduler::tick_soon() {
  if (tick_posted_) return;
  tick_posted_ = true;
  loop_->post([this] {
    tick_posted_ = false;
    // As the periodic tick: a failure is logged and the next tick tries again, where a posted
    // task's exception would end the loop thread.
    guarded_tick();
  });
}

// Statuses that arrive together are persisted together: each is queued, and one flush (posted
// behind them) applies them all inside one state-store batch, then acknowledges them once the
// batch is on disk (persisted before acknowledged, one fsync for many).
void ServiceScheduler::queue_update(mesos::TaskStatus status) {
  pending_updates_.push_back(std::move(status));
  if (pending_updates_.size() == 1) loop_->post([this] { flush_updates(); });
}

void ServiceScheduler::flush_updates() {
  std::vector<mesos::TaskStatus> batch;
  batch.swap(pending_updates_);
  if (batch.empty()) return;
  defer_acks_ = true;
  store_->begin_batch();
  try {
    for (const mesos::TaskStatus& s : batch)
      on_update(s);
    // Written once for the batch, in its transaction: the set holds every pod still
    // unconfirmed, so writing it per status made a deploy quadratic.
    if (unconfirmed_in_batch_)
      store_->set_property("unconfirmed-footprints", json(unconfirmed_).dump());
    unconfirmed_in_batch_ = false;
    // Likewise the garbage list an agent gone for good shortened (or one a tick could not
    // write): a batch that does not commit leaves it to the next tick, since the statuses,
    // sent again, find nothing more to drop.
    if (gc_unsaved_) store_->set_property("gc-resources", json(gc_resources_).dump());
    store_->commit_batch();
  } catch (...) {
    store_->abort_batch();
    unconfirmed_in_batch_ = false;
    defer_acks_ = false;
    deferred_acks_.clear();
    // Unacknowledged, the statuses come again from the master.
    try {
      throw;
    } catch (const state::StateError& e) {
      note_store_failure(e.what(), 0);
      return;
    }
  }
  note_store_success();
  gc_unsaved_ = false;  // on disk with the batch
  defer_acks_ = false;
  std::vector<mesos::TaskStatus> acks;
  acks.swap(deferred_acks_);
  for (const mesos::TaskStatus& s : acks)
    acknowledge(s);
  // A reconciliation or a deploy brings statuses by the thousand, decoded on the session's
  // thread (in its own malloc arena) and freed here: the pages go back every 500 and once
  // they stop, or the burst's high-water mark stays resident (26 MB after reconciling 10,000
  // tasks).
  note_churn(batch.size());
  tick_soon();
}

void ServiceScheduler::acknowledge(const mesos::TaskStatus& s) {
  if (!s.needs_ack() || s.agent_id.empty()) return;
  if (defer_acks_) {
    deferred_acks_.push_back(s);  // after the batch that persisted it
    return;
  }
  ack_queue_->push(mesos::acknowledge_text(session_->framework_id(), s.agent_id, s.task_id, s.uuid),
                   "ACKNOWLEDGE");
}

void ServiceScheduler::kill_task(const std::string& task_id, const std::string& agent_id) {
  if (!killer_.killing(task_id)) killer_.kill(task_id, agent_id);
}

void ServiceScheduler::on_update(const mesos::TaskStatus& status) {
  ++metrics_.statuses[std::string(mesos::to_string(status.state))];
  reconciler_.answered(status.task_id, now());
  if (mesos::is_terminal(status.state)) killer_.ended(status.task_id);
  if (status.state == mesos::TaskState::gone_by_operator && !status.agent_id.empty())
    forget_agent_garbage(status.agent_id);
  auto id = by_id_.find(status.task_id);
  if (id == by_id_.end()) {
    // Not ours (any more): a task no plan needs is killed.
    if (!not_running(status.state)) {
      log(options_.service_name, "killing unknown task " + status.task_id);
      kill_task(status.task_id, status.agent_id);
    }
    acknowledge(status);
    return;
  }
  const std::string name = *id->second;
  mesos::TaskStatus s = status;
  auto prev = statuses_.find(name);
  // Updates are retried until acknowledged and reconciliation repeats them: a state counts
  // once per task id.
  // Whether this launch had started before this update (for an executor lost under it).
  const bool had_started = prev != statuses_.end() && prev->second.task_id == s.task_id &&
                           prev->second.state != mesos::TaskState::staging &&
                           prev->second.state != mesos::TaskState::starting;
  const bool repeated =
      prev != statuses_.end() && prev->second.task_id == s.task_id && prev->second.state == s.state;
  if (prev != statuses_.end() && prev->second.task_id == s.task_id) {
    // Updates that carry no check result keep the last one (readiness stays passed).
    if (!s.check_exit_code && !s.check_succeeded) {
      s.check_exit_code = prev->second.check_exit_code;
      s.check_succeeded = prev->second.check_succeeded;
    }
  }
  store_->store_status(name, s);  // persisted before anything acts on it
  if (!repeated && mesos::is_terminal(s.state) && s.state != mesos::TaskState::finished)
    log(options_.service_name, name + ": " + std::string(mesos::to_string(s.state)) +
                                   (s.reason.empty() ? "" : " (" + s.reason + ")") +
                                   (s.message.empty() ? "" : ": " + s.message));
  statuses_[name] = LastStatus(s);
  refresh_down(name);
  confirm_footprint(name, s);
  if (s.state == mesos::TaskState::running && paused(name)) {
    state::GoalOverride& o = overrides_[name];
    if (o.progress != state::GoalOverride::Progress::complete &&
        is_paused_launch(tasks_.at(name).task_id())) {
      o.progress = state::GoalOverride::Progress::complete;
      store_->set_goal_override(name, o);
    }
  }
  if (repeated) {
    // Nothing new for the backoff.
  } else if (s.state == mesos::TaskState::running) {
    backoff_.running(name, now());
  } else if (s.state == mesos::TaskState::failed && s.reason == "REASON_EXECUTOR_TERMINATED" &&
             !had_started) {
    // Launched into an executor that was just then exiting (its last task had ended): the
    // task never started, so this is no failure of the task; it relaunches at once.
  } else if (s.state == mesos::TaskState::failed || s.state == mesos::TaskState::error ||
             (s.state == mesos::TaskState::killed && s.healthy == false)) {
    // A kill for failing health checks is a failure like any other: it backs off too.
    backoff_.failed(name, now());
  } else if (s.state == mesos::TaskState::gone_by_operator) {
    backoff_.clear(name);
    if (const TaskEntry& entry = tasks_.at(name); !entry.has_label(kPermanentlyFailed)) {
      state::StoredTask t = entry.stored();
      t.info.labels.push_back({kPermanentlyFailed, "true"});
      store_tasks({t});
    }
  } else if (not_running(s.state)) {
    backoff_.stopped(name);
  }
  if (auto w = watchers_.find(name); w != watchers_.end()) {
    std::vector<plan::Step*>& steps = w->second;
    for (std::size_t i = 0; i < steps.size();) {
      auto it = work_.find(steps[i]);
      if (it == work_.end()) {
        steps.erase(steps.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      refresh_work(*it->second);
      ++i;
    }
    if (steps.empty()) watchers_.erase(w);
  }
  acknowledge(s);
}

void ServiceScheduler::watch(Work& work) {
  auto add = [&](const std::string& name) {
    std::vector<plan::Step*>& steps = watchers_[name];
    if (std::find(steps.begin(), steps.end(), work.step) == steps.end()) steps.push_back(work.step);
  };
  if (work.kind == Work::Kind::kill) {
    for (const std::string& name : work.tasks)
      add(name);
  } else {
    for (const auto& [name, id] : work.launched)
      add(name);
  }
}

void ServiceScheduler::forget_agent_garbage(const std::string& agent) {
  std::size_t dropped = 0;
  for (auto it = gc_resources_.begin(); it != gc_resources_.end();)
    if (it->second == agent) {
      it = gc_resources_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  if (dropped == 0) return;
  log(options_.service_name, "agent " + agent + " is gone: " + std::to_string(dropped) +
                                 " reservations it held need no release");
  gc_unsaved_ = true;  // written with the status batch (flush_updates)
}

void ServiceScheduler::confirm_footprint(const std::string& name, const mesos::TaskStatus& s) {
  auto [type, index] = tasks_.at(name).pod();
  const std::string instance = type + "-" + std::to_string(index);
  if (unconfirmed_.erase(instance + kResized) > 0) {
    if (never_launched(s.state)) {
      // The resize never happened: what is on record overstates (or understates) what the
      // agent holds. The tasks lose their configuration label, so the next launch resizes
      // again, from what the offer says they hold.
      log(options_.service_name, "the resize of " + instance + " never happened (" +
                                     std::string(mesos::to_string(s.state)) + "): resizing again");
      std::vector<state::StoredTask> unlabelled;
      for (const std::string& n : pod_task_names(type, index)) {
        state::StoredTask t = tasks_.at(n).stored();
        for (mesos::Label& l : t.info.labels)
          if (l.key == "target_configuration") l.value = "";
        t.config_id.clear();
        unlabelled.push_back(std::move(t));
      }
      store_tasks(unlabelled);
    }
    unconfirmed_in_batch_ = true;
  }
  if (!unconfirmed_.count(instance)) return;
  unconfirmed_.erase(instance);
  if (never_launched(s.state)) {
    // The ACCEPT that was to reserve this footprint did not happen (a stale offer, a
    // scheduler killed before sending it): forget the footprint so the next launch takes a
    // new one. Whatever of it may exist after all is garbage, collected when offered.
    log(options_.service_name, "the footprint of " + instance + " was never reserved (" +
                                   std::string(mesos::to_string(s.state)) +
                                   "): acquiring a new one");
    std::vector<state::StoredTask> forgotten;
    for (const std::string& n : pod_task_names(type, index)) {
      state::StoredTask t = tasks_.at(n).stored();
      t.info.resources.clear();
      t.info.executor.reset();
      forgotten.push_back(std::move(t));
    }
    store_tasks(forgotten);
  }
  unconfirmed_in_batch_ = true;
}

// ---------------------------------------------------------------------------------------------
// Steps

void ServiceScheduler::start(plan::Step& step) {
  touched_.insert(&step);  // new work: the next tick looks at it whatever its status
  // Under way again (a restart, a retry): its evaluations are its own until its work ends.
  evaluations_.unsettle(step.id());
  auto w = std::make_unique<Work>();
  w->step = &step;
  w->phase = step.phase() ? step.phase()->name() : "";
  w->plan = step.phase() && step.phase()->plan() ? step.phase()->plan()->name() : "";
  w->pod_type = step.pod_type();
  w->index = step.pod_index();
  w->tasks = step.tasks();
  if (code_steps_.count(step.id())) {
    Work& work = *w;
    work_[&step] = std::move(w);
    start_code_step(work);
    return;
  }
  if (w->plan == "decommission") {
    Work& work = *w;
    work_[&step] = std::move(w);
    start_decommission_work(work);
    return;
  }
  if (options_.uninstall) {
    if (w->phase == "kill-tasks") {
      w->kind = Work::Kind::kill;
    } else if (w->phase == "unreserve-resources") {
      w->kind = Work::Kind::unreserve;
      w->agent = step.pod_type();
      for (const auto& [id, agent] : gc_resources_)
        if (agent == w->agent) w->unreserve.insert(id);
      for (const auto& [name, t] : tasks_) {
        if (t.agent_id() != w->agent) continue;
        // A footprint no status ever confirmed may never have been reserved: not waited for
        // (if it exists after all, its release comes with the agent's others).
        auto [type, index] = t.pod();
        if (unconfirmed_.count(type + "-" + std::to_string(index))) continue;
        const mesos::TaskInfo info = t.info();
        for (const mesos::Resource& r : info.resources)
          if (auto rid = r.label("resource_id")) w->unreserve.insert(*rid);
        if (info.executor)
          for (const mesos::Resource& r : info.executor->resources)
            if (auto rid = r.label("resource_id")) w->unreserve.insert(*rid);
      }
    } else {
      w->kind = Work::Kind::deregister;
    }
    w->expected = Status::prepared;
    Work& work = *w;
    work_[&step] = std::move(w);
    if (work.kind == Work::Kind::kill) kill_step_tasks(work);
    return;
  }
  w->spec = target_;
  w->config_id = config_id_;
  w->pod = target_->find_pod(step.pod_type());
  if (w->pod == nullptr) {
    // A recovery of a pod type the target removed has nothing left to do.
    if (w->plan == "recovery") {
      step.force_complete();
      return;
    }
    step.add_error("pod type " + step.pod_type() + " is not in the spec");
    return;
  }
  if (auto it = recovery_env_.find(step.id()); it != recovery_env_.end()) w->env = it->second;
  unbegun_recoveries_.erase(step.id());  // begun: it runs whatever happens to the pod now
  Work& work = *w;
  work_[&step] = std::move(w);

  // A restarted scheduler adopts the step's live tasks instead of launching them again.
  if (work.plan != "recovery" && adoptable_.erase(&step) > 0) {
    bool all_live = !work.tasks.empty();
    std::map<std::string, std::string> ids;
    for (const std::string& task : work.tasks) {
      auto it = tasks_.find(work.full(task));
      // Only a task of the target configuration is adopted; an older one relaunches.
      if (it == tasks_.end() || it->second.task_id().empty() ||
          it->second.has_label(kPermanentlyFailed) ||
          it->second.label("target_configuration") != config_id_) {
        all_live = false;
        break;
      }
      auto st = statuses_.find(it->first);
      if (st != statuses_.end() && st->second.task_id == it->second.task_id() &&
          not_running(st->second.state)) {
        all_live = false;
        break;
      }
      ids[it->first] = it->second.task_id();
    }
    if (all_live) {
      work.launched = ids;
      watch(work);
      work.expected = Status::starting;
      step.set_status(Status::starting);
      refresh_work(work);
      return;
    }
  }
  double ready_at = 0;
  for (const std::string& task : work.tasks)
    ready_at = std::max(ready_at, backoff_.ready_at(work.full(task)));
  if (ready_at > now()) {
    work.not_before = ready_at;
    work.expected = Status::delayed;
    step.set_status(Status::delayed);
    log(options_.service_name,
        work.step->name() + " delayed: next launch in " + seconds_text(ready_at - now()) + " s");
  } else {
    work.expected = Status::prepared;
  }
}

// A kill step (uninstall, decommission): every task of it that may still run is killed; done at
// once when none is.
void ServiceScheduler::kill_step_tasks(Work& work) {
  watch(work);
  for (const std::string& name : work.tasks) {
    auto t = tasks_.find(name);
    if (t == tasks_.end() || t->second.task_id().empty()) continue;
    auto st = statuses_.find(name);
    if (st == statuses_.end() || st->second.task_id != t->second.task_id() ||
        !mesos::is_terminal(st->second.state))
      kill_task(t->second.task_id(), t->second.agent_id());
  }
  refresh_work(work);
}

void ServiceScheduler::refresh_work(Work& work) {
  // A finished step is history: later failures of its tasks belong to recovery.
  if (work.expected == Status::complete) return;
  // An operator command (restart, force-complete) changed the step: the tick drops this work.
  if (work.step->status() != work.expected) return;
  if (work.kind == Work::Kind::kill) {
    bool done = true;
    for (const std::string& name : work.tasks) {
      const auto& t = tasks_.at(name);
      auto st = statuses_.find(name);
      if (!t.task_id().empty() && killer_.killing(t.task_id()) &&
          !(st != statuses_.end() && st->second.task_id == t.task_id() &&
            not_running(st->second.state)))
        done = false;
    }
    if (done) {
      work.expected = Status::complete;
      work.step->set_status(Status::complete);
    }
    return;
  }
  if (work.kind != Work::Kind::launch || work.launched.empty()) return;
  Status least = Status::complete;
  for (const auto& [name, id] : work.launched) {
    Status task_status = Status::starting;
    auto st = statuses_.find(name);
    const spec::TaskSpec* ts = work.pod->find_task(name.substr(work.instance().size() + 1));
    const bool running_goal = ts == nullptr || ts->goal == spec::GoalState::running;
    if (st != statuses_.end() && st->second.task_id == id) {
      switch (st->second.state) {
        case mesos::TaskState::staging:
        case mesos::TaskState::starting:
          task_status = Status::starting;
          break;
        case mesos::TaskState::running:
          task_status = running_goal && ready(st->second) ? Status::complete : Status::started;
          break;
        case mesos::TaskState::finished:
          task_status = running_goal ? Status::pending : Status::complete;
          break;
        case mesos::TaskState::failed:
        case mesos::TaskState::error:
          task_status = Status::delayed;
          break;
        default:
          task_status = Status::pending;
      }
    }
    if (rank(task_status) < rank(least)) least = task_status;
  }
  if (least == Status::delayed || least == Status::pending) {
    double ready_at = 0;
    for (const auto& [name, id] : work.launched)
      ready_at = std::max(ready_at, backoff_.ready_at(name));
    work.launched.clear();
    work.not_before = ready_at;
    least = ready_at > now() ? Status::delayed : Status::prepared;
    if (least == Status::delayed)
      log(options_.service_name,
          work.step->name() + " failed; next launch in " + seconds_text(ready_at - now()) + " s");
  }
  work.expected = least;
  work.step->set_status(least);
}

bool ServiceScheduler::try_launch(Work& work, std::vector<mesos::Offer>& offers) {
  // Old incarnations of the tasks must be gone before they launch again, and so must the
  // pod's other tasks on the same resource sets: what they run on is not offered while they
  // run (dcos-commons kills every task sharing the sets being launched).
  std::set<std::string> sets;
  for (const std::string& task : work.tasks)
    if (const spec::TaskSpec* ts = work.pod->find_task(task)) sets.insert(ts->resource_set);
  std::vector<std::string> to_stop = work.tasks;
  for (const spec::TaskSpec& ts : work.pod->tasks)
    if (sets.count(ts.resource_set) &&
        std::find(to_stop.begin(), to_stop.end(), ts.name) == to_stop.end())
      to_stop.push_back(ts.name);
  bool waiting_for_kill = false;
  for (const std::string& task : to_stop) {
    auto it = tasks_.find(work.full(task));
    if (it == tasks_.end() || it->second.task_id().empty()) continue;
    auto st = statuses_.find(it->first);
    if (st == statuses_.end() || st->second.task_id != it->second.task_id() ||
        not_running(st->second.state))
      continue;
    kill_task(it->second.task_id(), it->second.agent_id());
    waiting_for_kill = true;
  }
  if (waiting_for_kill) return false;

  offer::PodLaunchRequest req;
  req.pod = work.pod;
  req.index = work.index;
  req.tasks = work.tasks;
  req.parameters = work.step->parameters();
  for (const auto& [k, v] : work.env)
    req.parameters[k] = v;
  req.executor_live = false;
  // Tasks of another configuration than the step's are rebuilt from its spec (a rollout; a
  // recovery also brings a pod to the target, as in dcos-commons).
  for (const std::string& task : req.tasks) {
    auto it = tasks_.find(work.full(task));
    req.update = req.update || it == tasks_.end() ||
                 it->second.label("target_configuration") != work.config_id;
  }
  for (const std::string& name : pod_task_names(work.pod_type, work.index)) {
    const TaskEntry& t = tasks_.at(name);
    req.replace = req.replace || t.has_label(kPermanentlyFailed);
    req.existing.push_back(t.info());
    auto st = statuses_.find(name);
    if (!t.task_id().empty() && st != statuses_.end() && st->second.task_id == t.task_id() &&
        !not_running(st->second.state))
      req.executor_live = true;
  }
  // A pod with nothing of its own yet needs what its pod type's other new instances need: an
  // offer that fitted none of those earlier in this pass fits it neither, since offers only
  // shrink within a pass. Placement rules may pass once more pods are placed (GROUP_BY), so
  // with those this holds only until the next launch.
  Unfit* unfit = nullptr;
  if (req.existing.empty()) {
    std::string requirements;
    // Each part with its length: no two different lists of names and values give one key.
    auto add = [&](const std::string& part) {
      requirements += std::to_string(part.size()) + ':' + part;
    };
    add(work.config_id);
    add(work.pod_type);
    requirements += 't' + std::to_string(req.tasks.size());
    for (const std::string& task : req.tasks)
      add(task);
    requirements += 'p' + std::to_string(req.parameters.size());
    for (const auto& [k, v] : req.parameters) {
      add(k);
      add(v);
    }
    auto [entry, fresh] = unfit_.try_emplace(std::move(requirements));
    unfit = &entry->second;
    if (fresh) unfit->placement = !work.pod->placement.empty();
    if (unfit->none) {
      record(work, {work.step->name(),
                    false,
                    "no offer fits: the offers at hand fitted no other new " + work.pod_type +
                        " pod either (none fitted " + unfit->none_for + " earlier in this pass)",
                    {}});
      not_evaluated_ = true;
      return false;
    }
  }
  // Where the pod type's other pods run matters only to placement rules.
  for (auto pod = work.pod->placement.empty()
                      ? pod_tasks_.end()
                      : pod_tasks_.lower_bound({work.pod_type, std::numeric_limits<int>::min()});
       pod != pod_tasks_.end() && pod->first.first == work.pod_type; ++pod) {
    if (pod->first.second == work.index) continue;
    for (const std::string* kept : pod->second) {
      const std::string& name = *kept;
      const TaskEntry& t = tasks_.at(name);
      if (t.agent_id().empty() || t.has_label(kPermanentlyFailed)) continue;
      placement::PlacedTask p;
      p.name = name;
      p.agent.hostname = t.label("offer_hostname");
      p.agent.zone = t.label("offer_zone");
      p.agent.region = t.label("offer_region");
      if (auto f = agent_facts_.find(t.agent_id()); f != agent_facts_.end())
        p.agent.attributes = f->second.attributes;
      req.placed.push_back(std::move(p));
    }
  }
  offer::PodLaunchContext ctx;
  ctx.service_name = options_.service_name;
  ctx.framework_id = session_->framework_id();
  ctx.config_id = work.config_id;
  ctx.artifact_url = api_url_;
  ctx.role = role_;
  ctx.principal = principal_;
  ctx.overhead = options_.overhead;
  ctx.new_id = [this] { return new_id(); };

  offer::Outcome summary{work.step->name(), false, "", {}};
  std::size_t skipped = 0;
  auto note_skipped = [&] {
    if (skipped == 0) return;
    summary.children.insert(
        summary.children.begin(),
        {std::to_string(skipped) + " offers",
         false,
         "not evaluated again: each fitted no new " + work.pod_type + " pod earlier in this pass",
         {}});
  };
  for (auto it = offers.begin(); it != offers.end(); ++it) {
    if (unfit && unfit->offers.count(it->id)) {
      ++skipped;
      continue;
    }
    offer::PodLaunchEvaluation e = offer::evaluate_pod_launch(req, *it, ctx);
    summary.children.push_back(e.outcome);
    if (!e.launch) {
      if (unfit) unfit->offers.insert(it->id);
      continue;
    }
    std::map<std::string, std::string> old_ids;  // resource id -> agent
    if (e.launch->new_footprint)
      for (const mesos::TaskInfo& t : req.existing) {
        for (const mesos::Resource& r : t.resources)
          if (auto rid = r.label("resource_id")) old_ids[*rid] = t.agent_id;
        if (t.executor)
          for (const mesos::Resource& r : t.executor->resources)
            if (auto rid = r.label("resource_id")) old_ids[*rid] = t.agent_id;
      }
    // Encoded once, for the index and for the store.
    std::vector<state::EncodedTask> store;
    for (const mesos::TaskInfo& t : e.launch->store)
      store.push_back({t.name, state::encode_record(t), label_of(t, "target_configuration")});
    // Staged: the pass writes every launch of its offers in one go, then sends the ACCEPTs
    // (persist before acting, one fsync per pass instead of one per pod).
    if (e.launch->new_footprint || e.launch->resized) {
      unconfirmed_.insert(work.instance() + (e.launch->new_footprint ? "" : kResized));
      batch_.unconfirmed_changed = true;
    }
    stage_tasks(std::move(store));
    if (!old_ids.empty()) {
      // The old footprint is garbage now; offers keep coming until all of it is released.
      gc_resources_.insert(old_ids.begin(), old_ids.end());
      batch_.gc_changed = true;
    }
    mesos::AcceptCall accept;
    accept.framework_id = session_->framework_id();
    accept.offer_ids = {it->id};
    accept.operations = std::move(e.launch->operations);
    // Paused tasks run an endless sleep instead, without health check and never ready, so an
    // operator can get in (`pod exec`) and repair things.
    for (mesos::Operation& op : accept.operations)
      for (mesos::TaskInfo& t : op.tasks)
        if (paused(t.name)) {
          t.command->value = "exec sleep infinity";
          t.command->shell = true;
          t.health_check.reset();
          mesos::CommandCheck never;
          never.command = "exit 1";
          never.delay_seconds = 0;
          never.interval_seconds = 60;
          never.timeout_seconds = 5;
          t.check = never;
          paused_launches_.insert(t.task_id);
        }
    accept.refuse_seconds = 0;
    // One ACCEPT per offer: a pod launched on an offer that another pod of this pass used
    // joins its operations, and what it takes leaves the offer for the next pod (several
    // pods per agent per allocation, not one).
    consume(*it, accept.operations);
    for (auto u = unfit_.begin(); u != unfit_.end();)
      u = u->second.placement ? unfit_.erase(u) : std::next(u);
    auto [joined, first] = batch_.accept_of_offer.emplace(it->id, batch_.accepts.size());
    if (first) {
      batch_.accepts.push_back(std::move(accept));
    } else {
      std::vector<mesos::Operation>& ops = batch_.accepts[joined->second].operations;
      ops.insert(ops.end(), std::make_move_iterator(accept.operations.begin()),
                 std::make_move_iterator(accept.operations.end()));
    }
    work.launched = e.launch->launched;
    watch(work);
    work.expected = Status::starting;
    work.step->set_status(Status::starting);
    summary.pass = true;
    summary.reason = "launched on agent " + it->agent_id + " (" + it->hostname + ")";
    log(options_.service_name, work.step->name() + ": " + summary.reason);
    note_skipped();
    record(work, std::move(summary));
    return true;
  }
  if (unfit) {
    unfit->none = true;
    unfit->none_for = work.step->name();
  }
  if (!summary.children.empty() || skipped > 0) {
    summary.reason = "no offer fits";
    note_skipped();
    record(work, std::move(summary));
  }
  return false;
}

// What an ACCEPT's operations take from its offer: the sources of its reservations, and the
// reserved resources its tasks and executors run on.
void ServiceScheduler::consume(mesos::Offer& offer, const std::vector<mesos::Operation>& ops) {
  resources::ResourcePool pool(offer.resources);
  for (const mesos::Operation& op : ops) {
    if (op.type == mesos::Operation::Type::reserve)
      for (const mesos::Resource& r : op.resources)
        pool.subtract(resources::unreserved(r));
    if (op.type == mesos::Operation::Type::unreserve)
      for (const mesos::Resource& r : op.resources)
        pool.subtract(r);  // given back only once the ACCEPT is applied
    if (op.type == mesos::Operation::Type::launch_group) {
      if (op.executor)
        for (const mesos::Resource& r : op.executor->resources)
          pool.subtract(r);
      for (const mesos::TaskInfo& t : op.tasks)
        for (const mesos::Resource& r : t.resources)
          pool.subtract(r);
    }
  }
  offer.resources = std::move(pool).resources();
}

void ServiceScheduler::stage_tasks(std::vector<state::EncodedTask> tasks) {
  for (state::EncodedTask& t : tasks) {
    std::string error;
    std::optional<TaskEntry> entry = TaskEntry::from_record(t.name, t.record, t.config_id, error);
    // A record this process has just encoded splits, short of a bug.
    if (!entry) throw std::logic_error("task " + t.name + ": its record does not split: " + error);
    put_task(std::move(*entry));
    batch_.tasks.push_back(std::move(t));
  }
}

void ServiceScheduler::flush_launches() {
  // Nothing is sent unless stored: when the store fails, the batch stays for the next pass.
  if (batch_.unconfirmed_changed)
    store_->set_property("unconfirmed-footprints", json(unconfirmed_).dump());
  if (batch_.gc_changed) store_->set_property("gc-resources", json(gc_resources_).dump());
  if (!batch_.tasks.empty()) store_->store_task_records(batch_.tasks);  // one transaction
  // The passes before went out while this one was evaluated and persisted. Waiting here for
  // all but the last pass's ACCEPTs keeps the master at most two passes behind, not a
  // deploy's worth of ACCEPT text; waiting for the last pass's too (one behind) left the loop
  // idle whenever the master paused (its checkpoint at 10,000 tasks takes 0.1-0.2 s): 0.2-0.3 s
  // of a 2 s deploy.
  if (!batch_.accepts.empty()) {
    LogBatch::write_now();  // the pass's launches are logged before the loop may wait
    accept_queue_->drain_to(last_pass_accepts_);
    last_pass_accepts_ = batch_.accepts.size();
  }
  for (mesos::AcceptCall& accept : batch_.accepts)
    send_accept(std::move(accept));
  batch_ = {};
}

void ServiceScheduler::record(const Work& work, offer::Outcome outcome) {
  offer::trim_evaluation(outcome, kOffersDetailed);
  evaluations_.add(work.step->id(),
                   {now_ms(), work.plan, work.phase, work.step->name(), std::move(outcome)});
}

// ---------------------------------------------------------------------------------------------
// Recovery

void ServiceScheduler::drop_unneeded_recoveries() {
  // A default TRANSIENT recovery that has not begun gives way when a step of a plan before it
  // (a deploy pending when the failure was seen) took the pod first and relaunched every task
  // the recovery would have: starting it now would kill them to launch them again. Custom and
  // PERMANENT recoveries are never dropped (their steps do more than a relaunch), nor is one
  // that has begun or that an operator restarted.
  if (unbegun_recoveries_.empty()) return;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> unbegun;
  recovery_->remove_phases_if([&](const plan::Phase& phase) {
    if (phase.steps().empty()) return false;
    const plan::Step& first = *phase.steps().front();
    auto tracked = unbegun_recoveries_.find(first.id());
    if (tracked == unbegun_recoveries_.end()) return false;
    for (const auto& step : phase.steps())
      if (step->status() != Status::pending || work_.count(step.get())) return false;
    bool needed = false;
    for (const auto& [name, old_id] : tracked->second) {
      auto t = tasks_.find(name);
      if (t == tasks_.end() || t->second.task_id() == old_id) needed = true;
    }
    for (const std::string& name : pod_task_names(first.pod_type(), first.pod_index()))
      if (down_.count(name)) needed = true;
    if (needed) {
      unbegun.insert(unbegun_recoveries_.extract(tracked));
      return false;
    }
    log(options_.service_name, "recovery " + phase.name() + " is not needed any more: " +
                                   first.pod_instance() + " was relaunched by another plan");
    for (const auto& step : phase.steps()) {
      evaluations_.erase(step->id());
      recovery_env_.erase(step->id());
    }
    return true;
  });
  unbegun_recoveries_ = std::move(unbegun);
}

void ServiceScheduler::detect_recovery() {
  if (options_.uninstall || recovery_ == nullptr) return;
  drop_unneeded_recoveries();
  // Runs every tick: only the tasks that are down (kept in down_ as statuses arrive) are
  // looked at, so an idle tick costs nothing per task.
  if (down_.empty()) return;
  std::vector<const TaskEntry*> down_tasks;
  for (const std::string& name : down_)
    down_tasks.push_back(&tasks_.at(name));
  std::set<std::string> busy;
  for (const auto& [step, work] : work_)
    busy.insert(work->instance());
  for (const auto& phase : recovery_->phases())
    for (const auto& step : phase->steps())
      if (step->status() != Status::complete) busy.insert(step->pod_instance());

  std::map<std::pair<std::string, int>, std::vector<std::string>> failed;  // -> task names
  for (const TaskEntry* task : down_tasks) {
    const TaskEntry& t = *task;
    const std::string& name = t.name();
    auto [type, index] = t.pod();
    const spec::PodSpec* pod = target_->find_pod(type);
    if (pod == nullptr || decommissioning(type, index)) continue;
    const spec::TaskSpec* ts = pod->find_task(t.label("task_type"));
    if (ts == nullptr || ts->goal != spec::GoalState::running) continue;
    if (busy.count(type + "-" + std::to_string(index))) continue;
    failed[{type, index}].push_back(name);
  }
  for (const auto& [key, names] : failed) {
    const auto& [type, index] = key;
    const spec::PodSpec* pod = target_->find_pod(type);
    const std::string instance = type + "-" + std::to_string(index);
    // A step of another plan that has not finished with this pod owns it.
    bool owned = false;
    for (const auto& p : plans_.plans()) {
      if (p.get() == recovery_) continue;
      for (const auto& phase : p->phases())
        for (const auto& step : phase->steps())
          if (step->pod_instance() == instance && plan::is_running(step->status())) owned = true;
    }
    if (owned) continue;
    bool permanent = true, essential = false;
    std::vector<std::string> failed_tasks;
    for (const std::string& name : names) {
      const TaskEntry& entry = tasks_.at(name);
      permanent = permanent && entry.has_label(kPermanentlyFailed);
      const std::string task = entry.label("task_type");
      failed_tasks.push_back(task);
      if (const spec::TaskSpec* ts = pod->find_task(task); ts && ts->essential) essential = true;
    }
    std::vector<std::string> relaunch;
    if (essential || permanent) {
      // The whole pod: every task with goal RUNNING that has ever launched.
      for (const std::string& name : pod_task_names(type, index)) {
        const TaskEntry& entry = tasks_.at(name);
        const spec::TaskSpec* ts = pod->find_task(entry.label("task_type"));
        if (ts && ts->goal == spec::GoalState::running && (!entry.task_id().empty() || permanent))
          relaunch.push_back(ts->name);
      }
    } else {
      relaunch = failed_tasks;
    }
    if (relaunch.empty()) continue;

    std::vector<std::unique_ptr<plan::Step>> steps;
    std::string phase_name;
    std::optional<RecoveryPhaseSpec> custom;
    if (options_.recovery_overrider) {
      FailedPod fp{type, index, failed_tasks,
                   permanent ? RecoveryType::permanent : RecoveryType::transient};
      custom = options_.recovery_overrider->override_recovery(fp);
    }
    std::vector<std::map<std::string, std::string>> envs;
    if (custom) {
      phase_name = custom->name;
      for (const RecoveryStepSpec& s : custom->steps) {
        steps.push_back(std::make_unique<plan::Step>(
            s.name.empty() ? plan::step_name(type, index, s.tasks) : s.name, type, index, s.tasks,
            plan::system_clock()));
        envs.push_back(s.env);
      }
    } else {
      phase_name = plan::step_name(type, index, relaunch);
      steps.push_back(
          std::make_unique<plan::Step>(phase_name, type, index, relaunch, plan::system_clock()));
      envs.emplace_back();
    }
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (!envs[i].empty()) recovery_env_[steps[i]->id()] = envs[i];
    // Earlier recoveries of this pod that completed give way (a crash loop must not grow the
    // plan without end).
    recovery_->remove_phases_if([&](const plan::Phase& phase) {
      if (phase.status() != Status::complete) return false;
      for (const auto& step : phase.steps()) {
        if (step->pod_instance() != instance || work_.count(step.get())) return false;
      }
      for (const auto& step : phase.steps()) {
        evaluations_.erase(step->id());
        recovery_env_.erase(step->id());
      }
      return true;
    });
    const std::size_t n = steps.size();
    log(options_.service_name, std::string(permanent ? "PERMANENT" : "TRANSIENT") +
                                   " recovery of " + instance + ": " + phase_name);
    if (!failing_since_.count(instance)) failing_since_[instance] = now();
    if (n > 0 && !custom && !permanent) {
      // What this recovery would relaunch, as it is now (see drop_unneeded_recoveries).
      auto& relaunched = unbegun_recoveries_[steps.front()->id()];
      for (const std::string& task : relaunch) {
        const std::string name = instance + "-" + task;
        auto t = tasks_.find(name);
        relaunched.emplace_back(name, t == tasks_.end() ? std::string() : t->second.task_id());
      }
    }
    recovery_->add_phase(std::make_unique<plan::Phase>(
        phase_name, std::move(steps), plan::Strategy::serial(n), plan::system_clock()));
  }
}

void ServiceScheduler::check_timed_replacement() {
  // The options' policy (tests, C++ services), else the target's.
  const auto& policy = options_.replacement_policy
                           ? options_.replacement_policy
                           : (target_ ? target_->replacement_failure_policy : std::nullopt);
  if (!policy) return;
  const double timeout = policy->permanent_failure_timeout_s;
  const double min_delay = policy->min_replace_delay_s;
  for (auto it = failing_since_.begin(); it != failing_since_.end();) {
    const std::string instance = it->first;
    const auto [type, index] = split_instance(instance).value_or(std::pair(instance, -1));
    // Failing continuously: a task that should run is not running, or has not run long enough
    // to count as recovered (a crash loop reaches TASK_RUNNING every time).
    bool failing = false;
    for (const std::string& name : pod_task_names(type, index)) {
      const TaskEntry& entry = tasks_.at(name);
      if (entry.task_id().empty() || entry.label("goal_state") != "RUNNING") continue;
      auto st = statuses_.find(name);
      const bool running = st != statuses_.end() && st->second.task_id == entry.task_id() &&
                           st->second.state == mesos::TaskState::running;
      // Not running, or a crash loop: running briefly after failures. A task without
      // failures on record (relaunched by a replacement, adopted after a restart) is healthy.
      if (!running || (backoff_.failures(name) > 0 &&
                       backoff_.running_for(name, now()) < options_.backoff.reset_seconds))
        failing = true;
    }
    if (!failing) {
      it = failing_since_.erase(it);
      continue;
    }
    if (now() - it->second < timeout || now() - last_replace_ < min_delay) {
      ++it;
      continue;
    }
    it = failing_since_.erase(it);
    log(options_.service_name, instance + " has failed for longer than " + seconds_text(timeout) +
                                   " s: replacing it (replacement-failure-policy)");
    last_replace_ = now();
    pod_command_on_loop("replace", instance);
  }
}

// ---------------------------------------------------------------------------------------------
// The tick: timers, reconciliation, offers

void ServiceScheduler::note_churn(std::size_t n) {
  if (n == 0) return;
  churn_since_trim_ += n;
  burst_churn_ += n;
  trim_timer_.poke(now());
  // Within a burst too, or its high-water mark would be the footprint.
  if (churn_since_trim_ >= 500) {
    release_memory();
    churn_since_trim_ = 0;
  }
}

void ServiceScheduler::guarded_tick() {
  // A failure is logged and the next tick tries again (a posted task's exception would end the
  // loop thread); one of the state store's, as the store's failures are.
  try {
    tick();
  } catch (const state::StateError& e) {
    note_store_failure(e.what(), 0);
  } catch (const std::exception& e) {
    log(options_.service_name, std::string("tick failed: ") + e.what());
  }
}

void ServiceScheduler::note_store_failure(const std::string& what, std::size_t launches) {
  ++metrics_.state_store_failures;
  const double now = static_cast<double>(now_ms()) / 1000;
  switch (store_failures_.failed(now, what)) {
    case FailureLog::Say::began:
      log(options_.service_name,
          "cannot write the state store: " + what +
              "; nothing is launched, and no status acknowledged, until it can (every pass "
              "tries again)" +
              (launches == 1  ? "; the launch above waits"
               : launches > 1 ? "; the " + std::to_string(launches) + " launches above wait"
                              : ""));
      break;
    case FailureLog::Say::still:
      log(options_.service_name, "still cannot write the state store after " +
                                     store_failures_.tries_over(now) + ": " + what);
      break;
    case FailureLog::Say::nothing:
      break;
  }
}

void ServiceScheduler::note_refused_command(const std::string& command, const std::string& what) {
  ++metrics_.state_store_failures;
  log(options_.service_name, command + " not done: cannot write the state store: " + what);
}

void ServiceScheduler::note_store_success() {
  if (!store_failures_.failing()) return;
  const double now = static_cast<double>(now_ms()) / 1000;
  const std::string tries = store_failures_.tries_over(now);
  store_failures_.succeeded();
  log(options_.service_name, "the state store takes writes again; it had failed " + tries);
}

void ServiceScheduler::tick() {
  if (gc_unsaved_) {
    // Refused again, the rest of the tick goes on all the same.
    try {
      store_->set_property("gc-resources", json(gc_resources_).dump());
      gc_unsaved_ = false;
      note_store_success();
    } catch (const state::StateError& e) {
      note_store_failure(e.what(), 0);
    }
  }
  for (auto it = unrecorded_kept_steps_.begin(); it != unrecorded_kept_steps_.end();) {
    if (it->second != config_id_) {  // that target is gone: its record would say nothing
      it = unrecorded_kept_steps_.erase(it);
      continue;
    }
    try {
      store_->set_property(code_step_property(it->first), it->second);
      it = unrecorded_kept_steps_.erase(it);
      note_store_success();
    } catch (const state::StateError& e) {
      note_store_failure(e.what(), 0);
      break;
    }
  }
  if (!unrecorded_code_steps_.empty()) {
    std::vector<CodeStepResult> waiting;
    waiting.swap(unrecorded_code_steps_);
    for (const CodeStepResult& r : waiting)
      code_step_done(r.step_id, r.run_id, r.error);
  }
  // And once a burst is over (a deploy, a reconciliation): once per busy spell, not for
  // every status an idle service gets. Even right after a release within it, since what the
  // burst's last work held was freed after that.
  if (trim_timer_.take(now())) {
    if (burst_churn_ >= 100) {
      release_memory();
      churn_since_trim_ = 0;
    }
    burst_churn_ = 0;
  }
  // A stopping scheduler starts nothing new while its loop drains: its calls fail from
  // request_end() on, so launches it staged could not be sent.
  if (!subscribed_ || stopping_) return;
  const double t = now();
  if (auto r = reconciler_.poll(t))
    send(mesos::reconcile_text(session_->framework_id(), r->tasks), "RECONCILE");
  send_kills();
  if (!reconciler_.complete()) {
    // Offers wait until every task is accounted for.
    if (!offers_.empty()) {
      std::vector<mesos::Offer> all(offers_.begin(), offers_.end());
      offers_.clear();
      decline(all, 1);
    }
    return;
  }
  if (!reconciled_) {
    reconciled_ = true;
    log(options_.service_name, "reconciled: every task on record is accounted for");
  }
  // Work changed by operator commands (force-complete, restart) is dropped; the rest moves on.
  // Only work whose step changed, or that waits on the clock or the collector, can have
  // anything to do (touched_).
  std::vector<plan::Step*> due(touched_.begin(), touched_.end());
  due.insert(due.end(), timed_.begin(), timed_.end());
  std::sort(due.begin(), due.end());
  due.erase(std::unique(due.begin(), due.end()), due.end());
  touched_.clear();
  for (std::size_t i = 0; i < due.size(); ++i) {
    try {
      settle_work(due[i], t);
    } catch (...) {
      // Out of memory: the steps not settled yet are the next tick's, as the whole walk was.
      touched_.insert(due.begin() + static_cast<std::ptrdiff_t>(i), due.end());
      throw;
    }
  }
  detect_recovery();
  check_timed_replacement();
  plans_.dispatch(*this);
  if (!options_.uninstall) {
    plan::Plan* deploy = plans_.find("deploy");
    const bool complete = deploy && deploy->status() == Status::complete;
    if (complete && !deploy_complete_) {
      if (!store_->property("deploy-completed"))
        store_->set_property("deploy-completed", std::to_string(now_ms()));
      log(options_.service_name, "deploy plan COMPLETE (configuration " + config_id_ + ")");
      // A rollout that finished leaves older configurations no task runs.
      delete_unneeded_configs();
    }
    deploy_complete_ = complete;
  }
  if (options_.uninstall)  // the only work of this kind
    for (auto& [step, w] : work_)
      if (w->kind == Work::Kind::deregister && w->expected == Status::prepared) {
        finish_uninstall();
        return;
      }
  process_offers();
}

void ServiceScheduler::settle_work(plan::Step* step, double now) {
  auto it = work_.find(step);
  if (it == work_.end()) {
    timed_.erase(step);  // the step may be gone: only its address is used
    return;
  }
  Work& w = *it->second;
  const Status s = w.step->status();
  // Changed by a command, or finished.
  if (s != w.expected || s == Status::complete || s == Status::error) {
    evaluations_.settle(w.step->id());
    timed_.erase(step);
    work_.erase(it);
    return;
  }
  if (w.kind == Work::Kind::release) refresh_release(w);
  if (s == Status::delayed && now >= w.not_before) {
    w.expected = Status::prepared;
    w.step->set_status(Status::prepared);
  }
  if (w.kind == Work::Kind::release || w.expected == Status::delayed)
    timed_.insert(step);
  else
    timed_.erase(step);
}

void ServiceScheduler::send_kills() {
  for (const mesos::Call::TaskRef& k : killer_.due(now())) {
    mesos::Call c;
    c.type = mesos::Call::Type::kill;
    c.framework_id = session_->framework_id();
    c.task_id = k.task_id;
    c.agent_id = k.agent_id;
    send(call_json(c), "KILL");
  }
}

void ServiceScheduler::process_offers() {
  LogBatch log_batch;  // its launches' lines written together, before it may wait or as it ends
  // Moved, here and back: an offer is some thirty allocations, and a deploy's passes copied
  // up to 256 of them each way.
  std::vector<mesos::Offer> offers(std::make_move_iterator(offers_.begin()),
                                   std::make_move_iterator(offers_.end()));
  offers_.clear();
  metrics_.offers_processed += offers.size();
  for (const mesos::Offer& o : offers)
    agent_facts_[o.agent_id] = offer::agent_facts(o);
  collect_garbage(offers);
  unfit_.clear();

  bool waiting = false;
  std::size_t launches = 0;
  bool capped = false;  // steps left waiting by the cap on launches per pass
  // Once capped, what the steps after could do is done: each would only be waiting (as the
  // capped one is), unless it releases an uninstall's reservations from the offers.
  const auto pass_over = [&] { return capped && !options_.uninstall; };
  for (const auto& p : plans_.plans()) {
    if (pass_over()) break;
    for (const auto& phase : p->phases()) {
      if (pass_over()) break;
      for (const auto& step : phase->steps()) {
        if (pass_over()) break;
        // Work that expects PREPARED has its step PREPARED (tick() drops work whose step
        // moved on), so the other steps, most of a large plan, skip the lookup.
        if (step->status() != Status::prepared) continue;
        auto it = work_.find(step.get());
        if (it == work_.end() || it->second->expected != Status::prepared) continue;
        Work& w = *it->second;
        if (w.kind == Work::Kind::release) {
          waiting = true;  // the garbage collector releases the footprint from offers
        } else if (w.kind == Work::Kind::unreserve) {
          waiting = true;
          uninstall_step(w, offers);
        } else if (w.kind == Work::Kind::launch) {
          // A step that launches in this pass is not waiting: the next step to wait must see
          // a pass without waiting before it, or it would not REVIVE past the filters of the
          // offers declined with this launch (a 5 s stall).
          bool launched = false;
          // A cap of 0 (set in code; the command line refuses it) counts as 1, so that a pass
          // still launches.
          if (launches >= std::max<std::size_t>(1, options_.launches_per_pass)) {
            capped = true;
          } else if (!offers.empty()) {
            const auto begin = std::chrono::steady_clock::now();
            not_evaluated_ = false;
            launched = try_launch(w, offers);
            if (!not_evaluated_)
              metrics_.observe_evaluation(
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
          }
          if (launched)
            ++launches;
          else
            waiting = true;
        }
      }
    }
  }
  // Offers that launched something are answered by their ACCEPT (what is left of them goes
  // back with it); the others are declined.
  offers.erase(
      std::remove_if(offers.begin(), offers.end(),
                     [&](const mesos::Offer& o) { return batch_.accept_of_offer.count(o.id) > 0; }),
      offers.end());
  try {
    flush_launches();
  } catch (...) {
    // The batch stays for the next pass to store and send (batch_ is kept), and so do the
    // offers it did not use: dropped, they would stay unanswered at the master, which offers
    // nothing of theirs again until they are.
    offers_.insert(offers_.begin(), std::make_move_iterator(offers.begin()),
                   std::make_move_iterator(offers.end()));
    try {
      throw;
    } catch (const state::StateError& e) {
      // The pass's launch lines, gathered already, are written as it ends: the failure's
      // line follows them, so that the log does not leave launches that never left unsaid.
      std::size_t pods = 0;
      for (const mesos::AcceptCall& accept : batch_.accepts)
        for (const mesos::Operation& op : accept.operations)
          pods += op.type == mesos::Operation::Type::launch_group ||
                  op.type == mesos::Operation::Type::launch;
      note_store_failure(e.what(), pods);
      return;
    }
  }
  note_store_success();
  // The pass allocated launch records and ACCEPT text it has now freed: counted with the
  // statuses towards giving the pages back.
  note_churn(launches);
  if (capped) {
    // The steps the cap held back get the offers no launch used at the next tick, instead of
    // waiting out a decline's filter.
    offers_.insert(offers_.begin(), std::make_move_iterator(offers.begin()),
                   std::make_move_iterator(offers.end()));
    manage_offer_flow(waiting, true);
    // That next tick comes as soon as the loop has handled what arrived meanwhile, rather
    // than with the next offers or statuses: a large deploy otherwise waited up to an offer
    // interval between passes.
    if (!offers_.empty() && launches > 0) tick_soon();
    return;
  }
  // Long declines only when nothing is under way: a step between launches, or garbage still
  // to collect, wants the agent's offers again soon.
  const bool active = !work_.empty() || options_.uninstall || !gc_resources_.empty();
  if (!offers.empty()) {
    decline(offers, active ? options_.short_decline_seconds : options_.long_decline_seconds);
    declined_ = true;
    if (!active) declined_long_ = true;
  }
  manage_offer_flow(waiting, active);
}

void ServiceScheduler::collect_garbage(std::vector<mesos::Offer>& offers) {
  if (options_.uninstall) return;  // the uninstall plan releases everything itself
  // What every task keeps is gathered only when an offer carries a reservation of ours: most
  // passes (a deploy's) offer none, and the walk reads every task's resources.
  std::optional<std::set<std::string>> keep;
  for (auto it = offers.begin(); it != offers.end();) {
    if (std::none_of(it->resources.begin(), it->resources.end(), [&](const mesos::Resource& r) {
          return offer::is_own_reservation(r, roles_);
        })) {
      ++it;
      continue;
    }
    if (!keep) keep = kept_resource_ids();
    offer::Release release = offer::unexpected_resources(*it, roles_, *keep);
    if (release.empty()) {
      ++it;
      continue;
    }
    std::size_t collected = 0;
    for (const mesos::Resource& r : release.unreserve)
      if (auto rid = r.label("resource_id")) collected += gc_resources_.erase(*rid);
    if (collected > 0) store_->set_property("gc-resources", json(gc_resources_).dump());
    log(options_.service_name, "releasing " + std::to_string(release.unreserve.size()) +
                                   " reservations and " + std::to_string(release.destroy.size()) +
                                   " volumes no task keeps on agent " + it->agent_id);
    mesos::AcceptCall accept;
    accept.framework_id = session_->framework_id();
    accept.offer_ids = {it->id};
    accept.operations = offer::release_operations(release);
    accept.refuse_seconds = 0;
    send_accept(std::move(accept));
    it = offers.erase(it);
  }
}

void ServiceScheduler::manage_offer_flow(bool waiting, bool active) {
  // REVIVE (rate-limited) only when offers are needed and something holds them back: a
  // SUPPRESS, or long declines whose filters would hide the agents for days.
  // A step that starts waiting after offers were declined would sit out their filters too.
  if (waiting && (suppressed_ || declined_long_ || (declined_ && !was_waiting_)))
    revive_wanted_ = true;
  // Work under way needs offers too, waiting or not: a pass that SUPPRESSed while idle can be
  // followed by one that launched from offers allocated before the SUPPRESS arrived, and the
  // garbage that launch left (a replaced pod's old footprint) is only ever released from an
  // offer.
  if (active && (suppressed_ || declined_long_)) revive_wanted_ = true;
  was_waiting_ = waiting;
  if (revive_wanted_) {
    if (revive_limiter_.try_take(now())) {
      mesos::Call c;
      c.type = mesos::Call::Type::revive;
      c.framework_id = session_->framework_id();
      if (send(call_json(c), "REVIVE")) {
        ++metrics_.revives;
        suppressed_ = false;
        declined_ = false;
        declined_long_ = false;
        revive_wanted_ = false;
      }
    }
  } else if (!active && !suppressed_) {
    mesos::Call c;
    c.type = mesos::Call::Type::suppress;
    c.framework_id = session_->framework_id();
    if (send(call_json(c), "SUPPRESS")) {
      suppressed_ = true;
      ++metrics_.suppresses;
    }
  }
}

void ServiceScheduler::send_accept(mesos::AcceptCall accept) {
  static const std::map<mesos::Operation::Type, const char*> kNames = {
      {mesos::Operation::Type::reserve, "RESERVE"},
      {mesos::Operation::Type::unreserve, "UNRESERVE"},
      {mesos::Operation::Type::create, "CREATE"},
      {mesos::Operation::Type::destroy, "DESTROY"},
      {mesos::Operation::Type::launch, "LAUNCH"},
      {mesos::Operation::Type::launch_group, "LAUNCH_GROUP"}};
  for (const mesos::Operation& op : accept.operations)
    if (auto it = kNames.find(op.type); it != kNames.end()) ++metrics_.operations[it->second];
  // Persisted before (flush_launches): queued, it is sent as surely as a direct call. (Its
  // text written on the queue's thread was tried: no faster on two cores, and that thread's
  // malloc arena kept up to 2 MB more resident.)
  accept_queue_->push(mesos::accept_text(accept), "ACCEPT");
}

void ServiceScheduler::decline(const std::vector<mesos::Offer>& offers, double seconds) {
  std::vector<std::string> ids;
  ids.reserve(offers.size());
  for (const mesos::Offer& o : offers)
    ids.push_back(o.id);
  decline_ids(std::move(ids), seconds);
}

void ServiceScheduler::decline_ids(std::vector<std::string> offer_ids, double seconds) {
  if (offer_ids.empty()) return;
  (seconds >= options_.long_decline_seconds ? metrics_.offers_declined_long
                                            : metrics_.offers_declined_short) += offer_ids.size();
  mesos::Call c;
  c.type = mesos::Call::Type::decline;
  c.framework_id = session_->framework_id();
  c.offer_ids = std::move(offer_ids);
  c.refuse_seconds = seconds;
  send(call_json(c), "DECLINE");
}

bool ServiceScheduler::send(std::string body, const char* what) {
  // After the ACCEPTs queued before it: a KILL must not overtake the launch of its task.
  accept_queue_->drain();
  auto r = session_->call(std::move(body));
  note_call(what, r);
  return r.status == 202 || r.status == 200;
}

void ServiceScheduler::note_call(const std::string& what,
                                 const mesos::SchedulerClient::Response& r) {
  const double now = static_cast<double>(now_ms()) / 1000;
  if (r.status == 202 || r.status == 200)
    call_failures_.succeeded(what, now);
  else if (r.error != mesos::SchedulerClient::kAborted)  // a stop's doing: nothing to tell
    call_failures_.failed(what, r.status == 0 ? r.error : std::to_string(r.status) + " " + r.body,
                          now);
}

// ---------------------------------------------------------------------------------------------
// Plans of the target, and decommission

void ServiceScheduler::drop_plan(const std::string& name) {
  plan::Plan* p = plans_.find(name);
  if (p == nullptr) return;
  for (const auto& phase : p->phases())
    for (const auto& step : phase->steps()) {
      work_.erase(step.get());
      evaluations_.erase(step->id());
      adoptable_.erase(step.get());
      code_steps_.erase(step->id());
      code_step_keys_.erase(step->id());
    }
  plans_.remove(name);
}

void ServiceScheduler::record_kept_code_step(const std::string& key) {
  // Written after the update that kept the plan committed: a refusal (a full disk) is not that
  // update's failure. Until it is on record a restart would show the step pending again.
  try {
    store_->set_property(code_step_property(key), config_id_);
    unrecorded_kept_steps_.erase(key);
  } catch (const state::StateError& e) {
    note_store_failure(e.what(), 0);
    unrecorded_kept_steps_[key] = config_id_;
  }
}

// The plans of the target: deploy (or `update` once a deploy completed), the spec's custom
// plans (kept as they are when neither they nor their pods' counts changed, so a plan under
// way goes on), and decommission. Steps whose tasks run the target already are COMPLETE;
// the first dispatch of the others may adopt live tasks of the target.
void ServiceScheduler::rebuild_plans() {
  plan::GenerateOptions g;
  g.deploy_completed = store_->property("deploy-completed").has_value();
  const json target = json::parse(target_json_, nullptr, false);
  // What a plan is: its spec and its generated structure (pod instances and tasks, and what
  // the service's customizers put in), so a kept plan is exactly the one a restart would build.
  // Written as length-prefixed fields rather than as a JSON tree: at 10,000 steps the tree
  // was a tenth of a restart's time to a serving API.
  auto signature = [](const json& config, const plan::Plan& p) {
    json plan_spec;
    if (config.is_object())
      for (const json& spec : config.value("plans", json::array()))
        if (spec.value("name", "") == p.name()) plan_spec = spec;
    std::string out = plan_spec.dump();
    auto field = [&out](std::string_view v) {
      out += std::to_string(v.size());
      out += ':';
      out += v;
    };
    for (const auto& phase : p.phases()) {
      out += 'P';
      field(phase->name());
      field(phase->strategy().name());
      for (const auto& step : phase->steps()) {
        out += 'S';
        field(step->name());
        field(step->pod_type() == "__code__" ? std::string() : step->pod_instance());
        for (const std::string& task : step->tasks())
          field(task);
      }
    }
    return out;
  };
  std::set<plan::Plan*> fresh;
  std::vector<std::unique_ptr<plan::Plan>> generated;
  bool made = false;
  if (early_plans_.valid()) {
    try {
      auto early = early_plans_.get();  // taken once, used or not
      if (target_.get() == early_target_ && g.deploy_completed == early_deploy_completed_) {
        generated = std::move(early);
        made = true;
      }
    } catch (...) {  // made again here, where a failure is reported
    }
    early_target_ = nullptr;  // never compared again with a target at the same address
  }
  if (!made) generated = plan::generate_plans(*target_, g);
  std::map<std::string, steward::CodeStepFunction> code_steps;
  customize(generated, code_steps);
  std::set<std::string> names;
  for (const auto& p : generated)
    names.insert(p->name());
  for (auto& p : generated) {
    const std::string name = p->name();
    const std::string sig = signature(target, *p);
    auto kept = plan_signatures_.find(name);
    if (name != "deploy" && plans_.find(name) && kept != plan_signatures_.end() &&
        kept->second == sig) {
      // Kept under a new target: its completed code steps count as done for this one too, as
      // a restart would find them.
      for (const auto& phase : plans_.find(name)->phases())
        for (const auto& step : phase->steps())
          if (auto key = code_step_keys_.find(step->id());
              key != code_step_keys_.end() && step->status() == Status::complete)
            record_kept_code_step(key->second);
      continue;
    }
    drop_plan(name);
    plan_signatures_[name] = sig;
    fresh.insert(p.get());
    // Code steps the service added: done already for this target when recorded so.
    for (const auto& phase : p->phases())
      for (const auto& step : phase->steps()) {
        auto code = code_steps.find(step->id());
        if (code == code_steps.end()) continue;
        const std::string key = name + "/" + phase->name() + "/" + step->name();
        code_steps_[step->id()] = code->second;
        code_step_keys_[step->id()] = key;
        if (store_->property(code_step_property(key)) == config_id_) step->force_complete();
      }
    plans_.add(std::move(p));
  }
  // Custom plans the target (or the service's customizers) no longer has.
  std::vector<std::string> stale;
  for (const auto& p : plans_.plans())
    if (p->name() != "recovery" && p->name() != "decommission" && !names.count(p->name()))
      stale.push_back(p->name());
  for (const std::string& name : stale) {
    drop_plan(name);
    plan_signatures_.erase(name);
  }
  // Pods on their way out are not recovered any more.
  if (recovery_ != nullptr)
    for (const auto& phase : recovery_->phases())
      for (const auto& step : phase->steps())
        if (step->status() != Status::complete &&
            decommissioning(step->pod_type(), step->pod_index())) {
          evaluations_.settle(step->id());
          work_.erase(step.get());
          step->force_complete();
        }
  drop_plan("decommission");
  if (auto d = decommission_plan()) {
    fresh.insert(d.get());
    plans_.add(std::move(d));
  }
  mark_step_initial_statuses();
  // Only the first dispatch of a step may adopt live tasks (a restarted scheduler, a new
  // target finding a pod on it already); a step restarted later by an operator relaunches.
  for (plan::Plan* p : fresh)
    for (const auto& phase : p->phases())
      for (const auto& step : phase->steps())
        if (step->status() != Status::complete) adoptable_.insert(step.get());
}

void ServiceScheduler::start_decommission_work(Work& work) {
  work.expected = Status::prepared;
  const std::string name = work.step->name();
  if (name.rfind("kill-", 0) == 0) {
    work.kind = Work::Kind::kill;
    kill_step_tasks(work);
    return;
  }
  if (name.rfind("unreserve-", 0) == 0) {
    // The footprint becomes garbage: recorded for collection first, then dropped from the
    // tasks (an offer carrying it is then released by the garbage collector).
    work.kind = Work::Kind::release;
    const std::string instance = work.instance();
    unconfirmed_.erase(instance + kResized);
    const bool unconfirmed = unconfirmed_.erase(instance) > 0;
    std::map<std::string, std::string> ids;
    std::vector<state::StoredTask> cleared;
    for (const std::string& task : work.tasks) {
      auto t = tasks_.find(task);
      if (t == tasks_.end()) continue;
      state::StoredTask copy = t->second.stored();
      auto add = [&](const std::vector<mesos::Resource>& rs) {
        for (const mesos::Resource& r : rs)
          if (auto rid = r.label("resource_id")) ids[*rid] = copy.info.agent_id;
      };
      add(copy.info.resources);
      if (copy.info.executor) add(copy.info.executor->resources);
      if (copy.info.resources.empty() && !copy.info.executor) continue;
      copy.info.resources.clear();
      copy.info.executor.reset();
      cleared.push_back(std::move(copy));
    }
    if (unconfirmed) store_->set_property("unconfirmed-footprints", json(unconfirmed_).dump());
    // A footprint no status confirmed may never have been reserved: not waited for.
    if (!ids.empty() && !unconfirmed) {
      gc_resources_.insert(ids.begin(), ids.end());
      store_->set_property("gc-resources", json(gc_resources_).dump());
      for (const auto& [id, agent] : ids)
        work.unreserve.insert(id);
    }
    if (!cleared.empty()) store_tasks(cleared);
    log(options_.service_name, "decommission of " + instance + ": releasing " +
                                   std::to_string(ids.size()) + " reservations and volumes");
    refresh_release(work);
    return;
  }
  // erase-: the record goes; nothing of the pod is left.
  work.kind = Work::Kind::erase;
  for (const std::string& task : work.tasks) {
    auto t = tasks_.find(task);
    if (t == tasks_.end()) continue;
    store_->delete_task(task);
    if (!t->second.task_id().empty()) by_id_.erase(t->second.task_id());
    unindex_task(t->second);
    tasks_.erase(t);
    statuses_.erase(task);
    down_.erase(task);
    watchers_.erase(task);
    overrides_.erase(task);
    backoff_.clear(task);
  }
  failing_since_.erase(work.instance());
  delete_unneeded_configs();
  log(options_.service_name, "decommissioned " + work.instance());
  work.expected = Status::complete;
  work.step->set_status(Status::complete);
}

void ServiceScheduler::refresh_release(Work& work) {
  if (work.expected != Status::prepared || work.step->status() != Status::prepared) return;
  for (auto it = work.unreserve.begin(); it != work.unreserve.end();)
    it = gc_resources_.count(*it) ? std::next(it) : work.unreserve.erase(it);
  if (!work.unreserve.empty()) return;
  work.expected = Status::complete;
  work.step->set_status(Status::complete);
}

// ---------------------------------------------------------------------------------------------
// Uninstall

void ServiceScheduler::build_uninstall_plan() {
  std::vector<std::unique_ptr<plan::Step>> kills;
  std::map<std::string, std::vector<std::string>> by_pod;
  std::set<std::string> agents;
  for (const auto& [name, t] : tasks_) {
    auto [type, index] = t.pod();
    by_pod[type + "-" + std::to_string(index)].push_back(name);
    if (!t.agent_id().empty() && t.has_resources()) agents.insert(t.agent_id());
  }
  for (const auto& [id, agent] : gc_resources_)  // replaced footprints not collected yet
    if (!agent.empty()) agents.insert(agent);
  for (const auto& [instance, names] : by_pod) {
    const auto [type, index] = split_instance(instance).value_or(std::pair(instance, 0));
    kills.push_back(
        std::make_unique<plan::Step>("kill-" + instance, type, index, names, plan::system_clock()));
  }
  std::vector<std::unique_ptr<plan::Step>> unreserve;
  for (const std::string& agent : agents)
    unreserve.push_back(std::make_unique<plan::Step>(
        "unreserve-" + agent, agent, 0, std::vector<std::string>{}, plan::system_clock()));
  std::vector<std::unique_ptr<plan::Step>> deregister;
  deregister.push_back(std::make_unique<plan::Step>(
      "deregister", "__framework__", 0, std::vector<std::string>{}, plan::system_clock()));
  std::vector<std::unique_ptr<plan::Phase>> phases;
  const std::size_t k = kills.size(), u = unreserve.size();
  phases.push_back(std::make_unique<plan::Phase>(
      "kill-tasks", std::move(kills), plan::Strategy::parallel(k), plan::system_clock()));
  phases.push_back(std::make_unique<plan::Phase>("unreserve-resources", std::move(unreserve),
                                                 plan::Strategy::parallel(u),
                                                 plan::system_clock()));
  phases.push_back(std::make_unique<plan::Phase>("deregister-service", std::move(deregister),
                                                 plan::Strategy::serial(1), plan::system_clock()));
  plans_.add(std::make_unique<plan::Plan>("deploy", std::move(phases), plan::Strategy::serial(3),
                                          plan::system_clock()));
}

void ServiceScheduler::uninstall_step(Work& work, std::vector<mesos::Offer>& offers) {
  for (auto it = offers.begin(); it != offers.end(); ++it) {
    if (it->agent_id != work.agent) continue;
    offer::Release release = offer::unexpected_resources(*it, roles_, {});
    offer::Outcome o{"offer " + it->id + " on agent " + it->agent_id, true, "", {}};
    for (const mesos::Resource& r : release.unreserve)
      if (auto rid = r.label("resource_id")) work.unreserve.erase(*rid);
    // Done when every reservation on record was released and none of ours is offered. (A
    // reservation still held by an exiting executor comes in a later offer; an agent that
    // never returns is the operator's to force-complete.)
    if (release.empty() && work.unreserve.empty()) {
      o.reason = "no reservation of " + options_.service_name + " left";
      record(work, o);
      work.expected = Status::complete;
      work.step->set_status(Status::complete);
      decline({*it}, options_.short_decline_seconds);
      offers.erase(it);
      return;
    }
    if (release.empty()) {
      o.reason = "waiting for " + std::to_string(work.unreserve.size()) +
                 " reservations still in use by executors";
      record(work, o);
      continue;
    }
    o.reason = "releasing " + std::to_string(release.unreserve.size()) + " reservations";
    record(work, o);
    mesos::AcceptCall accept;
    accept.framework_id = session_->framework_id();
    accept.offer_ids = {it->id};
    accept.operations = offer::release_operations(release);
    accept.refuse_seconds = 0;
    send_accept(std::move(accept));
    offers.erase(it);
    return;
  }
}

void ServiceScheduler::finish_uninstall() {
  mesos::Call c;
  c.type = mesos::Call::Type::teardown;
  c.framework_id = session_->framework_id();
  store_->set_property("teardown-sent", std::to_string(now_ms()));
  if (!send(call_json(c), "TEARDOWN")) return;  // the next tick tries again; nothing wiped
  // No new subscription once the stream closes (it would register a new framework): the
  // session waits out a backoff before resubscribing, and stops at this flag.
  session_->retire(true);
  complete_uninstall();
}

void ServiceScheduler::complete_uninstall() {
  if (uninstalled_) return;
  store_->wipe();
  {
    std::ofstream out(fs::path(options_.state_dir) / "UNINSTALLED");
    out << "uninstalled at " << now_ms() / 1000 << " (seconds since the epoch)\n";
  }
  for (auto& [step, w] : work_)
    if (w->kind == Work::Kind::deregister) {
      w->expected = Status::complete;
      w->step->set_status(Status::complete);
    }
  uninstalled_ = true;
  log(options_.service_name, "uninstall complete: no task, reservation, volume or state left");
  end("uninstalled");
}

void ServiceScheduler::request_end() {
  end_now("stopped");
}

void ServiceScheduler::end_now(const std::string& reason) {
  // What waits on the master ends now rather than at its read timeout (30 s) when the master
  // does not answer: a call of the loop's holds the API requests waiting on the loop, and the
  // API stops before the scheduler does. Calls fail from here on, as after a crash (quietly:
  // an aborted call is not logged), and ticks stage nothing more.
  {
    std::lock_guard lock(start_mutex_);  // the load may be publishing the session
    stopping_ = true;
    if (session_) session_->abort_calls();
  }
  end(reason);
}

// ---------------------------------------------------------------------------------------------
// Read models and commands (any thread -> loop)

std::vector<std::string> ServiceScheduler::plan_names() {
  return loop_->call([this] {
    std::vector<std::string> out;
    for (const auto& p : plans_.plans())
      out.push_back(p->name());
    return out;
  });
}

std::optional<std::string> ServiceScheduler::plan_json(const std::string& name, Status* status) {
  // The text is written on the loop: a copy of the plan to write it elsewhere would cost
  // about what writing it does (BM_RenderPlan).
  return loop_->call([&]() -> std::optional<std::string> {
    plan::Plan* p = plans_.find(name);
    if (p == nullptr) return std::nullopt;
    if (status) *status = p->status();
    return plan::to_json(*p, 2);
  });
}

plan::CommandOutcome ServiceScheduler::plan_command(
    const std::string& command, const std::string& plan, const std::string& phase,
    const std::string& step, const std::map<std::string, std::string>& parameters) {
  return loop_->call([&]() -> plan::CommandOutcome {
    // A step the command resets relaunches its tasks rather than adopting them; every other
    // step a restarted scheduler has yet to dispatch still adopts its live tasks (clearing them
    // all relaunched running pods of other plans, or of other steps of this one).
    std::vector<std::pair<const plan::Step*, std::uint32_t>> adoptable;
    if (plan::Plan* p = plans_.find(plan); p != nullptr && !adoptable_.empty())
      for (const auto& ph : p->phases())
        for (const auto& s : ph->steps())
          if (adoptable_.count(s.get()) > 0) adoptable.emplace_back(s.get(), s->restarts());
    plan::CommandOutcome outcome{plan::CommandResult::invalid, "unknown command " + command};
    if (command == "start") outcome = plans_.start(plan, parameters);
    if (command == "stop") outcome = plans_.stop(plan);
    if (command == "interrupt") outcome = plans_.interrupt(plan, phase);
    if (command == "continue") outcome = plans_.proceed(plan, phase);
    if (command == "forceComplete") outcome = plans_.force_complete(plan, phase, step);
    if (command == "restart") outcome = plans_.restart(plan, phase, step);
    for (const auto& [s, restarts] : adoptable)
      if (s->restarts() != restarts) adoptable_.erase(s);
    return outcome;
  });
}

std::optional<std::vector<std::string>> ServiceScheduler::pod_command_on_loop(
    const std::string& command, const std::string& pod, const std::vector<std::string>& only) {
  const auto instance = split_instance(pod);
  if (!instance) return std::nullopt;
  std::vector<std::string> names = pod_task_names(instance->first, instance->second);
  if (names.empty()) return std::nullopt;
  if (command == "pause" || command == "resume") return pause_on_loop(command, pod, names, only);
  std::vector<state::StoredTask> relabelled;
  for (const std::string& name : names) {
    const TaskEntry& entry = tasks_.at(name);
    if (command == "replace" && !entry.has_label(kPermanentlyFailed)) {
      state::StoredTask t = entry.stored();
      t.info.labels.push_back({kPermanentlyFailed, "true"});
      relabelled.push_back(std::move(t));
    }
  }
  // Persisted before anything changes here or is killed: a store that refuses it (a full
  // disk) fails the command, and nothing of it is done.
  if (!relabelled.empty()) store_tasks(relabelled);
  if (command == "replace" && recovery_ != nullptr) {
    // A recovery of this pod under way (say, in place for one task) gives way: the pod is
    // recovered anew, as a whole, on a new footprint.
    for (const auto& phase : recovery_->phases())
      for (const auto& step : phase->steps())
        if (step->pod_instance() == pod && step->status() != Status::complete) {
          evaluations_.settle(step->id());
          work_.erase(step.get());
          step->force_complete();
        }
  }
  for (const std::string& name : names)
    backoff_.clear(name);
  for (const std::string& name : names) {
    const TaskEntry& entry = tasks_.at(name);
    auto st = statuses_.find(name);
    if (entry.task_id().empty()) continue;
    if (st != statuses_.end() && st->second.task_id == entry.task_id() &&
        mesos::is_terminal(st->second.state))
      continue;
    kill_task(entry.task_id(), entry.agent_id());
  }
  log(options_.service_name, "pod " + command + " " + pod);
  return names;
}

std::optional<std::vector<std::string>> ServiceScheduler::pod_command(
    const std::string& command, const std::string& pod, const std::vector<std::string>& tasks) {
  return command_on_loop("pod " + command + " " + pod,
                         [&] { return pod_command_on_loop(command, pod, tasks); });
}

std::vector<std::string> ServiceScheduler::pause_on_loop(const std::string& command,
                                                         const std::string& pod,
                                                         const std::vector<std::string>& names,
                                                         const std::vector<std::string>& only) {
  // The chosen tasks (all by default) that run with goal RUNNING.
  std::vector<std::string> chosen;
  for (const std::string& name : names) {
    const TaskEntry& entry = tasks_.at(name);
    const std::string task = entry.label("task_type");
    if (entry.task_id().empty() || entry.label("goal_state") != "RUNNING") continue;
    if (!only.empty() && std::find(only.begin(), only.end(), task) == only.end() &&
        std::find(only.begin(), only.end(), name) == only.end())
      continue;
    chosen.push_back(name);
  }
  const bool pause = command == "pause";
  const state::GoalOverride next = pause
                                       ? state::GoalOverride{state::GoalOverride::Goal::paused,
                                                             state::GoalOverride::Progress::pending}
                                       : state::GoalOverride{};
  std::vector<std::string> changing;
  for (const std::string& name : chosen) {
    auto current = overrides_.find(name);
    const bool paused =
        current != overrides_.end() && current->second.goal == state::GoalOverride::Goal::paused;
    if (paused != pause) changing.push_back(name);  // else already so
  }
  // Every task's override persisted, in one transaction, before any is kept or killed: a
  // store that refuses it (a full disk) fails the command with the pod as it was, not
  // PAUSING with nothing on record, nor half paused.
  state::write_together(*store_, [&] {
    for (const std::string& name : changing)
      store_->set_goal_override(name, next);
  });
  for (const std::string& name : changing) {
    overrides_[name] = next;
    backoff_.clear(name);
    const TaskEntry& entry = tasks_.at(name);
    kill_task(entry.task_id(), entry.agent_id());  // recovery relaunches it, paused or not
  }
  log(options_.service_name, "pod " + command + " " + pod);
  return chosen;
}

bool ServiceScheduler::is_paused_launch(const std::string& task_id) const {
  // A launch this scheduler made paused, or (after a restart) the running task of a pause
  // that had completed.
  return paused_launches_.count(task_id) > 0;
}

bool ServiceScheduler::paused(const std::string& name) const {
  auto it = overrides_.find(name);
  return it != overrides_.end() && it->second.goal == state::GoalOverride::Goal::paused;
}

std::vector<std::string> ServiceScheduler::pod_names() {
  return loop_->call([this] {
    std::set<std::string> names;
    for (const auto& [name, t] : tasks_) {
      auto [type, index] = t.pod();
      names.insert(type + "-" + std::to_string(index));
    }
    return std::vector<std::string>(names.begin(), names.end());
  });
}

// Members in sorted order (JsonText): the text is what a tree of the same value would dump.
// Written straight into the text: at 10,000 tasks a tree of the status of every pod held
// about 20 MB while it was dumped.
void ServiceScheduler::write_task_status(JsonText& out, const std::string& name,
                                         const TaskEntry& t) const {
  out.begin_object().field("agent", t.agent_id()).field("id", t.task_id()).field("name", name);
  if (t.has_label(kPermanentlyFailed)) out.field("permanently_failed", true);
  out.key("status");
  auto st = statuses_.find(name);
  if (auto o = overrides_.find(name);
      o != overrides_.end() && o->second.goal == state::GoalOverride::Goal::paused)
    out.value(o->second.progress == state::GoalOverride::Progress::complete ? "PAUSED" : "PAUSING");
  else if (t.task_id().empty())
    out.value("NOT_LAUNCHED");
  else if (st != statuses_.end() && st->second.task_id == t.task_id())
    out.value(mesos::to_string(st->second.state).substr(5));
  else
    out.value("UNKNOWN");
  out.end_object();
}

const ServiceScheduler::PodTaskNames* ServiceScheduler::instance_tasks(
    const std::string& pod) const {
  const auto split = split_instance(pod);
  // "hello-01" and "hello-+1" read as hello-1 but are not its name.
  if (!split || split->first + "-" + std::to_string(split->second) != pod) return nullptr;
  auto it = pod_tasks_.find(*split);
  return it == pod_tasks_.end() ? nullptr : &it->second;
}

std::string ServiceScheduler::pod_status_json(const std::string& pod) {
  return loop_->call([&]() -> std::string {
    const PodTaskNames* names = instance_tasks(pod);
    if (names == nullptr) return "";
    std::string text;
    JsonText out(text, 2);
    out.begin_object().field("name", pod).key("tasks").begin_array();
    for (const std::string* name : *names)
      write_task_status(out, *name, tasks_.at(*name));
    out.end_array().end_object();
    return text;
  });
}

std::string ServiceScheduler::all_pods_status_json() {
  return loop_->call([&] {
    // {pods: [{instances: [{name, tasks: [...]}], name: type}], service}, sorted by name
    // and index, as the pod index keeps them.
    std::string text;
    text.reserve(1024 + tasks_.size() * 350);  // a pod of one task is about 330 bytes
    JsonText out(text, 2);
    out.begin_object().key("pods").begin_array();
    const std::string* type = nullptr;
    for (const auto& [instance, names] : pod_tasks_) {
      if (type == nullptr || *type != instance.first) {
        if (type != nullptr) out.end_array().field("name", *type).end_object();
        type = &instance.first;
        out.begin_object().key("instances").begin_array();
      }
      out.begin_object().field("name", instance.first + "-" + std::to_string(instance.second));
      out.key("tasks").begin_array();
      for (const std::string* name : names)
        write_task_status(out, *name, tasks_.at(*name));
      out.end_array().end_object();
    }
    if (type != nullptr) out.end_array().field("name", *type).end_object();
    out.end_array().field("service", options_.service_name).end_object();
    return text;
  });
}

std::string ServiceScheduler::pod_info_json(const std::string& pod) {
  return loop_->call([&]() -> std::string {
    const PodTaskNames* names = instance_tasks(pod);
    if (names == nullptr) return "";
    json out = json::array();
    for (const std::string* name : *names) {
      json entry = {{"info", mesos::to_json(tasks_.at(*name).info())}, {"status", nullptr}};
      // The whole status is the stored one (the loop keeps only what it decides on).
      if (statuses_.contains(*name))
        if (auto whole = store_->status(*name)) entry["status"] = mesos::to_json(*whole);
      out.push_back(std::move(entry));
    }
    return out.dump(2);
  });
}

std::string ServiceScheduler::debug_offers_json(const std::string& plan, const std::string& phase,
                                                const std::string& step) {
  return loop_->call([&] {
    std::function<json(const offer::Outcome&)> tree = [&](const offer::Outcome& o) {
      json j = {{"stage", o.stage}, {"pass", o.pass}, {"reason", o.reason}};
      if (!o.children.empty()) {
        j["children"] = json::array();
        for (const offer::Outcome& c : o.children)
          j["children"].push_back(tree(c));
      }
      return j;
    };
    json out = json::array();
    for (const auto& [id, list] : evaluations_.by_step()) {
      for (const EvaluationRecord& r : list) {
        if ((!plan.empty() && r.plan != plan) || (!phase.empty() && r.phase != phase) ||
            (!step.empty() && r.step != step))
          continue;
        out.push_back({{"time_ms", r.time_ms},
                       {"plan", r.plan},
                       {"phase", r.phase},
                       {"step", r.step},
                       {"outcome", tree(r.outcome)}});
      }
    }
    // Oldest first; the steps come in no order, so evaluations of the same millisecond go by
    // plan, phase and step name, each step's own in the order made.
    std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
      const auto key = [](const json& e) {
        return std::make_tuple(e["time_ms"].get<std::int64_t>(), e["plan"].get<std::string>(),
                               e["phase"].get<std::string>(), e["step"].get<std::string>());
      };
      return key(a) < key(b);
    });
    return out.dump(2);
  });
}

std::optional<std::string> ServiceScheduler::framework_id() {
  return loop_->call([this] { return store_->framework_id(); });
}

std::string ServiceScheduler::endpoints_json(const std::string& name, bool* found) {
  return loop_->call([&] {
    // Advertised ports: per port name, every launched task's host:port.
    std::map<std::string, json> endpoints;
    const spec::ServiceSpec* spec = target_.get();
    for (const auto& [task_name, t] : tasks_) {
      if (t.task_id().empty() || spec == nullptr) continue;
      auto [type, index] = t.pod();
      const spec::PodSpec* pod = spec->find_pod(type);
      const spec::TaskSpec* ts = pod ? pod->find_task(t.label("task_type")) : nullptr;
      const spec::ResourceSetSpec* rs = ts ? pod->find_resource_set(ts->resource_set) : nullptr;
      if (rs == nullptr) continue;
      for (const auto& [port_name, port] : rs->ports) {
        if (!port.advertise) continue;
        const std::string value = t.label("port:" + port_name);
        if (value.empty()) continue;
        json& e = endpoints[port_name];
        if (e.is_null()) e = {{"address", json::array()}, {"dns", json::array()}};
        e["address"].push_back(t.label("offer_hostname") + ":" + value);
        e["dns"].push_back(task_name + "." + options_.service_name +
                           ".autoip.dcos.thisdcos.directory:" + value);
        if (port.vip)
          e["vip"] = (port.vip->prefix.empty() ? port_name : port.vip->prefix) + "." +
                     options_.service_name +
                     ".l4lb.thisdcos.directory:" + std::to_string(port.vip->port);
      }
    }
    if (name.empty()) {
      json names = json::array();
      for (const auto& [n, e] : endpoints)
        names.push_back(n);
      *found = true;
      return names.dump();
    }
    auto it = endpoints.find(name);
    *found = it != endpoints.end();
    return *found ? it->second.dump(2) : std::string();
  });
}

std::string ServiceScheduler::metrics_text() {
  return loop_->call([this] {
    std::vector<std::pair<std::string, std::string>> plans;
    for (const auto& p : plans_.plans())
      plans.emplace_back(p->name(), std::string(plan::to_string(p->status())));
    metrics_.acknowledgements_pending = ack_queue_->pending();
    return metrics_.render(plans);
  });
}

std::optional<std::string> ServiceScheduler::configuration(const std::string& id) {
  return loop_->call([&]() -> std::optional<std::string> {
    if (id == "targetId") {
      auto target = store_->target_config();
      return target ? std::optional(json(*target).dump()) : std::nullopt;
    }
    if (id == "target") {
      auto target = store_->target_config();
      return target ? store_->config(*target) : std::nullopt;
    }
    return store_->config(id);
  });
}

std::optional<std::string> ServiceScheduler::config_template(const std::string& config_id,
                                                             const std::string& pod_type,
                                                             const std::string& task,
                                                             const std::string& name) {
  const std::optional<std::string> text = loop_->call([&]() -> std::optional<std::string> {
    return config_id == config_id_ ? std::optional(target_json_) : store_->config(config_id);
  });
  if (!text) return std::nullopt;
  std::string error;
  const std::optional<spec::ServiceSpec> spec = spec::spec_from_json(*text, error);
  const spec::PodSpec* pod = spec ? spec->find_pod(pod_type) : nullptr;
  if (pod == nullptr) return std::nullopt;
  for (const spec::TaskSpec& t : pod->tasks)
    if (t.name == task)
      for (const spec::ConfigFileSpec& c : t.configs)
        if (c.name == name) return c.content;
  return std::nullopt;
}

std::string ServiceScheduler::property_keys_json() {
  return loop_->call([this] { return json(store_->property_keys()).dump(); });
}

std::optional<std::string> ServiceScheduler::property(const std::string& key) {
  return loop_->call([&] { return store_->property(key); });
}

std::string ServiceScheduler::task_statuses_json() {
  return loop_->call([this] {
    // Written without a tree. Whole statuses are the stored ones, read one at a time (all of
    // them at once were 4.6 MB at 10,000 tasks); those of the tasks the loop knows are shown.
    std::string text;
    JsonText out(text, 2);
    out.begin_object();
    for (const auto& [name, kept] : statuses_) {
      const std::optional<mesos::TaskStatus> status = store_->status(name);
      if (!status) continue;
      out.key(name);
      mesos::write_json(out, *status);
    }
    out.end_object();
    return text;
  });
}

std::string ServiceScheduler::reservations_json() {
  return loop_->call([this] {
    // Per task: its agent and the reservations it holds, by resource id. Members in sorted
    // order, written without a tree.
    std::string text;
    JsonText out(text, 2);
    out.begin_object().key("tasks").begin_array();
    for (const auto& [name, t] : tasks_) {
      out.begin_object().field("agent", t.agent_id()).key("resources").begin_array();
      for (const mesos::Resource& r : t.info().resources) {
        out.begin_object().field("name", r.name);
        if (r.disk && r.disk->persistence) out.field("persistence_id", r.disk->persistence->id);
        if (auto rid = r.label("resource_id")) out.field("resource_id", *rid);
        out.field("role", r.role());
        if (r.type == mesos::Resource::Type::scalar) out.field("value", r.scalar);
        out.end_object();
      }
      out.end_array().field("task", name).end_object();
    }
    out.end_array().key("to_release").begin_object();
    for (const auto& [id, agent] : gc_resources_)
      out.field(id, agent);
    out.end_object().end_object();
    return text;
  });
}

std::pair<int, std::string> ServiceScheduler::health() {
  // While the state loads there is no loop to ask: the scheduler is initializing.
  {
    std::lock_guard lock(start_mutex_);
    if (start_state_ == StartState::loading)
      return {318,
              json({{"value", 318}, {"status", "INITIALIZING"}, {"reasons", {"loading its state"}}})
                  .dump()};
    if (start_state_ == StartState::failed)
      return {500, json({{"value", 500},
                         {"status", "ERROR_CREATING_SERVICE"},
                         {"reasons", {"the scheduler did not start"}}})
                       .dump()};
  }
  return loop_->call([this]() -> std::pair<int, std::string> {
    // dcos-commons' service status codes, in their order of precedence.
    std::vector<std::string> reasons;
    auto answer = [&](int code, const char* name) {
      return std::pair(code,
                       json({{"value", code}, {"status", name}, {"reasons", reasons}}).dump());
    };
    plan::Plan* deploy = plans_.find("deploy");
    if (deploy && (deploy->status() == Status::error || !deploy->errors().empty())) {
      for (const std::string& e : deploy->errors())
        reasons.push_back(e);
      return answer(500, "ERROR_CREATING_SERVICE");
    }
    if (!subscribed_ || !reconciled_) {
      reasons.push_back(subscribed_ ? "reconciling" : "not subscribed to the master");
      return answer(318, "INITIALIZING");
    }
    if (deploy && deploy->status() != Status::complete) {
      reasons.push_back("deploy plan " + std::string(plan::to_string(deploy->status())));
      switch (deploy->status()) {
        case Status::waiting:
          return answer(207, "DEPLOYING_WAITING_USER");
        case Status::delayed:
          return answer(208, "DELAYED");
        case Status::pending:
          return answer(204, "DEPLOYING_PENDING");
        default:
          return answer(202, "DEPLOYING_STARTING");
      }
    }
    if (recovery_ && recovery_->status() != Status::complete) {
      reasons.push_back("recovery plan " + std::string(plan::to_string(recovery_->status())));
      switch (recovery_->status()) {
        case Status::delayed:
          return answer(208, "DELAYED");
        case Status::pending:
          return answer(203, "RECOVERING_PENDING");
        default:
          return answer(205, "RECOVERING_STARTING");
      }
    }
    for (const auto& p : plans_.plans()) {
      if (!plan::is_running(p->status())) continue;
      if (p->name().find("back") != std::string::npos) {
        reasons.push_back("plan " + p->name() + " running");
        return answer(320, "BACKING_UP");
      }
      if (p->name().find("restor") != std::string::npos) {
        reasons.push_back("plan " + p->name() + " running");
        return answer(321, "RESTORING");
      }
    }
    return answer(200, "RUNNING");
  });
}

}  // namespace steward::scheduler
