#include "common/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace steward {
namespace {

TEST(ProcessStat, ReadsStateSessionAndThreadsOfALiveProcess) {
  auto st = process_stat(getpid());
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->exited());
  EXPECT_EQ(st->session, getsid(0));
  EXPECT_GE(st->threads, 1);
  EXPECT_FALSE(process_stat(0));
  EXPECT_FALSE(process_stat(-1));
}

// A command name with spaces and parentheses does not shift the fields; a zombie counts as
// exited, and its session as empty.
TEST(ProcessStat, SeesAZombieWhateverItsName) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setsid();
    prctl(PR_SET_NAME, "a) b (c", 0, 0, 0);
    char c = 1;
    (void)!write(ready[1], &c, 1);
    for (;;)
      pause();
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  auto st = process_stat(child);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->exited());
  EXPECT_EQ(st->session, child);
  EXPECT_EQ(session_sizes({child})[child], 1u);

  ASSERT_EQ(kill(child, SIGKILL), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    st = process_stat(child);
    if (st && st->exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(st && st->exited()) << "not reaped yet, so a zombie";
  EXPECT_EQ(session_sizes({child})[child], 0u);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
}

// A folder of its own per test, removed after it.
class SpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "steward-spawn-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string read(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The exit code of a child that ran to its end.
  static int wait_exit(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }
  // Runs a program (no shell) with its stdout into `out`, to its end; its exit code.
  int run(std::vector<std::string> argv, const std::string& out, ProcessSpec spec = {}) {
    spec.shell = false;
    spec.arguments = std::move(argv);
    spec.stdout_path = out;
    std::string error;
    auto pid = spawn(spec, error);
    if (!pid) {
      ADD_FAILURE() << error;
      return -1;
    }
    return wait_exit(*pid);
  }

  std::string dir_;
};

TEST_F(SpawnTest, RunsTheCommandInItsDirectoryWithItsEnvironmentAndOutputs) {
  std::ofstream(path("out")) << "before\n";  // appended to, not replaced
  ProcessSpec spec;
  spec.command = "echo \"$GREETING\"; pwd; echo oops >&2; exit 3";
  spec.environment = {{"GREETING", "hello there"}};
  spec.working_directory = dir_;
  spec.stdout_path = path("out");
  spec.stderr_path = path("err");
  std::string error;
  auto pid = spawn(spec, error);
  ASSERT_TRUE(pid) << error;
  EXPECT_EQ(wait_exit(*pid), 3);
  EXPECT_EQ(read(path("out")),
            "before\nhello there\n" + std::filesystem::canonical(dir_).string() + "\n");
  EXPECT_EQ(read(path("err")), "oops\n");
}

TEST_F(SpawnTest, SaysWhyAChildCouldNotStart) {
  struct Case {
    ProcessSpec spec;
    std::string error;
  };
  std::vector<Case> cases;
  ProcessSpec nothing;
  nothing.shell = false;
  cases.push_back({nothing, "no command to run"});
  ProcessSpec missing;
  missing.shell = false;
  missing.arguments = {"/no/such/program"};
  cases.push_back({missing, "cannot run /no/such/program: No such file or directory"});
  ProcessSpec nowhere;
  nowhere.command = "true";
  nowhere.working_directory = path("not-there");
  cases.push_back({nowhere, "chdir: No such file or directory"});
  ProcessSpec no_output;
  no_output.command = "true";
  no_output.stdout_path = path("not-there/out");
  cases.push_back({no_output, "open output: No such file or directory"});
  // The outputs are opened as root before the child switches users, in a folder its user
  // may own: not through a link, nor waiting on a FIFO.
  std::ofstream(path("elsewhere")) << "kept\n";
  std::filesystem::create_symlink(path("elsewhere"), path("link"));
  ProcessSpec linked;
  linked.command = "echo written";
  linked.stdout_path = path("link");
  cases.push_back({linked, "open output: Too many levels of symbolic links"});
  mkfifo(path("fifo").c_str(), 0644);
  ProcessSpec fifo;
  fifo.command = "true";
  fifo.stderr_path = path("fifo");
  cases.push_back({fifo, "open output: No such device or address"});
  ProcessSpec bad_limit;
  bad_limit.command = "true";
  bad_limit.limits = {{RLIMIT_NOFILE, 64, 32}};  // soft above hard
  cases.push_back({bad_limit, "setrlimit: Invalid argument"});
  ProcessSpec stranger;
  stranger.command = "true";
  stranger.user = "no-such-user-here";
  if (geteuid() == 0)
    cases.push_back({stranger, "user \"no-such-user-here\" does not exist on this host"});
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(spawn(c.spec, error)) << c.error;
    EXPECT_EQ(error, c.error);
  }
  EXPECT_EQ(read(path("elsewhere")), "kept\n");
}

// A program named without a path is looked up in PATH (the spawning process's, as execvp
// does); the child leads a session of its own when asked, under the limits it was given.
TEST_F(SpawnTest, FindsAProgramInPathAndSetsSessionAndLimits) {
  ProcessSpec spec;
  spec.shell = false;
  spec.arguments = {"sleep", "30"};
  spec.new_session = true;
  spec.limits = {{RLIMIT_NOFILE, 64, 128}};
  std::string error;
  auto pid = spawn(spec, error);
  ASSERT_TRUE(pid) << error;
  // spawn() returns once the child has exec'd, so what /proc shows is the program's.
  auto st = process_stat(*pid);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->session, *pid);
  const std::string limits = read("/proc/" + std::to_string(*pid) + "/limits");
  EXPECT_NE(limits.find("Max open files            64                   128"), std::string::npos)
      << limits;
  kill(*pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(waitpid(*pid, &status, 0), *pid);
}

