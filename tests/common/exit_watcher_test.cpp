#include "common/exit_watcher.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace steward {
namespace {

bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done();
}

// A child that waits until it is killed; killed and reaped at the end of the test whatever
// happens.
class IdleChild {
 public:
  IdleChild() : pid_(fork()) {
    if (pid_ == 0) {
      for (;;)
        pause();
    }
  }
  ~IdleChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap();
  }
  IdleChild(const IdleChild&) = delete;
  IdleChild& operator=(const IdleChild&) = delete;
  pid_t pid() const { return pid_; }
  bool kill() const { return pid_ > 0 && ::kill(pid_, SIGKILL) == 0; }
  bool reap() {
    int status = 0;
    const bool reaped = pid_ > 0 && waitpid(pid_, &status, 0) == pid_;
    pid_ = -1;
    return reaped;
  }

 private:
  pid_t pid_;
};

TEST(ExitWatcher, ReportsEachWatchedProcessOnceWhenItExits) {
  if (!ExitWatcher::supported()) GTEST_SKIP() << "no pidfds here";
  std::atomic<int> exits{0};
  ExitWatcher watcher([&] { ++exits; });
  IdleChild a, b;
  ASSERT_GT(a.pid(), 0);
  ASSERT_GT(b.pid(), 0);
  ASSERT_TRUE(watcher.watch(a.pid()));
  ASSERT_TRUE(watcher.watch(b.pid()));
  EXPECT_EQ(exits, 0) << "both children wait to be killed";

  ASSERT_TRUE(a.kill());
  ASSERT_TRUE(eventually([&] { return exits == 1; }));
  // Reaping is the owner's business: the report comes before it, and only once however long
  // the process stays a zombie or after it is reaped.
  ASSERT_TRUE(a.reap());
  ASSERT_TRUE(b.kill());
  ASSERT_TRUE(eventually([&] { return exits == 2; }));
  ASSERT_TRUE(b.reap());
  EXPECT_EQ(exits, 2);
}

TEST(ExitWatcher, RefusesWhatItCannotWatchAndStopsWithProcessesStillRunning) {
  if (!ExitWatcher::supported()) GTEST_SKIP() << "no pidfds here";
  IdleChild child;
  ASSERT_GT(child.pid(), 0);
  {
    std::atomic<int> exits{0};
    ExitWatcher watcher([&] { ++exits; });
    EXPECT_FALSE(watcher.watch(0));
    EXPECT_FALSE(watcher.watch(-1));
    ASSERT_TRUE(watcher.watch(child.pid()));
  }  // the destructor returns while the child still runs
  ASSERT_TRUE(child.kill());
  EXPECT_TRUE(child.reap());
}

}  // namespace
}  // namespace steward
