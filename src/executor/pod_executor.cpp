#include "executor/pod_executor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/process.hpp"
#include "common/uuid.hpp"
#include "executor/check_probe.hpp"
#include "executor/config_templates.hpp"
#include "executor/uri_fetcher.hpp"

namespace steward::executor {

using mesos::TaskState;
namespace fs = std::filesystem;

namespace {

// What `dir` holds, each folder's contents before the folder, to uid:gid: links themselves,
// never what they lead to (a volume's link leads to the task's volume, given separately).
void give_contents(int dir, uid_t uid, gid_t gid, int depth) {
  const int listed = fcntl(dir, F_DUPFD_CLOEXEC, 0);
  DIR* entries = listed < 0 ? nullptr : fdopendir(listed);
  if (entries == nullptr) {
    if (listed >= 0) close(listed);
    return;
  }
  while (const dirent* e = readdir(entries)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < 64) {
      const int sub = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        give_contents(sub, uid, gid, depth + 1);
        close(sub);
      }
    }
    if (fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) { /* best effort */
    }
  }
  closedir(entries);
}

// Everything in a fresh sandbox (the task's fetched files, extracted archives) and then the
// sandbox itself to the task's user, as Mesos makes them. Walked by descriptor, and each
// folder given only once what it holds is: until the sandbox is the user's, nothing in it can
// be swapped for a link that would lead the walk elsewhere. Best effort.
void give_to(const std::string& sandbox, uid_t uid, gid_t gid) {
  const int root = open(sandbox.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) return;
  give_contents(root, uid, gid, 0);
  if (fchown(root, uid, gid) != 0) { /* best effort */
  }
  close(root);
}

std::string uuid_base64() {
  UuidBytes u = random_uuid();
  return base64_encode(std::string_view(reinterpret_cast<const char*>(u.data()), u.size()));
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "Command exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("Command terminated with signal ") +
           (name ? std::string("SIG") + name : std::to_string(WTERMSIG(status)));
  }
  return "Command ended";
}

int rlimit_resource(const std::string& type) {
  static const std::pair<const char*, int> kMap[] = {{"RLMT_AS", RLIMIT_AS},
                                                     {"RLMT_CORE", RLIMIT_CORE},
                                                     {"RLMT_CPU", RLIMIT_CPU},
                                                     {"RLMT_DATA", RLIMIT_DATA},
                                                     {"RLMT_FSIZE", RLIMIT_FSIZE},
                                                     {"RLMT_LOCKS", RLIMIT_LOCKS},
                                                     {"RLMT_MEMLOCK", RLIMIT_MEMLOCK},
                                                     {"RLMT_MSGQUEUE", RLIMIT_MSGQUEUE},
                                                     {"RLMT_NICE", RLIMIT_NICE},
                                                     {"RLMT_NOFILE", RLIMIT_NOFILE},
                                                     {"RLMT_NPROC", RLIMIT_NPROC},
                                                     {"RLMT_RSS", RLIMIT_RSS},
                                                     {"RLMT_RTPRIO", RLIMIT_RTPRIO},
                                                     {"RLMT_RTTIME", RLIMIT_RTTIME},
                                                     {"RLMT_SIGPENDING", RLIMIT_SIGPENDING},
                                                     {"RLMT_STACK", RLIMIT_STACK}};
  for (const auto& [name, value] : kMap)
    if (type == name) return value;
  return -1;
}

