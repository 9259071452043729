#include "common/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
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

namespace {

// What the child does between clone and exec, all of it prepared by the parent.
struct ChildPlan {
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  bool path_search = false;  // exec through PATH when argv[0] is not found as given
  const char* out_path = nullptr;
  const char* err_path = nullptr;
  const char* working_directory = nullptr;  // null: stay
  const ProcessSpec::Limit* limits = nullptr;
  std::size_t limit_count = 0;
  bool new_session = false;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  int report = -1;  // write end of the pipe that carries errno and what failed
};

[[noreturn]] __attribute__((no_sanitize("address", "undefined"))) void child_fail(
    const ChildPlan& plan, const char* what) {
  const int code = errno;
  ssize_t w1 = write(plan.report, &code, sizeof code);
  ssize_t w2 = write(plan.report, what, std::strlen(what));
  (void)w1;
  (void)w2;
  syscall(SYS_exit_group, 127);
  __builtin_unreachable();
}

// An output of the child, opened as root before it switches users, in a folder its user may
// own: never through a link, never blocked on a FIFO, only a file or a device (/dev/null).
// -1 with errno otherwise.
__attribute__((no_sanitize("address", "undefined"))) int open_output(const char* path) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0) return -1;
  struct stat st {};
  int error = 0;
  if (fstat(fd, &st) != 0)
    error = errno;
  else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
    error = EINVAL;
  else if (fcntl(fd, F_SETFL, O_APPEND) != 0)  // blocking again
    error = errno;
  if (error == 0) return fd;
  close(fd);
  errno = error;
  return -1;
}

// Signals as the kernel takes them: glibc's sigaction() and sigprocmask() refuse or skip
// the two signals it keeps for itself (32 and 33), whose handlers would act on the parent's
// threads from the child.
struct KernelSigaction {
  void (*handler)(int) = SIG_DFL;
  unsigned long flags = 0;
  void (*restorer)() = nullptr;
  std::uint64_t mask = 0;
};
constexpr int kKernelSignals = 64;
constexpr std::size_t kKernelSigsetBytes = sizeof(std::uint64_t);

void set_signal_mask(std::uint64_t mask, std::uint64_t* old) {
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, old, kKernelSigsetBytes);
}

// The child runs in the parent's memory (CLONE_VM) until it execs, with the calling thread
// of the parent suspended: copying the parent's page tables for fork, and the copy-on-write
// faults every page the parent then writes costs after it, took 0.1-0.4 s per start in a
// daemon of tens of megabytes on a machine where a fault costs 11 us. So it allocates
// nothing, writes nothing of the parent's but errno, never returns, and lets no handler of
// the parent's run (every signal is blocked until the handlers are reset). Credentials are
// changed by raw system calls: glibc's setuid() would signal the parent's threads to follow.
// Not instrumented: a sanitizer's bookkeeping for this stack would outlive the child.
__attribute__((no_sanitize("address", "undefined"))) int child_main(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  for (int s = 1; s <= kKernelSignals; ++s) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    KernelSigaction old;
    if (syscall(SYS_rt_sigaction, s, nullptr, &old, kKernelSigsetBytes) != 0) continue;
    const bool caught = old.handler != SIG_DFL && old.handler != SIG_IGN;
    if (caught || s == SIGPIPE) {  // a task gets the default SIGPIPE whatever its parent had
      const KernelSigaction dfl;
      syscall(SYS_rt_sigaction, s, &dfl, nullptr, kKernelSigsetBytes);
    }
  }
  if (plan.new_session) {
    if (setsid() < 0) child_fail(plan, "setsid");
  } else if (setpgid(0, 0) != 0) {
    child_fail(plan, "setpgid");
  }
  set_signal_mask(0, nullptr);
  const int in = open("/dev/null", O_RDONLY);
  const int out = open_output(plan.out_path);
  const int err = open_output(plan.err_path);
  if (in < 0 || out < 0 || err < 0) child_fail(plan, "open output");
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (plan.working_directory != nullptr && chdir(plan.working_directory) != 0)
    child_fail(plan, "chdir");
  for (std::size_t i = 0; i < plan.limit_count; ++i) {
    const ProcessSpec::Limit& l = plan.limits[i];
    struct rlimit value {};
    value.rlim_cur = static_cast<rlim_t>(l.soft);
    value.rlim_max = static_cast<rlim_t>(l.hard);
    if (setrlimit(static_cast<__rlimit_resource_t>(l.resource), &value) != 0)
      child_fail(plan, "setrlimit");
  }
  if (plan.switch_user) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setgid, plan.gid) != 0 ||
        syscall(SYS_setuid, plan.uid) != 0)
      child_fail(plan, "setuid");
  }
  // Descriptors the daemon or executor held (sockets, logs) stay out of the task.
  const unsigned keep = static_cast<unsigned>(plan.report);
  if (keep > 3) close_range(3, keep - 1, 0);
  close_range(keep + 1, ~0U, 0);
  execve(plan.argv[0], plan.argv, plan.envp);
  if (errno == ENOENT && plan.path_search) execvpe(plan.argv[0], plan.argv, plan.envp);
  child_fail(plan, "exec");
}

