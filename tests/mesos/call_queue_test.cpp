#include "mesos/call_queue.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace steward::mesos {
namespace {

using Response = SchedulerClient::Response;

// A sender that records what it was given and blocks each call until the test releases it.
struct GatedSender {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> sent;
  int released = 0;
  Response answer{202, "", ""};

  Response send(const std::string& body) {
    std::unique_lock lock(mutex);
    sent.push_back(body);
    cv.notify_all();
    cv.wait(lock, [&] { return released >= static_cast<int>(sent.size()); });
    return answer;
  }
  void release(int n) {
    std::lock_guard lock(mutex);
    released += n;
    cv.notify_all();
  }
  // Waits (with a deadline) until `n` calls reached the sender.
  bool reached(std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return sent.size() >= n; });
  }
};

// What the queue reported as failed, as "what:status:" then the body and the error.
struct Failures {
  std::mutex mutex;
  std::vector<std::string> seen;
  CallQueue::Failed record() {
    return [this](const std::string& what, const Response& r) {
      std::lock_guard lock(mutex);
      seen.push_back(what + ":" + std::to_string(r.status) + ":" + r.body + r.error);
    };
  }
};

TEST(CallQueue, PushDoesNotWaitForTheAnswerAndCallsGoOutInOrder) {
  GatedSender s;
  CallQueue q([&](const std::string& b) { return s.send(b); }, nullptr);
  q.push("a", "A");
  q.push("b", "B");
  q.push("c", "C");
  // The first call is held by the sender, yet all three pushes returned.
  ASSERT_TRUE(s.reached(1));
  EXPECT_EQ(q.pending(), 3u);
  s.release(3);
  q.drain();
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(s.sent, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(CallQueue, FailuresAreReportedWithTheirNames) {
  Failures failed;
  int n = 0;
  CallQueue q(
      [&](const std::string& body) {
        ++n;
        if (body == "refused") return Response{400, "bad call", ""};
        if (body == "lost") return Response{0, "", "Connection"};
        return Response{n % 2 == 0 ? 200 : 202, "", ""};
      },
      failed.record());
  q.push("ok", "OK1");
  q.push("refused", "ACKNOWLEDGE");
  q.push("ok", "OK2");
  q.push("lost", "KILL");
  q.drain();
  std::lock_guard lock(failed.mutex);
  EXPECT_EQ(failed.seen,
            (std::vector<std::string>{"ACKNOWLEDGE:400:bad call", "KILL:0:Connection"}));
}

TEST(CallQueue, StopDropsWhatIsQueuedAndWaitsForTheCallUnderWay) {
  GatedSender s;
  CallQueue q([&](const std::string& b) { return s.send(b); }, nullptr);
  q.push("a", "A");
  q.push("b", "B");
  ASSERT_TRUE(s.reached(1));
  auto stopped = std::async(std::launch::async, [&] { q.stop(); });
  // stop() drops "b" at once, then waits for "a", which the sender still holds.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (q.pending() != 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(q.pending(), 1u);
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  s.release(1);
  stopped.get();
  q.push("c", "C");  // ignored once stopped
  q.drain();         // returns at once on a stopped queue
  EXPECT_EQ(s.sent, std::vector<std::string>{"a"});
  EXPECT_EQ(q.pending(), 0u);
}

TEST(CallQueue, ClearDropsWhatIsQueuedAndKeepsRunning) {
  GatedSender s;
  CallQueue q([&](const std::string& b) { return s.send(b); }, nullptr);
  q.push("a", "A");
  q.push("b", "B");
  ASSERT_TRUE(s.reached(1));
  q.clear();  // "b" goes; "a" is under way
  EXPECT_EQ(q.pending(), 1u);
  q.push("c", "C");
  s.release(2);
  q.drain();
  EXPECT_EQ(s.sent, (std::vector<std::string>{"a", "c"}));
}

TEST(CallQueue, ASendThatThrowsIsReportedAndTheQueueGoesOn) {
  Failures failed;
  CallQueue q(
      [](const std::string& body) -> Response {
        if (body == "boom") throw std::runtime_error("out of sockets");
        return {202, "", ""};
      },
      failed.record());
  q.push("boom", "ACKNOWLEDGE");
  q.push("ok", "OK");
  q.drain();
  std::lock_guard lock(failed.mutex);
  // A throw counts as a transport error: status 0, its message as the error.
  EXPECT_EQ(failed.seen, std::vector<std::string>{"ACKNOWLEDGE:0:out of sockets"});
}

// A batch sender: the calls queued while a batch was under way go out together in the next,
// at most `batch` of them.
TEST(CallQueue, CallsQueuedMeanwhileGoOutTogetherUpToTheBatch) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::vector<std::string>> batches;
  bool open = false;
  CallQueue q(
      [&](std::vector<std::string> bodies) {
        std::unique_lock lock(mutex);
        batches.push_back(bodies);
        cv.notify_all();
        cv.wait(lock, [&] { return open; });
        return std::vector<Response>(bodies.size(), Response{202, "", ""});
      },
      2, nullptr);
  q.push("a", "A");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return batches.size() == 1; }));
  }
  q.push("b", "B");
  q.push("c", "C");
  q.push("d", "D");
  EXPECT_EQ(q.pending(), 4u);
  {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
  q.drain();
  EXPECT_EQ(q.pending(), 0u);
  std::lock_guard lock(mutex);
  EXPECT_EQ(batches, (std::vector<std::vector<std::string>>{{"a"}, {"b", "c"}, {"d"}}));
}

