#include "common/http_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <regex>

#include "common/http_message_parser.hpp"
#include "common/strings.hpp"

namespace steward {

struct HttpServer::Route {
  std::string method;
  std::regex pattern;
  Handler handler;
  Joins joins;  // with batch: requests pipelined to this route may be handled together
  BatchHandler batch;
  std::size_t max_batch = 0;
};

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX sequences decoded (and '+' as a space in a query); a malformed one is kept as it is.
std::string decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      params.emplace_back(decode(pair.substr(0, eq), true),
                          eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

const char* reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 208:
      return "Already Reported";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 300   ? "OK"
             : status < 400 ? "Redirect"
             : status < 500 ? "Error"
                            : "Server Error";
  }
}

// Writes all of `bytes`; false when the peer is gone or a write timed out (SO_SNDTIMEO).
bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Whether the client has closed its side (or the connection broke), without waiting.
bool client_gone(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

const std::string* find(const std::vector<std::pair<std::string, std::string>>& list,
                        std::string_view name, bool any_case) {
  for (const auto& [k, v] : list)
    if (any_case ? iequals(k, name) : k == name) return &v;
  return nullptr;
}

}  // namespace

bool HttpServer::Request::has_header(std::string_view name) const {
  return find(headers, name, true) != nullptr;
}

std::string HttpServer::Request::header(std::string_view name) const {
  const std::string* v = find(headers, name, true);
  return v ? *v : std::string();
}

bool HttpServer::Request::has_param(std::string_view name) const {
  return find(params, name, false) != nullptr;
}

std::string HttpServer::Request::param(std::string_view name) const {
  const std::string* v = find(params, name, false);
  return v ? *v : std::string();
}

void HttpServer::Response::set_content(std::string content, std::string_view type) {
  body = std::move(content);
  set_header("Content-Type", std::string(type));
}

void HttpServer::Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  headers.emplace_back(std::move(name), std::move(value));
}

void HttpServer::Response::stream(std::string_view type,
                                  std::function<bool(std::string&)> next_piece,
                                  std::function<void()> on_closed) {
  set_header("Content-Type", std::string(type));
  next = std::move(next_piece);
  closed = std::move(on_closed);
}

HttpServer::HttpServer() : HttpServer(Options{}) {}

HttpServer::HttpServer(Options options) : options_(options) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::add(std::string method, const std::string& pattern, Handler handler) {
  routes_.push_back(std::make_unique<Route>(Route{std::move(method),
                                                  std::regex(pattern, std::regex::ECMAScript),
                                                  std::move(handler),
                                                  {},
                                                  {},
                                                  0}));
}

void HttpServer::get(const std::string& pattern, Handler handler) {
  add("GET", pattern, std::move(handler));
}
void HttpServer::post(const std::string& pattern, Handler handler) {
  add("POST", pattern, std::move(handler));
}
void HttpServer::post(const std::string& pattern, Handler handler, Joins joins, BatchHandler batch,
                      std::size_t max_batch) {
  add("POST", pattern, std::move(handler));
  Route& route = *routes_.back();
  route.joins = std::move(joins);
  route.batch = std::move(batch);
  route.max_batch = std::max<std::size_t>(1, max_batch);
}
void HttpServer::put(const std::string& pattern, Handler handler) {
  add("PUT", pattern, std::move(handler));
}
void HttpServer::del(const std::string& pattern, Handler handler) {
  add("DELETE", pattern, std::move(handler));
}

bool HttpServer::listen(const std::string& host, int port, std::string& error) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    error = "cannot listen on " + where + ": " + ::gai_strerror(rc);
    return false;
  }
  int fd = -1;
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) break;
    why = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    error = "cannot listen on " + where + ": " + why;
    return false;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    error = std::string("cannot listen: eventfd: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  listen_fd_ = fd;
  acceptor_ = std::thread([this] { accept_loop(); });
  return true;
}

void HttpServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (stopping_) break;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    const int fd =
        ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors, say: wait a little for connections to end rather than spin.
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
        pollfd wake{wake_fd_, POLLIN, 0};
        ::poll(&wake, 1, 50);
      }
      continue;
    }
    const int one = 1;
    // Answers go out in pieces (head, then body or chunks): without this a client's next
    // request on a kept connection waited out its delayed ACK.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const auto ms = options_.io_timeout.count();
    timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    {
      std::lock_guard lock(mutex_);
      if (open_.size() >= options_.max_connections) {
        Response busy;
        answer_error(busy, 503, "too many connections; retry later");
        std::string text = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n";
        for (const auto& [k, v] : busy.headers)
          text += k + ": " + v + "\r\n";
        text += "Content-Length: " + std::to_string(busy.body.size()) + "\r\n\r\n" + busy.body;
        (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        // What the client has sent already is read away, so that closing does not reset
        // the connection before the answer is read; no thread is spent waiting for more.
        ::shutdown(fd, SHUT_WR);
        char sink[4096];
        while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
        ::close(fd);
        continue;
      }
      open_.insert(fd);
      ++threads_;
    }
    const int remote_port =
        ntohs(peer.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&peer)->sin_port);
    if (!start_connection_thread(fd, remote_port)) {
      std::lock_guard lock(mutex_);
      open_.erase(fd);
      ::close(fd);
      --threads_;
    }
  }
}

namespace {

struct ConnectionStart {
  std::function<void()> run;
};

void* run_connection(void* arg) {
  std::unique_ptr<ConnectionStart> start(static_cast<ConnectionStart*>(arg));
  start->run();
  return nullptr;
}

}  // namespace

bool HttpServer::start_connection_thread(int fd, int remote_port) {
  auto start = std::make_unique<ConnectionStart>();
  start->run = [this, fd, remote_port] {
    try {
      serve(fd, remote_port);
    } catch (...) {
      // Out of memory, say: this connection ends, the server goes on.
    }
    std::lock_guard lock(mutex_);
    open_.erase(fd);
    ::close(fd);
    --threads_;
    idle_.notify_all();  // under the lock: stop() may destroy the server once it wakes
  };
  // A stack of a known size: routes match with std::regex, whose matching recurses once per
  // character of the path (about 260 bytes each in a release build). With `ulimit -s
  // unlimited` glibc would give threads 2 MB, which a path of 8 KB overflows.
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setstacksize(&attr, kConnectionStack);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, run_connection, start.get());
  pthread_attr_destroy(&attr);
  if (rc != 0) return false;
  start.release();  // the thread owns it now
  return true;
}

void HttpServer::answer_error(Response& response, int status, const std::string& message) const {
  // A stream the handler had begun is not sent: its end runs now.
  if (response.closed) response.closed();
  response = Response{};
  response.status = status;
  if (error_body_) {
    error_body_(response, message);
  } else {
    response.set_content(message, "text/plain");
  }
}

void HttpServer::dispatch(Request& request, Response& response) const {
  try {
    if (filter_ && filter_(request, response)) return;
  } catch (const std::exception& e) {
    return answer_error(response, 500, e.what());
  } catch (...) {
    return answer_error(response, 500, "internal error");
  }
  const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
  std::string allowed;
  std::smatch m;
  for (const auto& route : routes_) {
    if (!std::regex_match(request.path, m, route->pattern)) continue;
    if (route->method != method) {
      const std::string also = route->method == "GET" ? "GET, HEAD" : route->method;
      if (allowed.find(route->method) == std::string::npos)
        allowed += (allowed.empty() ? "" : ", ") + also;
      continue;
    }
    request.matches.assign(m.begin(), m.end());
    try {
      route->handler(request, response);
    } catch (const std::exception& e) {
      answer_error(response, 500, e.what());
    } catch (...) {
      answer_error(response, 500, "internal error");
    }
    return;
  }
  if (!allowed.empty()) {
    answer_error(response, 405, request.method + " is not served at " + request.path);
    response.set_header("Allow", allowed);
    return;
  }
  answer_error(response, 404, "no such endpoint: " + request.path);
}

namespace {

// Ends the sending side and reads away what the client still sends, for a moment, before the
// connection is closed: closing with unread bytes would reset the connection, and the client
// could lose the answer it has not read yet.
void linger(int fd, const std::atomic<bool>& stopping) {
  ::shutdown(fd, SHUT_WR);
  char buffer[4096];
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (!stopping && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, 50);
    if (rc < 0 && errno != EINTR) return;
    if (rc > 0 && ::recv(fd, buffer, sizeof buffer, 0) <= 0) return;
  }
}

// The path (and query) of a target: the absolute form, as sent to a proxy, loses its scheme
// and authority.
std::string origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme))
      continue;
    const std::size_t at = target.find_first_of("/?", scheme.size());
    if (at == std::string_view::npos) return "/";
    return (target[at] == '?' ? "/" : "") + std::string(target.substr(at));
  }
  return std::string(target);
}

