#include "executor/pod_executor.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/exit_watcher.hpp"

namespace steward::executor {
namespace {

namespace fs = std::filesystem;
using mesos::TaskState;

bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done();
}

mesos::TaskInfo shell_task(const std::string& id, const std::string& command) {
  mesos::TaskInfo t;
  t.task_id = id;
  t.name = id;
  t.command.emplace();
  t.command->value = command;
  return t;
}

// A PodExecutor wired as the executor program wires it: every process it starts is watched,
// and an exit is only counted (nothing ticks the executor but the test).
class WatchedExecutor : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ExitWatcher::supported()) GTEST_SKIP() << "no pidfds here";
    sandbox_ = fs::temp_directory_path() /
               ("pod-executor-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(sandbox_);
    ExecutorOptions options;
    options.framework_id = "fw";
    options.executor_id = "ex";
    options.agent_id = "agent";
    options.sandbox = sandbox_.string();
    options.started = [this](pid_t pid) {
      started_.push_back(pid);
      watcher_.watch(pid);
    };
    executor_ = std::make_unique<PodExecutor>(options, [this](const mesos::TaskStatus& s) {
      std::lock_guard lock(mutex_);
      sent_.push_back(s);
    });
  }
  void TearDown() override {
    if (executor_) {
      executor_->shutdown(now());
      EXPECT_TRUE(eventually([&] {
        executor_->tick(now());
        return executor_->live_tasks() == 0;
      }));
    }
    std::error_code ec;
    fs::remove_all(sandbox_, ec);
  }
  static double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool sent(TaskState state, const std::function<bool(const mesos::TaskStatus&)>& also = {}) {
    std::lock_guard lock(mutex_);
    for (const auto& s : sent_)
      if (s.state == state && (!also || also(s))) return true;
    return false;
  }

  fs::path sandbox_;
  std::atomic<int> exits_{0};
  ExitWatcher watcher_{[this] { ++exits_; }};
  std::vector<pid_t> started_;
  std::mutex mutex_;
  std::vector<mesos::TaskStatus> sent_;
  std::unique_ptr<PodExecutor> executor_;
};

TEST_F(WatchedExecutor, ATaskThatEndsCanBeSeenToEndBeforeTheNextTick) {
  executor_->launch_group({shell_task("t", "exit 0")}, {}, now());
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(getpgid(started_[0]), started_[0]) << "the task's own process (group leader)";
  // Only the watcher can tell that the task ended: nothing has ticked the executor.
  ASSERT_TRUE(eventually([&] { return exits_ == 1; }));
  EXPECT_FALSE(sent(TaskState::finished));
  executor_->tick(now());
  EXPECT_TRUE(sent(TaskState::finished));
}

TEST_F(WatchedExecutor, ACheckThatEndsCanBeSeenToEndBeforeTheNextTick) {
  mesos::TaskInfo t = shell_task("t", "exec sleep 30");
  t.check.emplace();
  t.check->command = "exit 0";
  t.check->delay_seconds = 0;
  t.check->interval_seconds = 1;
  executor_->launch_group({t}, {}, now());
  ASSERT_EQ(started_.size(), 1u);
  executor_->tick(now());  // starts the check (its delay is over)
  ASSERT_EQ(started_.size(), 2u);
  EXPECT_NE(started_[1], started_[0]);
  ASSERT_TRUE(eventually([&] { return exits_ == 1; }));
  const auto passed = [](const mesos::TaskStatus& s) {
    return s.check_exit_code.has_value() && *s.check_exit_code == 0;
  };
  EXPECT_FALSE(sent(TaskState::running, passed));
  executor_->tick(now());
  EXPECT_TRUE(sent(TaskState::running, passed));
  EXPECT_EQ(exits_, 1) << "the task still runs";
}

}  // namespace
}  // namespace steward::executor
