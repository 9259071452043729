#include "common/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace steward {

std::vector<std::pair<std::string, std::string>> current_environment() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    out.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return out;
}

void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& key,
             const std::string& value) {
  for (auto& [k, v] : env)
    if (k == key) {
      v = value;
      return;
    }
  env.emplace_back(key, value);
}

void signal_group(pid_t pid, int signal) {
  if (pid <= 0) return;
  if (::kill(-pid, signal) != 0) ::kill(pid, signal);
}

std::optional<ProcessStat> process_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses, so the
  // fields are read after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;  // from the state (field 3) to num_threads (field 20)
  for (std::string f; fields.size() < 18 && rest >> f;)
    fields.push_back(f);
  if (fields.size() < 18) return std::nullopt;
  ProcessStat st;
  st.state = fields[0];
  st.session = static_cast<pid_t>(std::atol(fields[3].c_str()));
  st.threads = std::atol(fields[17].c_str());
  return st;
}

namespace {
// Calls fn(pid, stat) for every process whose session `want` accepts.
template <typename Want, typename Fn>
void for_each_process(Want want, Fn fn) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    auto st = process_stat(pid);
    if (st && want(st->session)) fn(pid, *st);
  }
}
}  // namespace

void signal_session(pid_t sid, int signal) {
  if (sid <= 0) return;
  for_each_process([sid](pid_t s) { return s == sid; },
                   [signal](pid_t pid, const ProcessStat&) { ::kill(pid, signal); });
}

std::map<pid_t, std::size_t> session_sizes(const std::set<pid_t>& sids) {
  std::map<pid_t, std::size_t> sizes;
  for (pid_t sid : sids)
    sizes[sid] = 0;
  for_each_process([&](pid_t s) { return s > 0 && sids.count(s) > 0; },
                   [&](pid_t, const ProcessStat& st) {
                     if (!st.exited()) ++sizes[st.session];
                   });
  return sizes;
}

std::optional<pid_t> spawn(const ProcessSpec& spec, std::string& error) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe
  // calls are allowed.
  std::vector<std::string> argv_strings;
  if (spec.shell) {
    argv_strings = {"/bin/sh", "-c", spec.command};
  } else {
    argv_strings = spec.arguments;
    if (argv_strings.empty()) argv_strings.push_back(spec.command);
  }
  if (argv_strings.empty() || argv_strings[0].empty()) {
    error = "no command to run";
    return std::nullopt;
  }
  std::vector<char*> argv;
  for (std::string& a : argv_strings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.environment)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  uid_t uid = 0;
  gid_t gid = 0;
  bool switch_user = false;
  if (!spec.user.empty() && geteuid() == 0) {
    struct passwd* pw = getpwnam(spec.user.c_str());
    if (pw == nullptr) {
      error = "user \"" + spec.user + "\" does not exist on this host";
      return std::nullopt;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    switch_user = uid != 0;
  }
  const std::string out_path = spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path;
  const std::string err_path = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path;

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    close(report[0]);
    close(report[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    auto fail = [&](const char* what) {
      int code = errno;
      ssize_t w1 = write(report[1], &code, sizeof code);
      ssize_t w2 = write(report[1], what, std::strlen(what));
      (void)w1;
      (void)w2;
      _exit(127);
    };
    if (spec.new_session) {
      if (setsid() < 0) fail("setsid");
    } else if (setpgid(0, 0) != 0) {
      fail("setpgid");
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) fail("open output");
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (!spec.working_directory.empty() && chdir(spec.working_directory.c_str()) != 0)
      fail("chdir");
    for (const ProcessSpec::Limit& l : spec.limits) {
      struct rlimit value {};
      value.rlim_cur = static_cast<rlim_t>(l.soft);
      value.rlim_max = static_cast<rlim_t>(l.hard);
      if (setrlimit(static_cast<__rlimit_resource_t>(l.resource), &value) != 0) fail("setrlimit");
    }
    if (switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) fail("setuid");
    }
    // Descriptors the daemon or executor held (sockets, logs) stay out of the task.
    const unsigned keep = static_cast<unsigned>(report[1]);
    if (keep > 3) close_range(3, keep - 1, 0);
    close_range(keep + 1, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    if (errno == ENOENT && !spec.shell) execvpe(argv[0], argv.data(), envp.data());
    fail("exec");
  }
  close(report[1]);
  int code = 0;
  char what[64] = {0};
  ssize_t n = 0;
  do {
    n = read(report[0], &code, sizeof code);
  } while (n < 0 && errno == EINTR);
  ssize_t m = n == sizeof code ? read(report[0], what, sizeof what - 1) : 0;
  close(report[0]);
  if (n == sizeof code) {
    waitpid(pid, nullptr, 0);
    error = std::string(what, m > 0 ? static_cast<std::size_t>(m) : 0) + ": " + std::strerror(code);
    if (std::string(what, m > 0 ? static_cast<std::size_t>(m) : 0) == "exec")
      error = "cannot run " + argv_strings[0] + ": " + std::strerror(code);
    return std::nullopt;
  }
  return pid;
}

}  // namespace steward