// The request the parser has read whole.
HttpServer::Request request_from(HttpMessageParser& parser, int remote_port) {
  HttpServer::Request request;
  request.remote_port = remote_port;
  request.method = parser.method();
  request.target = parser.target();
  request.headers = parser.headers();
  request.body = std::move(parser.body());
  const std::string form = origin_form(request.target);
  const std::string_view target = form;
  const std::size_t q = target.find('?');
  request.path = decode(target.substr(0, q), false);
  if (q != std::string_view::npos) request.params = parse_query(target.substr(q + 1));
  return request;
}

// Empties answers sent, and lets go of a large answer's room: a kept connection that once
// answered with megabytes (a state document) would otherwise hold them while it lives.
void sent(std::string& out) {
  if (out.capacity() > 2 * HttpServer::kCorkedBytes)
    std::string().swap(out);
  else
    out.clear();
}

// Appends the answer's status line, headers and (unless streamed or HEAD) body to `out`.
void append_answer(std::string& out, const HttpServer::Response& response, bool head, bool keep,
                   bool http11) {
  const bool streamed = static_cast<bool>(response.next);
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason(response.status);
  out += "\r\n";
  for (const auto& [k, v] : response.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (streamed && !bodiless) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (!bodiless) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (!keep) {
    out += "Connection: close\r\n";
  } else if (!http11) {
    out += "Connection: keep-alive\r\n";  // an HTTP/1.0 client closes otherwise
  }
  out += "\r\n";
  if (!streamed && !head && !bodiless) out += response.body;
}

}  // namespace

const HttpServer::Route* HttpServer::route_for(Request& request) const {
  const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
  std::smatch m;
  for (const auto& route : routes_) {
    if (route->method != method || !std::regex_match(request.path, m, route->pattern)) continue;
    request.matches.assign(m.begin(), m.end());
    return route.get();
  }
  return nullptr;
}

void HttpServer::gather(const Route& route, std::string& pending, std::size_t& served,
                        std::vector<Request>& batch, std::vector<Framing>& framing,
                        int remote_port) const {
  // Only what has arrived: the batch never waits for a request.
  while (batch.size() < route.max_batch && !pending.empty() && !stopping_) {
    auto parser = HttpMessageParser::request(options_.max_body);
    const std::size_t used = parser.feed(pending);
    // Not whole yet, malformed, or waiting for a 100 Continue: served alone, as it comes.
    if (!parser.done() || parser.expects_continue()) return;
    Request next = request_from(parser, remote_port);
    if (route_for(next) != &route || !route.joins(next)) return;  // served alone, next
    pending.erase(0, used);
    ++served;
    const bool keep =
        parser.keep_alive() && (options_.max_requests == 0 || served < options_.max_requests);
    batch.push_back(std::move(next));
    framing.push_back({keep, parser.http11()});
    if (!keep) return;  // the connection ends after this one's answer
  }
}

bool HttpServer::answer_batch(int fd, const Route& route, std::vector<Request>& batch,
                              std::vector<Framing>& framing, std::string& out) const {
  std::vector<Response> responses(batch.size());
  // Every answer is replaced (answer_error runs a begun stream's end first): the handler
  // failed part way, and which of its answers stand is not known.
  auto fail_all = [&](const std::string& why) {
    responses.resize(batch.size());
    for (Response& r : responses)
      answer_error(r, 500, why);
  };
  try {
    route.batch(batch, responses);
    if (responses.size() != batch.size()) fail_all("internal error: answers do not match requests");
  } catch (const std::exception& e) {
    fail_all(e.what());
  } catch (...) {
    fail_all("internal error");
  }
  if (stopping_) framing.back().keep = false;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    Response& r = responses[i];
    if (r.next || r.closed) answer_error(r, 500, "internal error: a batched answer was a stream");
    append_answer(out, r, false, framing[i].keep, framing[i].http11);
  }
  if (!framing.back().keep || out.size() >= kCorkedBytes) {
    if (!send_all(fd, out)) return false;
    sent(out);
  }
  return true;
}