TEST(CallQueue, EachCallOfABatchIsReportedByItsOwnAnswer) {
  Failures failed;
  std::mutex mutex;
  std::vector<std::string> succeeded;
  CallQueue q(
      [](std::vector<std::string> bodies) {
        std::vector<Response> answers;
        for (const std::string& b : bodies) {
          if (b == "last") break;  // no answer came for it
          answers.push_back(b == "refused" ? Response{400, "bad call", ""} : Response{202, "", ""});
        }
        return answers;
      },
      64, failed.record(),
      [&](const std::string& what) {
        std::lock_guard lock(mutex);
        succeeded.push_back(what);
      });
  // Queued before the thread takes any: most likely one batch, but any split reports the same.
  q.push("ok", "OK");
  q.push("refused", "ACKNOWLEDGE");
  q.push("ok", "ACKNOWLEDGE");
  q.push("last", "KILL");
  q.drain();
  std::lock_guard lock(failed.mutex);
  EXPECT_EQ(failed.seen,
            (std::vector<std::string>{"ACKNOWLEDGE:400:bad call", "KILL:0:no answer"}));
  std::lock_guard held(mutex);
  EXPECT_EQ(succeeded, (std::vector<std::string>{"OK", "ACKNOWLEDGE"}));
}

// drain_to(n) returns once no more than n calls are pending (the scheduler lets the last
// pass's ACCEPTs stay under way). Calls sent together (the batch constructor) count as pending
// until the batch's last answer; here each goes alone.
TEST(CallQueue, DrainToReturnsOnceNoMoreThanThatManyArePending) {
  GatedSender s;
  CallQueue q([&](const std::string& b) { return s.send(b); }, nullptr);
  q.push("a", "A");
  q.push("b", "B");
  q.push("c", "C");
  ASSERT_TRUE(s.reached(1));
  q.drain_to(3);  // three pending: at once
  auto two = std::async(std::launch::async, [&] { q.drain_to(1); });
  // Held while three are pending; the sender has answered nothing.
  EXPECT_EQ(two.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  s.release(1);  // "a" answered, "b" under way: two pending, still more than one
  ASSERT_TRUE(s.reached(2));
  EXPECT_EQ(two.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  s.release(1);  // "b" answered: "c" alone is pending
  ASSERT_EQ(two.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_LE(q.pending(), 1u);
  s.release(1);
  q.drain();
  EXPECT_EQ(q.pending(), 0u);
}

}  // namespace
}  // namespace steward::mesos
