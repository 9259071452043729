#include "cluster/process_runtime.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/process.hpp"
#include "common/uuid.hpp"
#include "mesos/executor_api.hpp"
#include "mesos/recordio.hpp"

namespace steward::cluster {

namespace fs = std::filesystem;

ProcessRuntime::ProcessRuntime(Options options, ExitSink on_exit)
    : options_(std::move(options)), on_exit_(std::move(on_exit)) {
  if (options_.wake) exits_ = std::make_unique<ExitWatcher>(options_.wake);
}

ProcessRuntime::~ProcessRuntime() = default;

void ProcessRuntime::deliver(Executor& executor, std::string record) {
  if (executor.stream && !executor.stream->closed())
    executor.stream->push(mesos::recordio_encode(record));
  else
    executor.pending.push_back(std::move(record));
}

void ProcessRuntime::launch(const LaunchRequest& request) {
  const std::string k = key(request.agent_id, request.framework->id, request.executor.executor_id);
  auto it = executors_.find(k);
  mesos::ExecutorEvent launch;
  launch.type = mesos::ExecutorEvent::Type::launch_group;
  launch.tasks = request.tasks;
  for (const auto& [container_path, host_path] : request.volumes)
    launch.volumes.push_back({container_path, host_path});

  if (it == executors_.end()) {
    Executor executor;
    executor.agent_id = request.agent_id;
    executor.framework_id = request.framework->id;
    executor.executor_id = request.executor.executor_id;
    executor.framework_user = request.framework->user;
    // runs/<container id>, with runs/latest pointing at it, as a Mesos agent lays it out.
    fs::path latest(request.sandbox);
    fs::path run = latest.parent_path() / new_id();
    std::error_code ec;
    fs::create_directories(run, ec);
    fs::remove(latest, ec);
    fs::create_directory_symlink(run.filename(), latest, ec);
    executor.sandbox = run.string();
    for (const auto& [container_path, host_path] : request.volumes) {
      fs::path link = run / container_path;
      fs::create_directories(link.parent_path(), ec);
      fs::create_directory_symlink(host_path, link, ec);
    }
    ProcessSpec spec;
    spec.shell = false;
    spec.arguments = {options_.program, "executor"};
    spec.environment = current_environment();
    set_env(spec.environment, "STEWARD_CLUSTER_FILE", options_.cluster_file);
    set_env(spec.environment, "STEWARD_FRAMEWORK_USER", request.framework->user);
    set_env(spec.environment, "MESOS_AGENT_ID", request.agent_id);
    set_env(spec.environment, "MESOS_SLAVE_ID", request.agent_id);
    set_env(spec.environment, "MESOS_FRAMEWORK_ID", request.framework->id);
    set_env(spec.environment, "MESOS_EXECUTOR_ID", request.executor.executor_id);
    set_env(spec.environment, "MESOS_SANDBOX", executor.sandbox);
    set_env(spec.environment, "MESOS_DIRECTORY", executor.sandbox);
    set_env(spec.environment, "MESOS_CHECKPOINT", request.framework->checkpoint ? "1" : "0");
    set_env(spec.environment, "MESOS_RECOVERY_TIMEOUT", "900");
    spec.working_directory = executor.sandbox;
    spec.stdout_path = executor.sandbox + "/stdout";
    spec.stderr_path = executor.sandbox + "/stderr";
    spec.new_session = true;  // survives the daemon, and its signals
    std::string error;
    auto pid = spawn(spec, error);
    // One that cannot start is reported by the next tick like an executor that exited at
    // once (its tasks fail), not from inside this call.
    executor.pid = pid ? *pid : -1;
    if (executor.pid < 0)
      wake();
    else if (exits_)
      exits_->watch(executor.pid);
    it = executors_.emplace(k, std::move(executor)).first;
  }
  std::string record = mesos::encode(launch);
  it->second.launches.push_back(record);
  dirty_ = true;
  if (it->second.stream && !it->second.stream->closed())
    it->second.stream->push(mesos::recordio_encode(record));
}

void ProcessRuntime::kill_task(const std::string& agent_id, const std::string& framework_id,
                               const std::string& executor_id, const std::string& task_id,
                               std::optional<std::int64_t> grace_ns) {
  auto it = executors_.find(key(agent_id, framework_id, executor_id));
  if (it == executors_.end()) return;
  mesos::ExecutorEvent e;
  e.type = mesos::ExecutorEvent::Type::kill;
  e.task_id = task_id;
  e.kill_grace_period_ns = grace_ns;
  deliver(it->second, mesos::encode(e));
}

void ProcessRuntime::shutdown_executor(const std::string& agent_id, const std::string& framework_id,
                                       const std::string& executor_id) {
  auto it = executors_.find(key(agent_id, framework_id, executor_id));
  if (it == executors_.end()) return;
  mesos::ExecutorEvent e;
  e.type = mesos::ExecutorEvent::Type::shutdown;
  deliver(it->second, mesos::encode(e));
  if (!it->second.shutdown_requested) {
    dirty_ = true;
    it->second.shutdown_requested = true;
    it->second.shutdown_deadline = now_ + options_.shutdown_grace_seconds;
  }
}

void ProcessRuntime::acknowledged(const std::string& agent_id, const std::string& framework_id,
                                  const std::string& executor_id, const std::string& task_id,
                                  const std::string& uuid) {
  auto it = executors_.find(key(agent_id, framework_id, executor_id));
  if (it == executors_.end()) return;
  mesos::ExecutorEvent e;
  e.type = mesos::ExecutorEvent::Type::acknowledged;
  e.task_id = task_id;
  e.uuid = uuid;
  it->second.acks.push_back(mesos::encode(e));
  // The executor hears of it after the next checkpoint; one that exits on its last
  // acknowledgement should not wait a tick for it.
  wake();
}

void ProcessRuntime::flush_acknowledgements() {
  for (auto& [k, executor] : executors_) {
    // Without a subscription they are dropped: the executor sends the update again when it
    // subscribes, and the master acknowledges the repeat.
    if (executor.stream && !executor.stream->closed())
      for (std::string& record : executor.acks)
        executor.stream->push(mesos::recordio_encode(record));
    executor.acks.clear();
  }
}

bool ProcessRuntime::create_volume(const std::string&, const std::string& path,
                                   std::string& error) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) {
    error = "cannot create " + path + ": " + ec.message();
    return false;
  }
  return true;
}