void HttpServer::serve(int fd, int remote_port) {
  std::string pending;  // bytes read past the last request: the start of the next
  // Answers not sent yet: while the client's pipelined requests are already here, their
  // answers go out together, in one send once the next request has to be waited for (a
  // scheduler pipelines its acknowledgements by the hundred).
  std::string out;
  char buffer[16 * 1024];
  for (std::size_t served = 1;; ++served) {
    auto parser = HttpMessageParser::request(options_.max_body);
    bool continued = false;
    pending.erase(0, parser.feed(pending));
    bool timed_out = false, closed = false;
    // An idle kept connection waits for the next request's first byte at most idle_timeout;
    // a request that has begun must arrive whole within io_timeout.
    std::chrono::steady_clock::time_point deadline{};
    while (!parser.done() && !parser.failed()) {
      if (!out.empty()) {
        if (!send_all(fd, out)) return;
        sent(out);
      }
      if (parser.expects_continue() && !continued) {
        continued = true;
        if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return;
      }
      const bool begun = parser.begun();
      if (begun && deadline == std::chrono::steady_clock::time_point{})
        deadline = std::chrono::steady_clock::now() + options_.io_timeout;
      const auto wait =
          begun ? std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                             deadline - std::chrono::steady_clock::now())
                                             .count())
                : static_cast<long long>(options_.idle_timeout.count());
      pollfd p{fd, POLLIN, 0};
      const int rc = wait == 0 ? 0 : ::poll(&p, 1, static_cast<int>(wait));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0) {
        if (rc < 0 || !begun) return;  // an idle connection ends without a word
        timed_out = true;
        break;
      }
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!parser.begun()) return;  // closed between requests: nothing to answer
        closed = true;
        break;
      }
      const std::string_view got(buffer, static_cast<std::size_t>(n));
      const std::size_t took = parser.feed(got);
      if (took < got.size()) pending.assign(got.substr(took));
    }
    if (closed) return;
    if (stopping_) {
      // Answers held back are for requests already carried out: they still go.
      if (!out.empty()) (void)send_all(fd, out);
      return;
    }
    Request request;
    Response response;
    bool keep = false;
    if (timed_out) {
      answer_error(response, 408, "the request did not arrive in time");
    } else if (parser.failed()) {
      answer_error(response, parser.error_status(), parser.error());
    } else {
      keep = parser.keep_alive() && (options_.max_requests == 0 || served < options_.max_requests);
      request = request_from(parser, remote_port);
      const Route* route = filter_ ? nullptr : route_for(request);
      if (keep && route != nullptr && route->batch && route->joins(request)) {
        std::vector<Request> batch;
        std::vector<Framing> framing{{true, parser.http11()}};
        batch.push_back(std::move(request));
        gather(*route, pending, served, batch, framing, remote_port);
        if (batch.size() > 1) {
          if (!answer_batch(fd, *route, batch, framing, out)) return;
          if (!framing.back().keep) {
            linger(fd, stopping_);
            return;
          }
          continue;
        }
        request = std::move(batch.front());
      }
      dispatch(request, response);
    }
    // A stream's end runs once, whatever happens from here.
    struct RunOnExit {
      std::function<void()> f;
      ~RunOnExit() {
        if (!f) return;
        try {
          f();
        } catch (...) {
        }
      }
    } closed_fn{std::move(response.closed)};
    const bool head = request.method == "HEAD";
    const bool streamed = static_cast<bool>(response.next);
    if (streamed || stopping_) keep = false;
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    append_answer(out, response, head, keep, parser.http11());
    // Held back only while more requests wait and the answers stay small.
    if (streamed || !keep || out.size() >= kCorkedBytes) {
      if (!send_all(fd, out)) return;
      sent(out);
    }
    if (streamed && !head && !bodiless) {
      std::string piece;
      while (!stopping_) {
        piece.clear();
        bool more = false;
        try {
          more = response.next(piece);
        } catch (...) {
          return;  // the stream broke: the client sees the body end unfinished
        }
        if (!piece.empty()) {
          char size[32];
          const int len = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
          piece.insert(0, size, static_cast<std::size_t>(len));
          piece += "\r\n";
          if (!send_all(fd, piece)) return;
        }
        if (!more) {
          if (send_all(fd, "0\r\n\r\n")) linger(fd, stopping_);
          return;
        }
        if (piece.empty() && client_gone(fd)) return;
      }
      return;
    }
    if (!keep) {
      linger(fd, stopping_);
      return;
    }
  }
}

void HttpServer::stop() {
  std::lock_guard stopping(stop_mutex_);  // a second caller waits for the first to finish
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::unique_lock lock(mutex_);
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  for (int fd : open_)
    ::shutdown(fd, SHUT_RDWR);
  idle_.wait(lock, [this] { return threads_ == 0; });
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
}

}  // namespace steward