// Links a volume into a sandbox at its container path (parents created as needed).
bool link_volume(const std::string& sandbox, const mesos::VolumeMount& v, std::string& error) {
  fs::path link = fs::path(sandbox) / v.container_path;
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (fs::is_symlink(link, ec)) fs::remove(link, ec);
  fs::create_directory_symlink(v.host_path, link, ec);
  if (ec) {
    error = "cannot link volume " + v.container_path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace

PodExecutor::PodExecutor(ExecutorOptions options, Sender send)
    : options_(std::move(options)), send_(std::move(send)) {}

void PodExecutor::send_check(Task& task, std::optional<int> exit_code,
                             std::optional<int> http_status, std::optional<bool> tcp_succeeded) {
  send(task, TaskState::running, "", "REASON_TASK_CHECK_STATUS_UPDATED");
  mesos::TaskStatus& s = unacked_.back();
  s.check_exit_code = exit_code;
  s.check_http_status = http_status;
  s.check_succeeded = tcp_succeeded;
  if (http_status) s.check_succeeded = *http_status >= 200 && *http_status < 400;
  send_(s);
}

void PodExecutor::send(Task& task, TaskState state, std::string message, std::string reason,
                       std::optional<bool> healthy) {
  mesos::TaskStatus s;
  s.task_id = task.info.task_id;
  s.state = state;
  s.message = std::move(message);
  s.reason = std::move(reason);
  s.source = mesos::TaskStatus::Source::executor;
  s.agent_id = options_.agent_id;
  s.executor_id = options_.executor_id;
  s.timestamp =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  s.uuid = uuid_base64();
  s.healthy = healthy;
  s.ip_addresses = {"127.0.0.1"};
  task.state = state;
  unacked_.push_back(s);
  // send_check() fills in the result before sending.
  if (s.reason != "REASON_TASK_CHECK_STATUS_UPDATED") send_(s);
}

void PodExecutor::launch_group(const std::vector<mesos::TaskInfo>& infos,
                               const std::vector<mesos::VolumeMount>& volumes, double now) {
  launched_ = true;
  const std::uint64_t group = ++groups_;
  std::vector<std::string> ids;
  for (const mesos::TaskInfo& info : infos) {
    if (tasks_.count(info.task_id)) continue;  // a launch already received (resubscription)
    Task task;
    task.info = info;
    task.group = group;
    tasks_[info.task_id] = std::move(task);
    ids.push_back(info.task_id);
  }
  for (const std::string& id : ids)
    send(tasks_[id], TaskState::starting, "");
  if (shutting_down_) {
    for (const std::string& id : ids) {
      Task& task = tasks_[id];
      send(task, TaskState::killed, "Executor is shutting down", "REASON_EXECUTOR_TERMINATED");
    }
    return;
  }
  bool failed = false;
  for (const std::string& id : ids) {
    Task& task = tasks_[id];
    std::string error;
    if (!start_task(task, volumes, error)) {
      send(task, TaskState::failed, error, "REASON_CONTAINER_LAUNCH_FAILED");
      failed = true;
      continue;
    }
    task.started = now;
  }
  for (const std::string& id : ids) {
    Task& task = tasks_[id];
    if (task.pid > 0) send(task, TaskState::running, "");
    if (task.health) task.health->next = now + task.health->spec.delay_seconds;
    if (task.readiness) task.readiness->next = now + task.readiness->spec.delay_seconds;
  }
  if (failed) {
    // The group is all or nothing: a task that could not start takes its siblings down.
    for (const std::string& id : ids)
      if (tasks_[id].pid > 0) begin_kill(tasks_[id], options_.default_grace_seconds, now);
  }
}

bool PodExecutor::start_task(Task& task, const std::vector<mesos::VolumeMount>& volumes,
                             std::string& error) {
  const mesos::TaskInfo& info = task.info;
  if (!info.command) {
    error = "task has no command";
    return false;
  }
  task.sandbox = (fs::path(options_.sandbox) / "tasks" / info.task_id).string();
  std::error_code ec;
  fs::create_directories(task.sandbox, ec);
  if (ec) {
    error = "cannot create the task sandbox: " + ec.message();
    return false;
  }
  for (const mesos::VolumeMount& v : volumes)
    if (!link_volume(task.sandbox, v, error)) return false;
  for (const auto& uri : info.command->uris) {
    const std::string folder = fetch_folder(task.sandbox, uri.value, info.command->environment);
    fs::create_directories(folder, ec);
    if (!fetch_uri(uri, folder, error)) return false;
  }

  task.user = !info.command->user.empty() ? info.command->user : options_.framework_user;
  auto env = options_.environment;
  set_env(env, "MESOS_SANDBOX", task.sandbox);
  set_env(env, "MESOS_TASK_ID", info.task_id);
  set_env(env, "MESOS_FRAMEWORK_ID", options_.framework_id);
  set_env(env, "MESOS_EXECUTOR_ID", options_.executor_id);
  set_env(env, "MESOS_AGENT_ID", options_.agent_id);
  set_env(env, "MESOS_SLAVE_ID", options_.agent_id);
  set_env(env, "MESOS_CONTAINER_IP", "127.0.0.1");
  set_env(env, "HOST", "127.0.0.1");
  for (const auto& [k, v] : info.command->environment)
    set_env(env, k, v);
  task.environment = env;
  // The templates are read while the sandbox is still the executor's alone.
  std::vector<RenderedConfig> configs;
  if (!render_config_templates(task.sandbox, env, configs, error)) return false;
  std::optional<FileOwner> owner;
  if (!task.user.empty() && geteuid() == 0) {
    // The sandbox, what was fetched into it and (still empty) volumes belong to the task's
    // user, as Mesos makes them: a config's dest may be inside an extracted archive.
    if (struct passwd* pw = getpwnam(task.user.c_str())) {
      owner = FileOwner{pw->pw_uid, pw->pw_gid};
      give_to(task.sandbox, pw->pw_uid, pw->pw_gid);
      for (const mesos::VolumeMount& v : volumes)
        if (fs::is_empty(v.host_path, ec) &&
            chown(v.host_path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        }
    } else if (!configs.empty()) {
      error = "config templates: no user " + task.user + " on this machine to write them as";
      return false;
    }
  }
  // Written as the task's user: what it writes, and where, the task could have written.
  std::vector<std::string> written;
  if (!write_config_templates(task.sandbox, configs, owner, written, error)) return false;

  ProcessSpec spec;
  spec.shell = info.command->shell;
  spec.command = info.command->value;
  spec.arguments = info.command->arguments;
  if (!spec.shell && spec.arguments.empty()) spec.arguments = {info.command->value};
  if (!spec.shell && !spec.arguments.empty() && !info.command->value.empty())
    spec.arguments[0] = info.command->value;
  spec.environment = env;
  spec.working_directory = task.sandbox;
  spec.stdout_path = task.sandbox + "/stdout";
  spec.stderr_path = task.sandbox + "/stderr";
  spec.user = geteuid() == 0 ? task.user : "";
  for (const mesos::RLimit& r : info.rlimits) {
    int resource = rlimit_resource(r.type);
    if (resource < 0) continue;  // the decoder only lets known types through
    spec.limits.push_back(
        {resource, r.soft.value_or(RLIM_INFINITY), r.hard.value_or(RLIM_INFINITY)});
  }
  auto pid = spawn(spec, error);
  if (!pid) return false;
  task.pid = *pid;
  if (options_.started) options_.started(*pid);
  if (info.health_check) {
    task.health.emplace();
    task.health->spec = *info.health_check;
    task.health->health = true;
  }
  if (info.check) {
    task.readiness.emplace();
    task.readiness->spec = *info.check;
  }
  return true;
}

void PodExecutor::begin_kill(Task& task, double grace_seconds, double now) {
  if (task.pid <= 0 || task.kill_requested) return;
  task.kill_requested = true;
  task.kill_deadline = now + grace_seconds;
  signal_group(task.pid, SIGTERM);
}

void PodExecutor::kill_group_of(const Task& task, double now) {
  if (shutting_down_) return;
  for (auto& [id, other] : tasks_)
    if (other.group == task.group && other.pid > 0 && !other.kill_requested)
      begin_kill(other, options_.default_grace_seconds, now);
}

void PodExecutor::kill(const std::string& task_id, std::optional<std::int64_t> grace_ns,
                       double now) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  double grace = options_.default_grace_seconds;
  if (grace_ns)
    grace = static_cast<double>(*grace_ns) / 1e9;
  else if (it->second.info.kill_grace_period_ns)
    grace = static_cast<double>(*it->second.info.kill_grace_period_ns) / 1e9;
  // A KILL for any task of a group kills the whole group.
  const std::uint64_t group = it->second.group;
  for (auto& [id, task] : tasks_)
    if (task.group == group) begin_kill(task, grace, now);
}

void PodExecutor::shutdown(double now) {
  shutting_down_ = true;
  launched_ = true;
  for (auto& [id, task] : tasks_) {
    double grace = task.info.kill_grace_period_ns
                       ? static_cast<double>(*task.info.kill_grace_period_ns) / 1e9
                       : options_.default_grace_seconds;
    begin_kill(task, grace, now);
  }
}

void PodExecutor::acknowledged(const std::string& task_id, const std::string& uuid) {
  for (auto it = unacked_.begin(); it != unacked_.end(); ++it)
    if (it->task_id == task_id && it->uuid == uuid) {
      unacked_.erase(it);
      return;
    }
}

void PodExecutor::resend_unacknowledged() {
  for (const mesos::TaskStatus& s : unacked_)
    send_(s);
}

void PodExecutor::task_exited(Task& task, int status, double now) {
  const pid_t pid = task.pid;
  task.pid = -1;
  signal_group(pid, SIGKILL);  // whatever the task left behind in its group
  for (Checker* c :
       {task.health ? &*task.health : nullptr, task.readiness ? &*task.readiness : nullptr})
    if (c && c->pid > 0) {
      signal_group(c->pid, SIGKILL);
    }
  std::string message = describe_exit(status);
  if (task.kill_requested) {
    std::optional<bool> healthy;
    std::string reason;
    if (task.unhealthy_kill) {
      healthy = false;
      reason = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED";
      message = "Task was killed because it failed its health check";
    }
    send(task, TaskState::killed, message, reason, healthy);
    kill_group_of(task, now);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    send(task, TaskState::finished, message);
  } else {
    send(task, TaskState::failed, message);
    kill_group_of(task, now);
  }
}

void PodExecutor::check_exited(Task& task, Checker& c, int status, double now) {
  c.pid = -1;
  c.next = now + c.spec.interval_seconds;
  const bool timed_out = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  const int code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (task.pid <= 0 || task.kill_requested) return;
  std::optional<int> http_status;
  if (c.spec.type == mesos::CommandCheck::Type::http) http_status = read_http_status(c.output);
  if (!c.health) {
    if (timed_out) return;  // no result yet, as Mesos reports a timeout
    switch (c.spec.type) {
      case mesos::CommandCheck::Type::command:
        if (c.reported_exit != code) {
          c.reported_exit = code;
          send_check(task, code, std::nullopt, std::nullopt);
        }
        break;
      case mesos::CommandCheck::Type::http:
        if (http_status && c.reported_http != http_status) {
          c.reported_http = http_status;
          send_check(task, std::nullopt, http_status, std::nullopt);
        }
        break;
      case mesos::CommandCheck::Type::tcp:
        if (c.reported_tcp != (code == 0)) {
          c.reported_tcp = code == 0;
          send_check(task, std::nullopt, std::nullopt, code == 0);
        }
        break;
    }
    return;
  }
  const bool ok = !timed_out && code == 0;
  if (ok) {
    c.ever_succeeded = true;
    c.consecutive_failures = 0;
    if (c.reported_healthy != true) {
      c.reported_healthy = true;
      send(task, TaskState::running, "", "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", true);
    }
    return;
  }
  // Failures inside the grace period count only after a first success.
  if (!c.ever_succeeded && now - task.started < c.spec.grace_period_seconds) return;
  ++c.consecutive_failures;
  c.reported_healthy = false;
  send(task, TaskState::running, timed_out ? "Health check timed out" : "Health check failed",
       "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", false);
  if (c.consecutive_failures >= c.spec.consecutive_failures) {
    task.unhealthy_kill = true;
    double grace = task.info.kill_grace_period_ns
                       ? static_cast<double>(*task.info.kill_grace_period_ns) / 1e9
                       : options_.default_grace_seconds;
    begin_kill(task, grace, now);
  }
}

void PodExecutor::run_checks(Task& task, double now) {
  for (Checker* c :
       {task.health ? &*task.health : nullptr, task.readiness ? &*task.readiness : nullptr}) {
    if (!c) continue;
    if (c->pid > 0) {
      if (now - c->started > c->spec.timeout_seconds) signal_group(c->pid, SIGKILL);
      continue;
    }
    if (now < c->next) continue;
    ProcessSpec spec;
    spec.shell = c->spec.type == mesos::CommandCheck::Type::command;
    spec.command = c->spec.command;
    if (!spec.shell) {
      char timeout[32];
      std::snprintf(timeout, sizeof timeout, "%g", c->spec.timeout_seconds);
      spec.arguments = {options_.program, "check"};
      if (c->spec.type == mesos::CommandCheck::Type::http) {
        spec.arguments.insert(spec.arguments.end(),
                              {"http", std::to_string(c->spec.port), c->spec.path, timeout});
        c->output = task.sandbox + (c->health ? "/.health-check" : "/.check");
        std::error_code ec;
        fs::remove(c->output, ec);
        spec.stdout_path = c->output;
      } else {
        spec.arguments.insert(spec.arguments.end(), {"tcp", std::to_string(c->spec.port), timeout});
      }
    }
    spec.environment = task.environment;
    for (const auto& [k, v] : c->spec.environment)
      set_env(spec.environment, k, v);
    spec.working_directory = task.sandbox;
    spec.user = geteuid() == 0 ? task.user : "";
    std::string error;
    auto pid = spawn(spec, error);
    c->started = now;
    if (pid) {
      c->pid = *pid;
      if (options_.started) options_.started(*pid);
    } else {
      c->next = now + c->spec.interval_seconds;
    }
  }
}

void PodExecutor::tick(double now) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    for (auto& [id, task] : tasks_) {
      if (task.pid == pid) {
        task_exited(task, status, now);
        break;
      }
      if (task.health && task.health->pid == pid) {
        check_exited(task, *task.health, status, now);
        break;
      }
      if (task.readiness && task.readiness->pid == pid) {
        check_exited(task, *task.readiness, status, now);
        break;
      }
    }
  }
  for (auto& [id, task] : tasks_) {
    if (task.pid <= 0) continue;
    if (task.kill_requested && !task.sigkill_sent && now >= task.kill_deadline) {
      task.sigkill_sent = true;
      signal_group(task.pid, SIGKILL);
    }
    if (!task.kill_requested) run_checks(task, now);
  }
}

std::size_t PodExecutor::live_tasks() const {
  std::size_t n = 0;
  for (const auto& [id, task] : tasks_)
    if (task.pid > 0) ++n;
  return n;
}

bool PodExecutor::finished() const {
  return launched_ && live_tasks() == 0 && unacked_.empty();
}

}  // namespace steward::executor