// The child's stack, one per start, with a guard page below it. execvpe() copies the
// arguments onto it when it runs a script without #! through /bin/sh, and builds each
// candidate path there: it grows with both.
class ChildStack {
 public:
  explicit ChildStack(std::size_t arguments) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const char* path = std::getenv("PATH");
    std::size_t bytes = 256 * 1024 + (arguments + 2) * sizeof(char*) +
                        (path != nullptr ? std::strlen(path) : 0) + PATH_MAX;
    bytes = (bytes + page - 1) / page * page;
    size_ = bytes + page;
    void* base = mmap(nullptr, size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return;
    base_ = static_cast<char*>(base);
    if (mprotect(base_ + page, bytes, PROT_READ | PROT_WRITE) != 0) {
      munmap(base_, size_);
      base_ = nullptr;
    }
  }
  ~ChildStack() {
    if (base_ != nullptr) munmap(base_, size_);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  char* top() const { return base_ == nullptr ? nullptr : base_ + size_; }

 private:
  char* base_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

std::optional<pid_t> spawn(const ProcessSpec& spec, std::string& error) {
  // Everything the child needs is prepared here: it must not allocate.
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

  ChildPlan plan;
  if (!spec.user.empty() && geteuid() == 0) {
    struct passwd* pw = getpwnam(spec.user.c_str());
    if (pw == nullptr) {
      error = "user \"" + spec.user + "\" does not exist on this host";
      return std::nullopt;
    }
    plan.uid = pw->pw_uid;
    plan.gid = pw->pw_gid;
    plan.switch_user = plan.uid != 0;
  }
  const std::string out_path = spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path;
  const std::string err_path = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path;
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.path_search = !spec.shell;
  plan.out_path = out_path.c_str();
  plan.err_path = err_path.c_str();
  plan.working_directory =
      spec.working_directory.empty() ? nullptr : spec.working_directory.c_str();
  plan.limits = spec.limits.data();
  plan.limit_count = spec.limits.size();
  plan.new_session = spec.new_session;

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  plan.report = report[1];
  pid_t pid = -1;
  int clone_errno = 0;
  const char* failed = "clone";
  {
    const ChildStack stack(argv.size());
    if (stack.top() == nullptr) {
      clone_errno = errno;
      failed = "a stack for the child";
    } else {
      std::uint64_t old = 0;
      set_signal_mask(~std::uint64_t{0}, &old);
      // Returns once the child has exec'd or exited (CLONE_VFORK), so its stack can go.
      pid = clone(child_main, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
      clone_errno = errno;
      set_signal_mask(old, nullptr);
    }
  }
  close(report[1]);
  if (pid < 0) {
    error = std::string(failed) + ": " + std::strerror(clone_errno);
    close(report[0]);
    return std::nullopt;
  }
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
