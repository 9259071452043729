// HttpServer on loopback, asked by HttpConnection or by a raw socket sending exactly the bytes
// a test scripts.

#include "common/http_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/http_connection.hpp"
#include "common/http_message_parser.hpp"

namespace steward {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// A client socket that writes what it is told and reads what comes back.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~RawClient() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `enough` holds for what came, the server closes, or `within` passes.
  template <typename Enough>
  std::string read_until(Enough enough, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    char buf[4096];
    while (!enough(in_)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      in_.append(buf, static_cast<std::size_t>(n));
    }
    return in_;
  }
  std::string read_to_close(std::chrono::milliseconds within = 10s) {
    return read_until([](const std::string&) { return false; }, within);
  }
  bool closed() const { return closed_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string in_;
  bool closed_ = false;
};

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServer& server) {
    std::string error;
    ASSERT_TRUE(server.listen("127.0.0.1", 0, error)) << error;
  }
  HttpConnection::Response get(int port, const std::string& path) {
    HttpConnection c("127.0.0.1", port);
    return c.get(path);
  }
};

TEST_F(HttpServerTest, RoutesByMethodAndPathAndHandsTheGroupsToTheHandler) {
  HttpServer server;
  server.get(R"(/things/([^/]+)/(a|b))", [](const auto& req, auto& res) {
    res.set_content(req.matches[1] + "," + req.matches[2], "text/plain");
  });
  server.post("/things", [](const auto& req, auto& res) {
    res.status = 201;
    res.set_content("made " + req.body, "text/plain");
  });
  start(server);
  auto r = get(server.port(), "/things/x/b");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "x,b");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  // Matched whole: neither a longer path nor a prefix.
  EXPECT_EQ(get(server.port(), "/things/x/bc").status, 404);
  auto missing = get(server.port(), "/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "no such endpoint: /nothing");
  HttpConnection c("127.0.0.1", server.port());
  auto made = c.send({"POST", "/things", {}, "it"});
  EXPECT_EQ(made.status, 201);
  EXPECT_EQ(made.body, "made it");
  // A path served for another method: 405, saying which methods it has.
  auto wrong = c.send({"PUT", "/things", {}, ""});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "POST");
  EXPECT_EQ(c.send({"DELETE", "/things/x/a", {}, ""}).header("Allow"), "GET, HEAD");
}

// Routes match with std::regex, which recurses per character: the longest path a request may
// carry is routed on the connection thread's own stack, whatever the process's stack limit
// (ctest runs this once more under `ulimit -s unlimited`, where glibc's threads get 2 MB).
TEST_F(HttpServerTest, TheLongestPathIsRoutedWithoutRunningOutOfStack) {
  HttpServer server;
  server.get(R"(/long/([^/]+)(/.*)?)",
             [](const auto& req, auto& res) { res.set_content(req.matches[1], "text/plain"); });
  start(server);
  const std::string name(HttpMessageParser::kMaxTarget - 6, 'n');
  auto r = get(server.port(), "/long/" + name);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, name);
}

TEST_F(HttpServerTest, DecodesThePathAndTheQuery) {
  HttpServer server;
  server.get("/a b/(.*)", [](const auto& req, auto& res) {
    res.set_content(req.matches[1] + "|" + req.param("x") + "|" + req.param("y") + "|" +
                        (req.has_param("flag") ? "flag" : "") + "|" + req.param("none") + "|" +
                        req.target,
                    "text/plain");
  });
  start(server);
  auto r = get(server.port(), "/a%20b/c%2Fd?x=1+2&y=%26%3D&flag");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "c/d|1 2|&=|flag||/a%20b/c%2Fd?x=1+2&y=%26%3D&flag");
}