// A task starts with no signal blocked or caught and with the default SIGPIPE, whatever its
// parent had; none of the parent's descriptors reach it.
TEST_F(SpawnTest, TheChildStartsWithCleanSignalsAndDescriptors) {
  struct sigaction usr1 {};
  usr1.sa_handler = [](int) {};
  struct sigaction old_usr1 {};
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe {};
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  sigset_t old_mask;
  const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int stray = fcntl(null, F_DUPFD, 40);  // no FD_CLOEXEC
  // Everything set up is undone below whatever failed, for the tests after this one.
  const bool set_up = sigaction(SIGUSR1, &usr1, &old_usr1) == 0 &&
                      sigaction(SIGPIPE, &ignore, &old_pipe) == 0 &&
                      pthread_sigmask(SIG_BLOCK, &usr2, &old_mask) == 0 && stray >= 40;
  if (set_up) {
    EXPECT_EQ(run({"/bin/cat", "/proc/self/status"}, path("status")), 0);
    EXPECT_EQ(run({"/bin/ls", "/proc/self/fd"}, path("fds")), 0);
  }
  if (stray >= 0) close(stray);
  if (null >= 0) close(null);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  sigaction(SIGUSR1, &old_usr1, nullptr);
  ASSERT_TRUE(set_up);

  const std::string status = read(path("status"));
  auto field = [&](const std::string& name) {
    const auto at = status.find("\n" + name + ":\t");
    return at == std::string::npos ? std::string("?") : status.substr(at + name.size() + 3, 16);
  };
  EXPECT_EQ(field("SigBlk"), "0000000000000000");
  EXPECT_EQ(field("SigCgt"), "0000000000000000");
  const unsigned long long ignored = std::strtoull(field("SigIgn").c_str(), nullptr, 16);
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0u) << field("SigIgn");
  std::istringstream fds(read(path("fds")));
  std::string fd;
  while (fds >> fd)
    EXPECT_LT(std::atoi(fd.c_str()), 4) << "descriptor " << fd << " reached the child";
}

// A program found through PATH that is a script without #! runs through /bin/sh, and the C
// library copies every argument onto the child's stack to do it: the stack is sized for
// them (a fixed 256 KB one overflowed into the parent's memory at 32,000 arguments).
TEST_F(SpawnTest, ManyArgumentsToAScriptWithoutInterpreterLineFitTheChildsStack) {
  std::ofstream(path("count-args")) << "echo $#\n";
  ASSERT_EQ(chmod(path("count-args").c_str(), 0755), 0);
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  setenv("PATH", (dir_ + ":" + saved).c_str(), 1);
  std::vector<std::string> argv(100000, "x");
  argv[0] = "count-args";
  const int code = run(argv, path("out"));
  if (old_path != nullptr)
    setenv("PATH", saved.c_str(), 1);
  else
    unsetenv("PATH");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(read(path("out")), "99999\n");
}

TEST_F(SpawnTest, RunsAsTheUserItWasGiven) {
  if (geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  struct passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody here";
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  ProcessSpec spec;
  spec.user = "nobody";
  // Readable by nobody: the file is opened by the child before it switches.
  EXPECT_EQ(run({"/usr/bin/id"}, path("id"), spec), 0);
  const std::string id = read(path("id"));
  EXPECT_NE(id.find("uid=" + std::to_string(uid) + "("), std::string::npos) << id;
  EXPECT_NE(id.find("gid=" + std::to_string(gid) + "("), std::string::npos) << id;
  // No supplementary group of root's is kept: the groups are the user's own group only.
  EXPECT_NE(id.find("groups=" + std::to_string(gid) + "("), std::string::npos) << id;
  EXPECT_EQ(id.find(','), std::string::npos) << id;
}

// The child runs in the parent's memory until it execs instead of in a copy of it. With a
// copy (fork), every page the parent wrote afterwards faulted once, copy-on-write: 0.1-0.4 s
// per start for a daemon of tens of megabytes on a machine where a fault costs 11 us.
TEST_F(SpawnTest, LeavesTheParentsPagesWritable) {
  constexpr std::size_t kPages = 2048;
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t size = kPages * page;
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  madvise(mem, size, MADV_NOHUGEPAGE);  // one fault per page, whatever the machine's THP
  auto* bytes = static_cast<volatile char*>(mem);
  for (std::size_t i = 0; i < size; i += page)
    bytes[i] = 1;
  EXPECT_EQ(run({"/bin/true"}, ""), 0);
  struct rusage before {};
  getrusage(RUSAGE_THREAD, &before);
  for (std::size_t i = 0; i < size; i += page)
    bytes[i] = 2;
  struct rusage after {};
  getrusage(RUSAGE_THREAD, &after);
  munmap(mem, size);
  EXPECT_LT(after.ru_minflt - before.ru_minflt, static_cast<long>(kPages / 4));
}

}  // namespace
}  // namespace steward
