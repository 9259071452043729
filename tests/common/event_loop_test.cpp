#include "common/event_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace steward {
namespace {

TEST(EventLoop, RunsPostedTasksInOrderOnItsOwnThread) {
  std::vector<int> order;
  std::thread::id loop_thread;
  EventLoop loop(std::chrono::milliseconds(1000), nullptr);
  loop.start();
  for (int i = 0; i < 100; ++i)
    loop.post([&order, i] { order.push_back(i); });
  loop.call([&] { loop_thread = std::this_thread::get_id(); });
  EXPECT_NE(loop_thread, std::this_thread::get_id());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(EventLoop, CallReturnsValuesAndExceptions) {
  EventLoop loop(std::chrono::milliseconds(1000), nullptr);
  loop.start();
  EXPECT_EQ(loop.call([] { return 42; }), 42);
  EXPECT_THROW(loop.call([]() -> int { throw std::runtime_error("boom"); }), std::runtime_error);
}

TEST(EventLoop, TicksPeriodically) {
  std::atomic<int> ticks{0};
  EventLoop loop(std::chrono::milliseconds(5), [&] { ++ticks; });
  loop.start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ticks < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(ticks.load(), 3);
}

// Polls `done` until it holds or 10 s pass.
bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done();
}

TEST(EventLoop, TickSoonRunsTheTickWithoutWaitingForItsPeriod) {
  std::atomic<int> ticks{0};
  EventLoop loop(std::chrono::hours(1), [&] { ++ticks; });
  loop.start();
  ASSERT_TRUE(eventually([&] { return ticks == 1; }));  // the tick after start
  // From another thread, and from a task on the loop itself; two requests before the loop
  // gets to them make one tick.
  loop.tick_soon();
  ASSERT_TRUE(eventually([&] { return ticks == 2; }));
  loop.call([&] {
    loop.tick_soon();
    loop.tick_soon();
  });
  ASSERT_TRUE(eventually([&] { return ticks >= 3; }));
  // A second tick, had the requests not merged, would run right after the next batch.
  loop.call([] {});
  EXPECT_EQ(loop.call([&] { return ticks.load(); }), 3);
}

TEST(EventLoop, TickAtRunsTheTickNoEarlierThanAsked) {
  using Clock = std::chrono::steady_clock;
  std::mutex mutex;
  std::vector<Clock::time_point> at;
  EventLoop loop(std::chrono::hours(1), [&] {
    std::lock_guard lock(mutex);
    at.push_back(Clock::now());
  });
  loop.start();
  auto count = [&] {
    std::lock_guard lock(mutex);
    return at.size();
  };
  ASSERT_TRUE(eventually([&] { return count() == 1; }));
  // A later request does not delay an earlier one, and the tick waits for the request's
  // time.
  const auto asked = Clock::now() + std::chrono::milliseconds(30);
  loop.tick_at(asked);
  loop.tick_at(Clock::now() + std::chrono::hours(2));
  ASSERT_TRUE(eventually([&] { return count() == 2; }));
  std::lock_guard lock(mutex);
  EXPECT_GE(at[1], asked);
}

TEST(EventLoop, ManyThreadsPostWithoutLoss) {
  int counter = 0;  // only the loop touches it
  EventLoop loop(std::chrono::milliseconds(1000), nullptr);
  loop.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        loop.post([&] { ++counter; });
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(loop.call([&] { return counter; }), 8000);
}

TEST(EventLoop, StopAnswersWhatWasPosted) {
  int ran = 0;
  {
    EventLoop loop(std::chrono::milliseconds(1000), nullptr);
    loop.start();
    for (int i = 0; i < 10; ++i)
      loop.post([&] { ++ran; });
    loop.stop();
  }
  EXPECT_EQ(ran, 10);
}

// A caller arriving after the loop finished gets an error, not a wait that never ends.
TEST(EventLoop, CallAfterStopThrowsInsteadOfHanging) {
  EventLoop loop(std::chrono::milliseconds(1000), nullptr);
  loop.start();
  loop.stop();
  EXPECT_FALSE(loop.post([] {}));
  EXPECT_THROW(loop.call([] { return 1; }), std::runtime_error);
}

}  // namespace
}  // namespace steward