TEST_F(HttpServerTest, AKeptConnectionServesRequestAfterRequestUntilItsLimit) {
  std::mutex mutex;
  std::vector<int> ports;
  HttpServer server(HttpServer::Options{.max_requests = 3});
  server.get("/", [&](const auto& req, auto& res) {
    std::lock_guard lock(mutex);
    ports.push_back(req.remote_port);
    res.set_content("ok", "text/plain");
  });
  start(server);
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(c.get("/").status, 200) << i;
  std::lock_guard lock(mutex);
  ASSERT_EQ(ports.size(), 4u);
  // Three on the first connection, closed by the server after the third; the fourth on a new one.
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_EQ(ports[1], ports[2]);
  EXPECT_NE(ports[2], ports[3]);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpServer server;
  server.post("/echo", [](const auto& req, auto& res) { res.set_content(req.body, "text/plain"); });
  start(server);
  RawClient client(server.port());
  // Two requests in one write, the second closing the connection; blank lines before a request
  // are allowed.
  client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
      "second");
  const std::string out = client.read_to_close();
  EXPECT_TRUE(client.closed());
  const std::size_t first = out.find("\r\n\r\nfirst");
  const std::size_t second = out.find("\r\n\r\nsecond");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  EXPECT_LT(first, second);
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK\r\n"), 2u) << out;
  EXPECT_EQ(count(out, "Connection: close\r\n"), 1u) << out;
}

// And a batch from HttpConnection::send_pipelined, larger than either side reads at once.
TEST_F(HttpServerTest, APipelinedBatchIsAnsweredInOrderOnOneConnection) {
  HttpServer server;
  server.post("/echo", [](const auto& req, auto& res) { res.set_content(req.body, "text/plain"); });
  server.get("/port", [](const auto& req, auto& res) {
    res.set_content(std::to_string(req.remote_port), "text/plain");
  });
  start(server);
  HttpConnection c("127.0.0.1", server.port());
  c.keep_alive = true;
  std::vector<HttpConnection::Request> requests;
  for (int i = 0; i < 40; ++i)
    requests.push_back(
        {"POST", "/echo", {}, "call " + std::to_string(i) + std::string(i * 50, '.')});
  requests.push_back({"GET", "/port", {}, ""});
  requests.push_back({"GET", "/port", {}, ""});
  const std::vector<HttpConnection::Response> answers = c.send_pipelined(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(answers[i].error, "") << i;
    EXPECT_EQ(answers[i].status, 200) << i;
    EXPECT_EQ(answers[i].body, requests[i].body) << i;
  }
  EXPECT_EQ(answers[40].status, 200);
  EXPECT_EQ(answers[40].body, answers[41].body);  // the same client port: one connection
}

