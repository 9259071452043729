#pragma once

// A blocking HTTP/1.1 client connection over plain TCP: what the executor and the scheduler
// need to speak to the cluster (calls, and a response read as a stream), a readiness check's
// GET and a URI's download. Ours, like the server (http_server.hpp), so that no process links
// an HTTP library: Debian builds libcpp-httplib with OpenSSL, and loading libssl and libcrypto
// was half of each executor's start and 3 MB of its memory (docs/benchmarks.md).
//
// One exchange at a time (a pipelined batch is one); stop() may come from any thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steward {

class HttpConnection {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  struct Request {
    std::string method = "GET";
    std::string path = "/";
    Headers headers;
    std::string body;
  };
  struct Response {
    int status = 0;     // 0: no answer came, see error
    std::string error;  // what went wrong, when the exchange did not complete
    Headers headers;
    std::string body;                                 // unless a body function took it
    std::string header(std::string_view name) const;  // "" when absent
  };
  // Called once the status and headers are in; false ends the exchange ("canceled").
  using HeadFn = std::function<bool(const Response&)>;
  // Pieces of the body as they arrive; false ends the exchange ("canceled").
  using BodyFn = std::function<bool(std::string_view)>;

  HttpConnection(std::string host, int port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};  // between two pieces of the response
  std::chrono::milliseconds write_timeout{30000};
  // Keep the connection for the next request (the server willing); otherwise every request
  // asks the server to close it after answering.
  bool keep_alive = false;

  // Sends `request` (Host, Content-Length and Connection are added) and reads the answer.
  // A response that completed has its status, even when a body function or the connection's
  // end cut it short afterwards; error says why then.
  Response send(const Request& request, const HeadFn& on_head = {}, const BodyFn& on_body = {});
  // Sends every request at once (HTTP/1.1 pipelining: one write) and reads their answers in
  // order: many small calls for about the cost of one round trip, where each would take one.
  // For a kept connection to a server that answers requests in order, as HTTP/1.1 servers
  // must. Answers after one that failed, or after which the server closed the connection,
  // have status 0 and an error (the server may or may not have seen those requests). Every
  // request is written before any answer is read, so a batch must fit the sockets' buffers
  // (tens of kilobytes, not megabytes) or both sides could wait on a full one.
  std::vector<Response> send_pipelined(const std::vector<Request>& requests);
  Response get(const std::string& path, const BodyFn& on_body = {});
  // Ends the exchange under way (it fails with "canceled") and closes the connection; the
  // next send() connects afresh. Safe from any thread.
  void stop();

 private:
  bool connect(Response& r);
  // Appends the request's head (not its body); false with r.error when it cannot be sent.
  bool write_head(const Request& request, std::string& head, Response& r) const;
  // Reads one answer, feeding first what `rest` holds; leaves in `rest` the bytes read past
  // its end. True when the connection may carry the next exchange.
  bool receive(const Request& request, const HeadFn& on_head, const BodyFn& on_body, Response& r,
               std::string& rest);
  void close();
  bool write_all(std::string_view bytes, Response& r);

  std::string host_;
  int port_;
  std::mutex fd_mutex_;  // guards fd_ against stop() from another thread
  int fd_ = -1;
  std::atomic<bool> stopped_{false};
};

}  // namespace steward
