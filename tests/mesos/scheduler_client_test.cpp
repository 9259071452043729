// SchedulerClient's calls against a real HTTP server on loopback: which connection each call
// travels on, and that calls keep working when the server closes a kept connection.

#include "mesos/scheduler_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/http_server.hpp"

namespace steward::mesos {
namespace {

class CallServer {
 public:
  explicit CallServer(std::size_t keep_alive_max = 1000)
      : server_(HttpServer::Options{.max_requests = keep_alive_max}) {
    server_.post("/api/v1/scheduler",
                 [this](const HttpServer::Request& req, HttpServer::Response& res) {
                   std::unique_lock lock(mutex_);
                   ports_.insert(req.remote_port);
                   ++calls_;
                   // A call "hold" is answered only once the test lets it go.
                   if (req.body == "hold") {
                     held_ = true;
                     changed_.notify_all();
                     changed_.wait(lock, [this] { return !held_; });
                   }
                   res.status = 202;
                 });
    std::string error;
    if (!server_.listen("127.0.0.1", 0, error)) throw std::runtime_error(error);
  }
  ~CallServer() {
    release();  // a held call would keep its connection's thread, which stop() waits for
    server_.stop();
  }
  int port() const { return server_.port(); }
  std::size_t connections() {
    std::lock_guard lock(mutex_);
    return ports_.size();
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  bool wait_held() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [this] { return held_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }

 private:
  HttpServer server_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<int> ports_;  // one client port per connection
  int calls_ = 0;
  bool held_ = false;
};

TEST(SchedulerClient, CallsWithKeepAliveShareOneConnection) {
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;  // however slow this machine, the connection stays reusable
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(client.call("{}").status, 202) << "call " << i;
  EXPECT_EQ(server.calls(), 20);
  EXPECT_EQ(server.connections(), 1u);
}

TEST(SchedulerClient, TwoThreadsCallingAtOnceEachKeepAConnection) {
  // A scheduler calls from its loop while its acknowledgement queue calls from another thread:
  // the second thread's calls reuse a kept connection of their own too.
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;
  std::thread held([&] { EXPECT_EQ(client.call("hold").status, 202); });
  ASSERT_TRUE(server.wait_held());
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(client.call("{}").status, 202) << "call " << i;
  server.release();
  held.join();
  EXPECT_EQ(server.calls(), 11);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(SchedulerClient, AbortedCallsEndAtOnceAndLaterOnesFail) {
  // A stopping scheduler whose master does not answer: the call under way ends without
  // waiting for the read timeout (30 s, past the wait below), and no call goes out after.
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;
  std::promise<SchedulerClient::Response> answer;
  std::thread held([&] { answer.set_value(client.call("hold")); });
  ASSERT_TRUE(server.wait_held());
  client.abort_calls();
  auto future = answer.get_future();
  const bool ended = future.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  server.release();
  held.join();
  ASSERT_TRUE(ended);
  const SchedulerClient::Response cut = future.get();
  EXPECT_EQ(cut.status, 0);
  EXPECT_EQ(cut.error, "calls aborted");
  const SchedulerClient::Response later = client.call("{}");
  EXPECT_EQ(later.status, 0);
  EXPECT_EQ(later.error, "calls aborted");
  EXPECT_EQ(server.calls(), 1);
}

TEST(SchedulerClient, ManyCallsArePipelinedOnOneKeptConnection) {
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;
  const auto answers = client.call_many(std::vector<std::string>(30, "{}"));
  ASSERT_EQ(answers.size(), 30u);
  for (const auto& a : answers)
    EXPECT_EQ(a.status, 202) << a.error;
  EXPECT_EQ(server.calls(), 30);
  EXPECT_EQ(server.connections(), 1u);
  // Without keep_alive each goes on a connection of its own, as call() sends it.
  SchedulerClient fresh("127.0.0.1", server.port());
  for (const auto& a : fresh.call_many(std::vector<std::string>(3, "{}")))
    EXPECT_EQ(a.status, 202) << a.error;
  EXPECT_EQ(server.connections(), 4u);
}

// A server that answers nothing until `n` requests have arrived on its one connection (or 10 s
// passed), then answers them all: calls sent one at a time would each wait for an answer.
class BatchServer {
 public:
  explicit BatchServer(std::size_t n) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listener_, 4);
    thread_ = std::thread([this, n] {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::string in;
      char buf[4096];
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      auto heads = [&] {
        std::size_t k = 0;
        for (auto at = in.find("\r\n\r\n"); at != std::string::npos;
             at = in.find("\r\n\r\n", at + 4))
          ++k;
        return k;
      };
      while (heads() < n && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got <= 0) break;
        in.append(buf, static_cast<std::size_t>(got));
      }
      all_arrived_ = heads() >= n;
      std::string answers;
      for (std::size_t i = 0; i < n; ++i)
        answers += "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
      (void)!::send(fd, answers.data(), answers.size(), MSG_NOSIGNAL);
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
      }
      ::close(fd);
    });
  }
  ~BatchServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  bool all_arrived() const { return all_arrived_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> all_arrived_{false};
  std::thread thread_;
};

TEST(SchedulerClient, ManyCallsAllGoOutBeforeAnyAnswer) {
  BatchServer server(3);
  {
    SchedulerClient client("127.0.0.1", server.port());
    client.keep_alive = true;
    client.reuse_seconds = 3600;
    const auto answers = client.call_many(std::vector<std::string>(3, "{}"));
    ASSERT_EQ(answers.size(), 3u);
    for (const auto& a : answers)
      EXPECT_EQ(a.status, 202) << a.error;
  }  // the client closes its connection: the server's thread ends
  EXPECT_TRUE(server.all_arrived());
}

TEST(SchedulerClient, ManyCallsPastTheServersCloseHaveNoAnswerAndTheNextStartAfresh) {
  // The server closes each connection after two requests: the rest of a batch gets none.
  CallServer server(2);
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;
  const auto answers = client.call_many(std::vector<std::string>(5, "{}"));
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(answers[0].status, 202);
  EXPECT_EQ(answers[1].status, 202);
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(answers[i].status, 0) << i;
    EXPECT_FALSE(answers[i].error.empty()) << i;
  }
  EXPECT_EQ(server.calls(), 2);
  const auto again = client.call_many(std::vector<std::string>(2, "{}"));
  EXPECT_EQ(again[0].status, 202);
  EXPECT_EQ(again[1].status, 202);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(SchedulerClient, CallsWithoutKeepAliveEachTakeAConnection) {
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(client.call("{}").status, 202);
  EXPECT_EQ(server.connections(), 5u);
}

TEST(SchedulerClient, AConnectionIdleForLongerThanTheReuseWindowIsReplaced) {
  CallServer server;
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 0;  // every gap between calls is longer than this
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(client.call("{}").status, 202);
  EXPECT_EQ(server.connections(), 4u);
}

TEST(SchedulerClient, CallsGoOnWhenTheServerClosesTheKeptConnection) {
  // The server closes each connection after two requests (saying so in the answer).
  CallServer server(2);
  SchedulerClient client("127.0.0.1", server.port());
  client.keep_alive = true;
  client.reuse_seconds = 3600;
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(client.call("{}").status, 202) << "call " << i;
  EXPECT_EQ(server.calls(), 7);
  EXPECT_EQ(server.connections(), 4u);
}

TEST(SchedulerClient, AKeptCallToNoServerIsAnError) {
  // A port bound but not listening: connecting is refused.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SchedulerClient client("127.0.0.1", ntohs(addr.sin_port));
  client.keep_alive = true;
  for (int i = 0; i < 2; ++i) {
    const auto r = client.call("{}");
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.error.empty());
  }
  close(fd);
}

}  // namespace
}  // namespace steward::mesos
