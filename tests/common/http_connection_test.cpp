// HttpConnection against a server on loopback that sends exactly the bytes each test scripts.

#include "common/http_connection.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace steward {
namespace {

using namespace std::chrono_literals;

// Accepts connections one after another on a thread; `serve` runs for each with the socket and
// the request read off it (head and body, by its Content-Length).
class ScriptedServer {
 public:
  using Serve = std::function<void(int fd, const std::string& request)>;
  explicit ScriptedServer(Serve serve) : serve_(std::move(serve)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listener_, 8);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }
  int closed() const { return closed_; }  // connections it has closed
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Reads one request off `fd`: "" when the connection ended first.
  static std::string read_request(int fd) {
    std::string in;
    char buf[4096];
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return "";
      in.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t length = 0;
    if (auto at = in.find("Content-Length: "); at != std::string::npos && at < end)
      length = std::stoul(in.substr(at + 16));
    while (in.size() < end + 4 + length) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return "";
      in.append(buf, static_cast<std::size_t>(n));
    }
    return in;
  }
  void record(const std::string& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }

 private:
  void run() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      const std::string request = read_request(fd);
      record(request);
      serve_(fd, request);
      ::close(fd);
      ++closed_;
    }
  }

  Serve serve_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

// Answers "ok" to each request on the connection, keeping it open, until the client closes it.
void answer_every_request(int fd, const std::string& first) {
  for (std::string request = first; !request.empty(); request = ScriptedServer::read_request(fd))
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
}

TEST(HttpConnection, SendsTheRequestAndReadsTheAnswer) {
  ScriptedServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 201 Created\r\nX-Id: 7\r\nContent-Length: 5\r\n\r\nfresh");
  });
  HttpConnection c("127.0.0.1", server.port());
  HttpConnection::Request req;
  req.method = "POST";
  req.path = "/things?x=1";
  req.headers = {{"Content-Type", "application/json"}, {"Connection", "upgrade"}};
  req.body = "{\"a\":1}";
  HttpConnection::Response r = c.send(req);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.header("x-id"), "7");
  EXPECT_EQ(r.body, "fresh");
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string sent = server.requests()[0];
  EXPECT_EQ(sent.rfind("POST /things?x=1 HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(sent.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(sent.find("Content-Length: 7\r\n"), std::string::npos);
  // Its own Connection header, not the caller's: without keep_alive the server closes.
  EXPECT_NE(sent.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("upgrade"), std::string::npos);
  EXPECT_EQ(sent.substr(sent.size() - 7), "{\"a\":1}");
}

TEST(HttpConnection, KeptAliveItSendsTheNextRequestOnTheSameConnection) {
  ScriptedServer server(answer_every_request);
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  for (int i = 0; i < 3; ++i) {
    HttpConnection::Response r = c.get("/n" + std::to_string(i));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok");
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests()[0].find("Connection:"), std::string::npos);
}

// Reads off `fd`, after what `in` holds already, until `n` requests without bodies (GET) have
// come whole: what a server of pipelined requests may find in one read.
std::string read_requests(int fd, std::string in, std::size_t n) {
  char buf[4096];
  for (;;) {
    std::size_t heads = 0;
    for (std::size_t at = in.find("\r\n\r\n"); at != std::string::npos;
         at = in.find("\r\n\r\n", at + 4))
      ++heads;
    if (heads >= n) return in;
    const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) return in;
    in.append(buf, static_cast<std::size_t>(got));
  }
}

std::vector<HttpConnection::Request> gets(int n) {
  std::vector<HttpConnection::Request> requests;
  for (int i = 0; i < n; ++i)
    requests.push_back({"GET", "/r" + std::to_string(i), {}, ""});
  return requests;
}

TEST(HttpConnection, PipelinedRequestsGoOutTogetherAndTheirAnswersAreReadInOrder) {
  std::atomic<bool> all_before_any_answer{false};
  ScriptedServer server([&](int fd, const std::string& first) {
    // Every request came before any answer went; then all three answers in one write, each
    // one's bytes right after the last one's (the second an error, the third chunked).
    const std::string got = read_requests(fd, first, 3);
    all_before_any_answer = got.find("GET /r0 ") != std::string::npos &&
                            got.find("GET /r1 ") != std::string::npos &&
                            got.find("GET /r2 ") != std::string::npos;
    send_text(fd,
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr0"
              "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nr1"
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nr2\r\n0\r\n\r\n");
    answer_every_request(fd, ScriptedServer::read_request(fd));
  });
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  const auto answers = c.send_pipelined(gets(3));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(all_before_any_answer);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[0].body, "r0");
  EXPECT_EQ(answers[1].status, 404);
  EXPECT_EQ(answers[1].body, "r1");
  EXPECT_EQ(answers[2].status, 200);
  EXPECT_EQ(answers[2].body, "r2");
  for (const auto& a : answers)
    EXPECT_EQ(a.error, "");
  // The connection is still fit for the next exchange.
  EXPECT_EQ(c.get("/after").body, "ok");
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpConnection, PipelinedAnswersAfterTheServerClosedHaveNone) {
  ScriptedServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nr0");
  });
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  const auto answers = c.send_pipelined(gets(3));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[0].body, "r0");
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(answers[i].status, 0) << i;
    EXPECT_NE(answers[i].error.find("no answer"), std::string::npos) << answers[i].error;
  }
  // And the next exchange connects afresh.
  EXPECT_EQ(c.get("/again").status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpConnection, ConnectsAgainWhenTheServerClosedAfterAnswering) {
  ScriptedServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  });
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  EXPECT_EQ(c.get("/a").status, 200);
  EXPECT_EQ(c.get("/b").status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpConnection, HandsOutTheHeadThenTheBodyAsItArrives) {
  std::promise<void> first_piece_seen;
  auto seen = first_piece_seen.get_future();
  ScriptedServer server([&](int fd, const std::string&) {
    send_text(fd,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nMesos-Stream-Id: s1\r\n\r\n"
              "6\r\nfirst \r\n");
    // The rest only once the client has the first piece: it must not wait for the whole body.
    if (seen.wait_for(10s) != std::future_status::ready) return;
    send_text(fd, "4\r\nlast\r\n0\r\n\r\n");
  });
  HttpConnection c("127.0.0.1", server.port());
  std::vector<std::string> events;
  HttpConnection::Response r = c.send(
      HttpConnection::Request{"POST", "/stream", {}, "subscribe"},
      [&](const HttpConnection::Response& head) {
        events.push_back("head " + std::to_string(head.status) + " " +
                         head.header("Mesos-Stream-Id"));
        return true;
      },
      [&](std::string_view piece) {
        if (events.size() == 1) first_piece_seen.set_value();
        events.emplace_back(piece);
        return true;
      });
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(events, (std::vector<std::string>{"head 200 s1", "first ", "last"}));
}

