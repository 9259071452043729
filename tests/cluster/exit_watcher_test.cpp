#include "cluster/exit_watcher.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace steward::cluster {
namespace {

bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done();
}

// A child that waits until it is killed.
pid_t idle_child() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;)
      pause();
  }
  return pid;
}

TEST(ExitWatcher, ReportsEachWatchedProcessOnceWhenItExits) {
  std::atomic<int> exits{0};
  ExitWatcher watcher([&] { ++exits; });
  pid_t a = idle_child();
  pid_t b = idle_child();
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  ASSERT_TRUE(watcher.watch(a));
  ASSERT_TRUE(watcher.watch(b));
  EXPECT_EQ(exits, 0) << "both children wait to be killed";

  ASSERT_EQ(kill(a, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return exits == 1; }));
  // Reaping is the owner's business: the report comes before it, and only once however long
  // the process stays a zombie or after it is reaped.
  int status = 0;
  ASSERT_EQ(waitpid(a, &status, 0), a);
  ASSERT_EQ(kill(b, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return exits == 2; }));
  ASSERT_EQ(waitpid(b, &status, 0), b);
  EXPECT_EQ(exits, 2);
}

TEST(ExitWatcher, RefusesWhatItCannotWatchAndStopsWithProcessesStillRunning) {
  pid_t child = idle_child();
  ASSERT_GT(child, 0);
  {
    std::atomic<int> exits{0};
    ExitWatcher watcher([&] { ++exits; });
    EXPECT_FALSE(watcher.watch(0));
    EXPECT_FALSE(watcher.watch(-1));
    ASSERT_TRUE(watcher.watch(child));
  }  // the destructor returns while the child still runs
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
}

}  // namespace
}  // namespace steward::cluster
