#pragma once

// The HTTP/1.1 server of the scheduler's API and the embedded cluster: one thread per open
// connection (an event stream holds its connection for its life), requests read with
// HttpMessageParser, routes matched on the decoded path with a regular expression, answers
// with a length or, for a stream, in chunks. Ours rather than a library's so that `steward`
// loads no TLS library it never uses (Debian builds cpp-httplib with OpenSSL, brotli and zlib:
// about 9 ms and 250 page faults of every start, and a few MB resident).
//
// Plain HTTP on the addresses it is given; keep-alive, pipelining, `Expect: 100-continue`,
// chunked request bodies and HEAD are served. A malformed request gets a 4xx saying what was
// wrong and its connection closed; a handler that throws gets a 500.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace steward {

class HttpServer {
 public:
  struct Request {
    std::string method;
    std::string target;  // as sent
    std::string path;    // the target before '?', percent-decoded
    std::vector<std::pair<std::string, std::string>> params;   // the query, decoded
    std::vector<std::pair<std::string, std::string>> headers;  // as sent
    std::string body;
    std::vector<std::string> matches;  // the route's groups; [0] is the whole path
    int remote_port = 0;               // the client's end of the connection

    bool has_header(std::string_view name) const;
    std::string header(std::string_view name) const;  // the first of that name, "" if none
    bool has_param(std::string_view name) const;
    std::string param(std::string_view name) const;  // the first of that name, "" if none
  };

  struct Response {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    // A streamed body, sent in chunks: `next` appends what it has to `out` (perhaps nothing,
    // after waiting a little) and returns false once the body is complete. The server asks
    // again until then, until the client goes away or until the server stops, and then runs
    // `closed` once, whichever ended it.
    std::function<bool(std::string& out)> next;
    std::function<void()> closed;

    void set_content(std::string content, std::string_view type);
    void set_header(std::string name, std::string value);
    void stream(std::string_view type, std::function<bool(std::string&)> next_piece,
                std::function<void()> on_closed);
  };

  using Handler = std::function<void(const Request&, Response&)>;
  // Pipelined requests a route takes together (see post() with a batch).
  using Joins = std::function<bool(const Request&)>;
  using BatchHandler = std::function<void(std::vector<Request>&, std::vector<Response>&)>;
  // Runs before routing; true when it answered the request itself.
  using Filter = std::function<bool(const Request&, Response&)>;
  // Fills the body of an answer the server makes itself (404, 405, 4xx for a malformed
  // request, 500 for a handler that threw) from its status and a message.
  using ErrorBody = std::function<void(Response&, const std::string& message)>;

  struct Options {
    std::size_t max_connections = 256;  // more are answered 503 and closed
    std::uint64_t max_body = 16 * 1024 * 1024;
    // A kept connection with no request under way is closed after this long.
    std::chrono::milliseconds idle_timeout{5000};
    // A request that has begun must arrive whole, and each write must go out, within this.
    std::chrono::milliseconds io_timeout{5000};
    // A connection is closed after answering this many requests (0: never for that reason).
    std::size_t max_requests = 0;
  };

  // Pipelined answers held back to go out together are sent once they reach this.
  static constexpr std::size_t kCorkedBytes = 256 * 1024;

  HttpServer();
  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes, matched whole against the decoded path in the order they were added. HEAD is
  // served by the GET route, without the body.
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler);
  // A POST route that is also handed, at once and in order, the requests a client has
  // pipelined to it: when a request `joins` accepts is followed by more that have arrived
  // whole and that `joins` accepts too (up to `max_batch`), `batch` gets them all and answers
  // each (`responses` comes sized to `requests`; no answer may be a stream). A handler that
  // hands work to another thread can then hand over a batch for one switch rather than a
  // switch per request. Requests `joins` refuses, and a request on its own, go to `handler`.
  // Not with a filter (set_filter): requests are batched only on a server without one.
  void post(const std::string& pattern, Handler handler, Joins joins, BatchHandler batch,
            std::size_t max_batch = 256);
  void put(const std::string& pattern, Handler handler);
  void del(const std::string& pattern, Handler handler);
  void set_filter(Filter filter) { filter_ = std::move(filter); }
  void set_error_body(ErrorBody error_body) { error_body_ = std::move(error_body); }

  // Listens on host:port (0 picks a free port) and serves from a thread of its own. False,
  // with a message in `error`, when it cannot.
  bool listen(const std::string& host, int port, std::string& error);
  int port() const { return port_; }
  // Stops accepting, ends every open connection and stream, and waits for their threads.
  // Handlers under way finish first.
  void stop();

 private:
  struct Route;
  void add(std::string method, const std::string& pattern, Handler handler);
  const Route* route_for(Request& request) const;  // the route dispatch() would take
  struct Framing {                                 // how a request's answer is framed
    bool keep = false;                             // the connection stays open after it
    bool http11 = true;
  };
  // Requests pipelined behind the batch's first that join it, taken from `pending`.
  void gather(const Route& route, std::string& pending, std::size_t& served,
              std::vector<Request>& batch, std::vector<Framing>& framing, int remote_port) const;
  // Runs the route's batch handler and appends the answers to `out` (sent if the connection
  // ends with them, or once `out` is large); false when sending failed.
  bool answer_batch(int fd, const Route& route, std::vector<Request>& batch,
                    std::vector<Framing>& framing, std::string& out) const;
  void accept_loop();
  bool start_connection_thread(int fd, int remote_port);
  static constexpr std::size_t kConnectionStack = 8 * 1024 * 1024;

  void serve(int fd, int remote_port);
  void dispatch(Request& request, Response& response) const;
  void answer_error(Response& response, int status, const std::string& message) const;

  Options options_;
  std::vector<std::unique_ptr<Route>> routes_;
  Filter filter_;
  ErrorBody error_body_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd that wakes the accepting thread to stop
  int port_ = -1;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::set<int> open_;       // connections being served, shut down by stop()
  std::size_t threads_ = 0;  // connection threads still running
};

}  // namespace steward