bool ProcessRuntime::destroy_volume(const std::string&, const std::string& path,
                                    std::string& error) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) {
    error = "cannot delete " + path + ": " + ec.message();
    return false;
  }
  return true;
}

int ProcessRuntime::subscribe(const std::string& agent_id, const std::string& framework_id,
                              const std::string& executor_id, std::shared_ptr<EventStream> stream) {
  auto it = executors_.find(key(agent_id, framework_id, executor_id));
  if (it == executors_.end()) return 404;
  Executor& executor = it->second;
  if (executor.stream) executor.stream->close();
  executor.stream = std::move(stream);
  mesos::ExecutorEvent subscribed;
  subscribed.type = mesos::ExecutorEvent::Type::subscribed;
  subscribed.agent_id = agent_id;
  subscribed.framework_user = executor.framework_user;
  executor.stream->push(mesos::recordio_encode(mesos::encode(subscribed)));
  for (const std::string& record : executor.launches)
    executor.stream->push(mesos::recordio_encode(record));
  for (std::string& record : executor.pending)
    executor.stream->push(mesos::recordio_encode(record));
  executor.pending.clear();
  return 200;
}

void ProcessRuntime::stream_closed(const std::string& agent_id, const std::string& framework_id,
                                   const std::string& executor_id, const std::string& stream_id) {
  auto it = executors_.find(key(agent_id, framework_id, executor_id));
  if (it == executors_.end() || !it->second.stream || it->second.stream->id() != stream_id) return;
  it->second.stream.reset();
}

namespace {
// Whether `pid` exists and has not exited (a zombie has).
bool runs(pid_t pid) {
  if (auto st = process_stat(pid)) return !st->exited();
  return ::kill(pid, 0) == 0 || errno != ESRCH;  // no /proc to tell: only ESRCH says gone
}
}  // namespace