TEST(HttpConnection, StopEndsAnExchangeWaitingForItsAnswer) {
  std::promise<void> asked;
  std::promise<void> finish;
  auto finished = finish.get_future();
  ScriptedServer server([&](int, const std::string&) {
    asked.set_value();
    finished.wait_for(20s);  // never answers, until the test is over
  });
  HttpConnection c("127.0.0.1", server.port());
  c.read_timeout = 30s;
  auto result = std::async(std::launch::async, [&] { return c.get("/slow"); });
  ASSERT_EQ(asked.get_future().wait_for(10s), std::future_status::ready);
  const auto before = std::chrono::steady_clock::now();
  c.stop();
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  const HttpConnection::Response r = result.get();
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "canceled");
  finish.set_value();
}

TEST(HttpConnection, ARequestAfterAStopConnectsAfresh) {
  ScriptedServer server(answer_every_request);
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  c.stop();  // before anything: the next request is not canceled by it
  EXPECT_EQ(c.get("/a").status, 200);
  c.stop();  // between two requests: the kept connection goes
  HttpConnection::Response r = c.get("/b");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpConnection, AKeptConnectionTheServerClosedIsNotUsedAgain) {
  // Answers keep-alive (no "Connection: close") and then closes anyway, as a server does when
  // its idle timeout passes.
  ScriptedServer server([&](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  EXPECT_EQ(c.get("/a").status, 200);
  // The server has closed (on loopback its FIN is queued to this side by then).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.closed() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(server.closed(), 1);
  HttpConnection::Response r = c.get("/b");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpConnection, EncodesThePathAndRefusesHeadersThatWouldBreakTheRequest) {
  ScriptedServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  });
  HttpConnection c("127.0.0.1", server.port());
  EXPECT_EQ(c.get("/my file\r\nX-Injected: 1?q=%41\xc3\xa9").status, 200);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(
      server.requests()[0].rfind("GET /my%20file%0D%0AX-Injected:%201?q=%41%C3%A9 HTTP/1.1\r\n", 0),
      0u)
      << server.requests()[0];

  HttpConnection::Request bad;
  bad.headers = {{"X-Value", "a\r\nX-Injected: 1"}};
  HttpConnection::Response r = c.send(bad);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("bad request header"), std::string::npos) << r.error;
  bad.headers = {{"X:Name", "v"}};
  EXPECT_NE(c.send(bad).error.find("bad request header"), std::string::npos);
  bad.headers = {};
  bad.method = "GET /x HTTP/1.1\r\n";
  EXPECT_NE(c.send(bad).error.find("bad request method"), std::string::npos);
  EXPECT_EQ(server.accepted(), 1);  // nothing of those was sent
}

TEST(HttpConnection, GivesUpOnAServerThatDoesNotAnswerInTime) {
  std::promise<void> finish;
  auto finished = finish.get_future();
  ScriptedServer server([&](int, const std::string&) { finished.wait_for(20s); });
  HttpConnection c("127.0.0.1", server.port());
  c.read_timeout = 100ms;
  const HttpConnection::Response r = c.get("/");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  finish.set_value();
}

TEST(HttpConnection, SaysWhyItGotNoAnswer) {
  // A port bound but not listening refuses connections, and stays this test's meanwhile.
  const int bound = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(bound, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(bound, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  HttpConnection refused("127.0.0.1", port);
  HttpConnection::Response r = refused.get("/");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.error;

  ScriptedServer closes([](int, const std::string&) {});  // reads the request, says nothing
  HttpConnection c("127.0.0.1", closes.port());
  r = c.get("/");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("closed before a response"), std::string::npos) << r.error;

  ScriptedServer garbles(
      [](int fd, const std::string&) { send_text(fd, "SSH-2.0-OpenSSH\r\n\r\n"); });
  HttpConnection g("127.0.0.1", garbles.port());
  r = g.get("/");
  EXPECT_NE(r.error.find("bad status line"), std::string::npos) << r.error;
  ::close(bound);
}

TEST(HttpConnection, ABodyFunctionThatSaysNoEndsTheExchangeWithItsStatus) {
  ScriptedServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  });
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  HttpConnection::Response r =
      c.send(HttpConnection::Request{}, {}, [](std::string_view) { return false; });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, "canceled");
  // The connection is not reused after an exchange cut short.
  EXPECT_EQ(c.get("/").status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

}  // namespace
}  // namespace steward