// A route with a batch: the requests that join and have arrived go to the batch handler
// together; one that does not join, or one on its own, goes to the single handler.
class BatchedRoute {
 public:
  explicit BatchedRoute(HttpServer& server, std::size_t max_batch = 256) {
    server.post(
        "/call",
        [](const auto& req, auto& res) { res.set_content("single " + req.body, "text/plain"); },
        [](const HttpServer::Request& req) { return req.body.rfind("b", 0) == 0; },
        [this](std::vector<HttpServer::Request>& requests,
               std::vector<HttpServer::Response>& responses) {
          {
            std::lock_guard lock(mutex_);
            sizes_.push_back(requests.size());
          }
          for (std::size_t i = 0; i < requests.size(); ++i) {
            if (requests[i].body == "b-throw") throw std::runtime_error("the batch broke");
            if (requests[i].body == "b-stream")
              responses[i].stream(
                  "text/plain", [](std::string&) { return false; }, [] {});
            else
              responses[i].set_content("batched " + requests[i].body, "text/plain");
          }
        },
        max_batch);
  }
  std::vector<std::size_t> sizes() const {
    std::lock_guard lock(mutex_);
    return sizes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::size_t> sizes_;
};

std::string post_call(const std::string& body, bool close = false) {
  return "POST /call HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

// The bodies of the answers in `out`, in order (each answer's body is one line of text).
std::vector<std::string> answer_bodies(const std::string& out) {
  std::vector<std::string> bodies;
  for (std::size_t at = out.find("\r\n\r\n"); at != std::string::npos;
       at = out.find("\r\n\r\n", at + 4)) {
    const std::size_t end = out.find("HTTP/1.1 ", at + 4);
    bodies.push_back(out.substr(at + 4, end == std::string::npos ? end : end - at - 4));
  }
  return bodies;
}

TEST_F(HttpServerTest, PipelinedRequestsThatJoinAreHandedOverTogetherInOrder) {
  HttpServer server;
  BatchedRoute route(server);
  start(server);
  RawClient client(server.port());
  client.send(post_call("b1") + post_call("b2") + post_call("b3") + post_call("s4") +
              post_call("b5") + post_call("b6", true));
  const std::string out = client.read_to_close();
  EXPECT_EQ(answer_bodies(out), (std::vector<std::string>{"batched b1", "batched b2", "batched b3",
                                                          "single s4", "batched b5", "batched b6"}))
      << out;
  EXPECT_EQ(route.sizes(), (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(count(out, "Connection: close\r\n"), 1u) << out;
  EXPECT_TRUE(client.closed());
}

TEST_F(HttpServerTest, ARequestOnItsOwnGoesToTheSingleHandlerAndABatchHasItsLimit) {
  HttpServer server;
  BatchedRoute route(server, 2);
  start(server);
  RawClient client(server.port());
  client.send(post_call("b1"));
  EXPECT_EQ(answer_bodies(client.read_until(
                [](const std::string& in) { return in.find("single b1") != std::string::npos; })),
            (std::vector<std::string>{"single b1"}));
  client.send(post_call("b2") + post_call("b3") + post_call("b4") + post_call("b5") +
              post_call("b6", true));
  const std::string out = client.read_to_close();
  EXPECT_EQ(answer_bodies(out), (std::vector<std::string>{"single b1", "batched b2", "batched b3",
                                                          "batched b4", "batched b5", "single b6"}))
      << out;
  EXPECT_EQ(route.sizes(), (std::vector<std::size_t>{2, 2}));
}

// A batch takes what has arrived and never waits for more: the answers to what came go out
// before the rest of a request that has begun is read.
TEST_F(HttpServerTest, ABatchDoesNotWaitForARequestStillArriving) {
  HttpServer server;
  BatchedRoute route(server);
  start(server);
  RawClient client(server.port());
  const std::string third = post_call("b3", true);
  client.send(post_call("b1") + post_call("b2") + third.substr(0, 20));
  const std::string first = client.read_until(
      [](const std::string& in) { return in.find("batched b2") != std::string::npos; });
  EXPECT_EQ(answer_bodies(first), (std::vector<std::string>{"batched b1", "batched b2"}));
  client.send(third.substr(20));
  EXPECT_EQ(answer_bodies(client.read_to_close()),
            (std::vector<std::string>{"batched b1", "batched b2", "single b3"}));
  EXPECT_EQ(route.sizes(), (std::vector<std::size_t>{2}));
}

TEST_F(HttpServerTest, ABatchHandlerThatThrowsOrStreamsGets500s) {
  HttpServer server;
  BatchedRoute route(server);
  start(server);
  RawClient client(server.port());
  client.send(post_call("b1") + post_call("b-throw") + post_call("s") + post_call("b2") +
              post_call("b-stream") + post_call("b3", true));
  const std::string out = client.read_to_close();
  // The first batch threw: each of its requests is answered 500; the second is answered but
  // for the one it tried to answer with a stream.
  EXPECT_EQ(count(out, "HTTP/1.1 500 "), 3u) << out;
  EXPECT_EQ(count(out, "HTTP/1.1 200 "), 3u) << out;
  EXPECT_EQ(count(out, "the batch broke"), 2u) << out;
  for (const char* answer : {"single s", "batched b2", "batched b3"})
    EXPECT_NE(out.find(answer), std::string::npos) << answer << "\n" << out;
  EXPECT_EQ(count(out, "Transfer-Encoding"), 0u) << out;
  EXPECT_EQ(route.sizes(), (std::vector<std::size_t>{2, 3}));
}

TEST_F(HttpServerTest, AChunkedBodyIsReadAndAContinueIsSentWhenAskedFor) {
  HttpServer server;
  server.post("/echo", [](const auto& req, auto& res) { res.set_content(req.body, "text/plain"); });
  start(server);
  RawClient client(server.port());
  client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n");
  // The client waits for the interim answer before it sends the body.
  const std::string interim = client.read_until(
      [](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
  const std::string out = client.read_until(
      [](const std::string& in) { return in.find("abcdefg") != std::string::npos; });
  EXPECT_NE(out.find("Content-Length: 7\r\n\r\nabcdefg"), std::string::npos) << out;
}

TEST_F(HttpServerTest, AMalformedOrTooLargeRequestGetsA4xxSayingWhyAndItsConnectionClosed) {
  HttpServer server(HttpServer::Options{.max_body = 10});
  int handled = 0;
  server.post("/echo", [&](const auto&, auto&) { ++handled; });
  start(server);
  struct Case {
    std::string request, status, says;
  };
  const Case cases[] = {
      {"POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n", "413", "longer than 10 bytes"},
      {"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", "413",
       "longer than 10 bytes"},
      {"BAD\r\n\r\n", "400", "bad request line"},
      {"GET /echo HTTP/2.0\r\n\r\n", "505", "not supported"},
      {"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400",
       "both Transfer-Encoding and Content-Length"},
      {"GET /echo HTTP/1.1\r\nno colon\r\n\r\n", "400", "bad header line"},
      // Routes match with std::regex, which recurses per character: a huge path never gets
      // that far.
      {"GET /" + std::string(60000, 'a') + " HTTP/1.1\r\n\r\n", "414", "longer than 8192"},
  };
  for (const Case& c : cases) {
    RawClient client(server.port());
    client.send(c.request);
    const std::string out = client.read_to_close();
    EXPECT_TRUE(client.closed()) << c.request;
    EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 " + c.status) << c.request << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << c.request << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  }
  EXPECT_EQ(handled, 0);
}

TEST_F(HttpServerTest, AnErrorBodyShapesWhatTheServerAnswersItself) {
  HttpServer server;
  server.set_error_body([](HttpServer::Response& res, const std::string& message) {
    res.set_content(
        "{\"status\":" + std::to_string(res.status) + ",\"message\":\"" + message + "\"}",
        "application/json");
  });
  server.get("/throws", [](const auto&, auto&) -> void { throw std::runtime_error("it broke"); });
  start(server);
  auto thrown = get(server.port(), "/throws");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, R"({"status":500,"message":"it broke"})");
  EXPECT_EQ(thrown.header("Content-Type"), "application/json");
  EXPECT_EQ(get(server.port(), "/none").body,
            R"({"status":404,"message":"no such endpoint: /none"})");
}

TEST_F(HttpServerTest, AStreamBegunByAHandlerThatThenThrowsEndsOnceAndA500IsSent) {
  std::atomic<int> closed{0};
  HttpServer server;
  server.get("/half", [&](const auto&, auto& res) {
    res.stream(
        "text/plain", [](std::string&) { return false; }, [&] { ++closed; });
    throw std::runtime_error("changed its mind");
  });
  server.set_filter([](const HttpServer::Request& req, HttpServer::Response&) -> bool {
    if (req.path == "/filtered") throw std::runtime_error("the filter broke");
    return false;
  });
  start(server);
  auto r = get(server.port(), "/half");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "changed its mind");
  EXPECT_EQ(closed, 1);
  auto f = get(server.port(), "/filtered");
  EXPECT_EQ(f.status, 500);
  EXPECT_EQ(f.body, "the filter broke");
}

TEST_F(HttpServerTest, AFilterMayAnswerBeforeRouting) {
  HttpServer server;
  server.set_filter([](const HttpServer::Request& req, HttpServer::Response& res) {
    if (req.header("authorization") == "yes") return false;
    res.status = 401;
    return true;
  });
  server.get("/", [](const auto&, auto& res) { res.set_content("in", "text/plain"); });
  start(server);
  EXPECT_EQ(get(server.port(), "/").status, 401);
  HttpConnection c("127.0.0.1", server.port());
  auto r = c.send({"GET", "/", {{"Authorization", "yes"}}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "in");
}

TEST_F(HttpServerTest, HeadIsServedByTheGetRouteWithoutTheBody) {
  HttpServer server;
  server.get("/", [](const auto&, auto& res) { res.set_content("twelve bytes", "text/plain"); });
  start(server);
  RawClient client(server.port());
  client.send("HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n");
  const std::string out = client.read_to_close();
  EXPECT_EQ(out.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(out.find("Content-Length: 12\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n") << out;
}

TEST_F(HttpServerTest, AStreamIsSentInChunksUntilItEndsAndClosedRunsOnce) {
  std::atomic<int> closed{0};
  HttpServer server;
  server.get("/stream", [&](const auto&, auto& res) {
    auto left = std::make_shared<int>(3);
    res.stream(
        "text/plain",
        [left](std::string& out) {
          out = "piece" + std::to_string(*left) + ";";
          return --*left > 0;
        },
        [&closed] { ++closed; });
  });
  start(server);
  std::string pieces;
  HttpConnection c("127.0.0.1", server.port());
  auto r = c.get("/stream", [&](std::string_view piece) {
    pieces.append(piece);
    return true;
  });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(pieces, "piece3;piece2;piece1;");
  EXPECT_TRUE(eventually([&] { return closed == 1; }));
  EXPECT_EQ(closed, 1);
}

TEST_F(HttpServerTest, AStreamEndsWhenItsClientGoesAway) {
  std::atomic<int> closed{0};
  std::atomic<int> asked{0};
  HttpServer server;
  server.get("/forever", [&](const auto&, auto& res) {
    res.stream(
        "text/plain",
        [&](std::string&) {
          ++asked;
          std::this_thread::sleep_for(10ms);  // a producer that waits for events, none coming
          return true;
        },
        [&] { ++closed; });
  });
  start(server);
  RawClient client(server.port());
  client.send("GET /forever HTTP/1.1\r\n\r\n");
  client.read_until([](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; });
  ASSERT_TRUE(eventually([&] { return asked > 0; }));
  EXPECT_EQ(closed, 0);
  client.close();
  EXPECT_TRUE(eventually([&] { return closed == 1; }));
}

TEST_F(HttpServerTest, StopEndsStreamsAndKeptConnectionsAndWaitsForThem) {
  std::atomic<int> closed{0};
  auto server = std::make_unique<HttpServer>();
  server->get("/forever", [&](const auto&, auto& res) {
    res.stream(
        "text/plain",
        [](std::string&) {
          std::this_thread::sleep_for(10ms);
          return true;
        },
        [&] { ++closed; });
  });
  server->get("/", [](const auto&, auto& res) { res.set_content("ok", "text/plain"); });
  start(*server);
  RawClient streaming(server->port());
  streaming.send("GET /forever HTTP/1.1\r\n\r\n");
  streaming.read_until(
      [](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; });
  HttpConnection kept("127.0.0.1", server->port());
  kept.keep_alive = true;
  ASSERT_EQ(kept.get("/").status, 200);
  server->stop();
  EXPECT_EQ(closed, 1);  // stop() returned only after the stream's end ran
  streaming.read_to_close();
  EXPECT_TRUE(streaming.closed());
  // Nothing listens any more.
  EXPECT_EQ(HttpConnection("127.0.0.1", server->port()).get("/").status, 0);
  server.reset();  // and a stopped server is destroyed without waiting again
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedAndAStalledRequestGets408) {
  HttpServer server(HttpServer::Options{.idle_timeout = 100ms, .io_timeout = 100ms});
  server.get("/", [](const auto&, auto& res) { res.set_content("ok", "text/plain"); });
  start(server);
  RawClient idle(server.port());
  EXPECT_EQ(idle.read_to_close(), "");  // closed without a word
  EXPECT_TRUE(idle.closed());
  RawClient stalled(server.port());
  stalled.send("GET / HTTP/1.1\r\nHost:");
  const std::string out = stalled.read_to_close();
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 408") << out;
  EXPECT_TRUE(stalled.closed());
  // The limit is on the whole request, not on each read: a client that sends a header line
  // every 20 ms, for 1 s in all, is cut off at the deadline.
  RawClient trickle(server.port());
  trickle.send("GET / HTTP/1.1\r\n");
  std::string answer;
  for (int i = 0; i < 50 && answer.empty(); ++i) {
    if (::send(trickle.fd(), "X-A: 1\r\n", 8, MSG_NOSIGNAL) < 0) break;
    answer = trickle.read_until([](const std::string& in) { return !in.empty(); }, 20ms);
  }
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 408") << answer;
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  HttpServer server(HttpServer::Options{.max_connections = 1});
  server.get("/", [](const auto&, auto& res) { res.set_content("ok", "text/plain"); });
  start(server);
  RawClient first(server.port());
  first.send("GET / HTTP/1.1\r\n\r\n");  // kept open afterwards: it holds the only place
  first.read_until([](const std::string& in) { return in.find("ok") != std::string::npos; });
  RawClient second(server.port());
  const std::string out = second.read_to_close();
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 503") << out;
  first.close();
  EXPECT_TRUE(eventually([&] { return get(server.port(), "/").status == 200; }));
}

TEST_F(HttpServerTest, ListeningOnAPortInUseSaysSo) {
  HttpServer first;
  start(first);
  HttpServer second;
  std::string error;
  EXPECT_FALSE(second.listen("127.0.0.1", first.port(), error));
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

}  // namespace
}  // namespace steward