void ProcessRuntime::tick(double now) {
  now_ = now;
  std::vector<std::pair<std::string, std::optional<int>>> gone;
  for (auto& [k, executor] : executors_) {
    if (executor.pid <= 0) {
      gone.emplace_back(k, std::nullopt);
      continue;
    }
    int status = 0;
    pid_t r = waitpid(executor.pid, &status, WNOHANG);
    if (r == executor.pid) {
      gone.emplace_back(k, status);
      continue;
    }
    // An executor adopted after a restart is not our child: it is gone when it no longer
    // exists or is a zombie waiting for its new parent (the pidfd that woke us fires then).
    if (r < 0 && errno == ECHILD && !runs(executor.pid)) {
      gone.emplace_back(k, std::nullopt);
      continue;
    }
    if (executor.shutdown_requested && now >= executor.shutdown_deadline) {
      signal_session(executor.pid, SIGKILL);
      executor.shutdown_deadline = now + 3600;  // once
    }
  }
  if (!gone.empty()) dirty_ = true;
  for (const auto& [k, status] : gone) {
    Executor executor = std::move(executors_.at(k));
    executors_.erase(k);
    if (executor.stream) executor.stream->close();
    on_exit_(executor.agent_id, executor.framework_id, executor.executor_id, status);
  }
}

nlohmann::json ProcessRuntime::checkpoint() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [k, e] : executors_)
    list.push_back({{"agent_id", e.agent_id},
                    {"framework_id", e.framework_id},
                    {"executor_id", e.executor_id},
                    {"pid", e.pid},
                    {"sandbox", e.sandbox},
                    {"framework_user", e.framework_user},
                    {"launches", e.launches},
                    {"pending", e.pending},
                    {"shutdown_requested", e.shutdown_requested}});
  return {{"executors", list}};
}

namespace {
// Whether `pid` is still one of our executors (and not a process that reused the pid).
bool is_executor(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmdline(std::istreambuf_iterator<char>(in), {});
  return cmdline.find(std::string("\0executor", 9)) != std::string::npos;
}
}  // namespace

bool ProcessRuntime::restore(const nlohmann::json& j, std::string& error) try {
  std::map<std::string, Executor> restored;
  for (const auto& e : j.value("executors", nlohmann::json::array())) {
    Executor executor;
    executor.agent_id = e.value("agent_id", "");
    executor.framework_id = e.value("framework_id", "");
    executor.executor_id = e.value("executor_id", "");
    // An integer that fits a pid (-1: none). A float or a larger number would be converted
    // past its range (undefined): damage, as a value of the wrong type is.
    if (const auto pid = e.find("pid"); pid != e.end()) {
      if (!pid->is_number_integer() || pid->get<std::int64_t>() < -1 ||
          pid->get<std::int64_t>() > std::numeric_limits<pid_t>::max()) {
        error = "the executors' checkpoint is damaged: pid " + pid->dump() + " is not a process id";
        return false;
      }
      executor.pid = static_cast<pid_t>(pid->get<std::int64_t>());
    }
    executor.sandbox = e.value("sandbox", "");
    executor.framework_user = e.value("framework_user", "");
    executor.launches = e.value("launches", std::vector<std::string>{});
    executor.pending = e.value("pending", std::vector<std::string>{});
    executor.shutdown_requested = e.value("shutdown_requested", false);
    if (!is_executor(executor.pid)) executor.pid = -1;  // reported as exited by tick()
    if (exits_ && executor.pid > 0) exits_->watch(executor.pid);
    restored[key(executor.agent_id, executor.framework_id, executor.executor_id)] =
        std::move(executor);
  }
  executors_ = std::move(restored);
  return true;
} catch (const nlohmann::json::exception& e) {
  error = std::string("the executors' checkpoint is damaged: ") + e.what();
  return false;
}

std::vector<pid_t> ProcessRuntime::sessions() const {
  std::vector<pid_t> out;
  for (const auto& [k, executor] : executors_)
    if (executor.pid > 0) out.push_back(executor.pid);
  return out;
}

}  // namespace steward::cluster
