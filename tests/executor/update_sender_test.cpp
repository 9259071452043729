#include "executor/update_sender.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace steward::executor {
namespace {

using Response = UpdateSender::Response;

Response answer(int status) {
  Response r;
  r.status = status;
  if (status == 0) r.error = "connection refused";
  return r;
}

// An attempt that answers from a script, then 202 for ever.
struct Scripted {
  std::vector<int> statuses;
  std::atomic<int> attempts{0};
  Response operator()(const std::string&) {
    const int i = attempts++;
    return answer(i < static_cast<int>(statuses.size()) ? statuses[i] : 202);
  }
};

TEST(UpdateSender, TriesAgainWhatGotNoAnswerUntilItIsDelivered) {
  Scripted agent{{0, 0, 503}};
  UpdateSender sender([&](const std::string& b) { return agent(b); }, 0.001, 0.002);
  EXPECT_EQ(sender.send("{}").status, 202);
  EXPECT_EQ(agent.attempts, 4);
}

TEST(UpdateSender, ARefusalIsNotTriedAgain) {
  Scripted agent{{404}};
  UpdateSender sender([&](const std::string& b) { return agent(b); }, 0.001, 0.002);
  EXPECT_EQ(sender.send("{}").status, 404);
  EXPECT_EQ(agent.attempts, 1);
}

TEST(UpdateSender, AnAttemptThatThrowsIsTriedAgain) {
  int attempts = 0;
  UpdateSender sender(
      [&](const std::string&) {
        if (++attempts == 1) throw std::runtime_error("bad cluster file");
        return answer(202);
      },
      0.001, 0.002);
  EXPECT_EQ(sender.send("{}").status, 202);
  EXPECT_EQ(attempts, 2);
}

TEST(UpdateSender, StoppingEndsASendThatWaitsToTryAgain) {
  std::atomic<int> attempts{0};
  UpdateSender sender(
      [&](const std::string&) {
        ++attempts;
        return answer(0);
      },
      0.001, 0.002);
  auto sent = std::async(std::launch::async, [&] { return sender.send("{}"); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (attempts < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_GE(attempts, 3) << "it keeps trying while the cluster is away";
  sender.stop();
  ASSERT_EQ(sent.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(sent.get().status, 0);
  // After a stop, a send makes one attempt and gives up.
  const int before = attempts;
  EXPECT_EQ(sender.send("{}").status, 0);
  EXPECT_EQ(attempts, before + 1);
}

}  // namespace
}  // namespace steward::executor
