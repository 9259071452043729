#include "common/http_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "common/http_message_parser.hpp"
#include "common/strings.hpp"

namespace steward {

namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

// Waits until `fd` is ready for `events`; 0 on time out, -1 on error (errno set).
int wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX);
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(ms));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

// The request target as it goes on the wire: spaces, control characters and bytes past ASCII
// percent-encoded (a URI or a check path from a spec may hold them; a CR or LF would
// otherwise end the request line), everything else as given.
std::string encode_target(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out.empty() ? "/" : out;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// Whether a kept connection is still fit to send on: an idle one the server closed (or sent
// something on, which can only be junk) reads as ready.
bool idle_and_open(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

std::string HttpConnection::Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

HttpConnection::HttpConnection(std::string host, int port) : host_(std::move(host)), port_(port) {}

HttpConnection::~HttpConnection() {
  close();
}

void HttpConnection::close() {
  std::lock_guard lock(fd_mutex_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpConnection::stop() {
  stopped_ = true;
  std::lock_guard lock(fd_mutex_);
  // Wakes a send() waiting on the socket; that send() closes it (closing here could let the
  // number be reused under it).
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

bool HttpConnection::connect(Response& r) {
  const std::string where = host_ + ":" + std::to_string(port_);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (const int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0) {
    r.error = "cannot resolve " + host_ + ": " + ::gai_strerror(rc);
    return false;
  }
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      why = errno_text(errno);
      continue;
    }
    {
      std::lock_guard lock(fd_mutex_);
      fd_ = fd;
    }
    if (stopped_) break;  // a stop() that came before the socket existed
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      const int ready = wait_for(fd, POLLOUT, connect_timeout);
      int err = 0;
      socklen_t len = sizeof err;
      if (ready == 0) {
        err = ETIMEDOUT;
      } else if (ready < 0) {
        err = errno;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0 && !stopped_) {
      // A request goes out in two writes (head, body); without this the second waited for
      // the server's delayed acknowledgement of the first on a kept connection.
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::freeaddrinfo(found);
      return true;
    }
    why = stopped_ ? "canceled" : errno == ETIMEDOUT ? "timed out" : errno_text(errno);
    close();
    if (stopped_) break;
  }
  ::freeaddrinfo(found);
  close();
  r.error = stopped_ ? "canceled" : "cannot connect to " + where + ": " + why;
  return false;
}

bool HttpConnection::write_all(std::string_view bytes, Response& r) {
  while (!bytes.empty()) {
    if (stopped_) {
      r.error = "canceled";
      return false;
    }
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = wait_for(fd_, POLLOUT, write_timeout);
      if (ready > 0) continue;
      r.error = ready == 0 ? "timed out sending the request" : errno_text(errno);
      return false;
    }
    r.error = stopped_ ? "canceled" : "cannot send the request: " + errno_text(errno);
    return false;
  }
  return true;
}

bool HttpConnection::write_head(const Request& request, std::string& head, Response& r) const {
  head.append(request.method)
      .append(" ")
      .append(encode_target(request.path))
      .append(" HTTP/1.1\r\n");
  head.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  for (const auto& [k, v] : request.headers) {
    if (iequals(k, "Host") || iequals(k, "Content-Length") || iequals(k, "Connection")) continue;
    if (k.empty() || has_line_break(k) || has_line_break(v) || k.find(':') != std::string::npos) {
      r.error = "bad request header " + quote(k);
      return false;
    }
    head.append(k).append(": ").append(v).append("\r\n");
  }
  if (request.method.empty() || request.method.find_first_of(" \r\n") != std::string::npos) {
    r.error = "bad request method " + quote(request.method);
    return false;
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH")
    head.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  if (!keep_alive) head.append("Connection: close\r\n");
  head.append("\r\n");
  return true;
}

HttpConnection::Response HttpConnection::send(const Request& request, const HeadFn& on_head,
                                              const BodyFn& on_body) {
  Response r;
  // A stop() between two exchanges shut the kept socket; this one starts afresh.
  if (stopped_.exchange(false)) close();
  std::string head;
  head.reserve(256);
  if (!write_head(request, head, r)) return r;
  if (fd_ >= 0 && !idle_and_open(fd_)) close();
  if (fd_ < 0 && !connect(r)) return r;
  if (!write_all(head, r) || !write_all(request.body, r)) {
    close();
    return r;
  }
  std::string rest;
  const bool reusable = receive(request, on_head, on_body, r, rest);
  if (!reusable || !rest.empty()) close();  // bytes after the answer: not fit to reuse
  return r;
}

std::vector<HttpConnection::Response> HttpConnection::send_pipelined(
    const std::vector<Request>& requests) {
  std::vector<Response> answers(requests.size());
  if (requests.empty()) return answers;
  if (stopped_.exchange(false)) close();
  std::string bytes;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!write_head(requests[i], bytes, answers[i])) {
      for (Response& a : answers)
        if (a.error.empty()) a.error = "not sent: a request of the batch was malformed";
      return answers;
    }
    bytes.append(requests[i].body);
  }
  Response& first = answers.front();
  auto fail_rest = [&](std::size_t from, const std::string& why) {
    for (std::size_t i = from; i < answers.size(); ++i)
      if (answers[i].error.empty() && answers[i].status == 0) answers[i].error = why;
  };
  if (fd_ >= 0 && !idle_and_open(fd_)) close();
  if ((fd_ < 0 && !connect(first)) || !write_all(bytes, first)) {
    close();
    fail_rest(1, first.error);
    return answers;
  }
  std::string rest;  // bytes read past one answer: the start of the next
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!receive(requests[i], {}, {}, answers[i], rest)) {
      close();
      fail_rest(i + 1, "no answer: the connection ended before it (" +
                           (answers[i].error.empty() ? std::string("closed by the server")
                                                     : answers[i].error) +
                           ")");
      return answers;
    }
  }
  if (!rest.empty()) close();
  return answers;
}

bool HttpConnection::receive(const Request& request, const HeadFn& on_head, const BodyFn& on_body,
                             Response& r, std::string& rest) {
  bool announced = false;
  bool canceled = false;
  HttpMessageParser* current = nullptr;
  // The head goes out before any of the body, which may come in the same read.
  auto announce = [&]() {
    if (announced) return true;
    announced = true;
    r.status = current->status();
    r.headers = current->headers();
    if (on_head && !on_head(r)) canceled = true;
    return !canceled;
  };
  HttpMessageParser::BodyFn body_fn;
  if (on_body)
    body_fn = [&](std::string_view piece) {
      if (!announce()) return false;
      if (!on_body(piece)) {
        canceled = true;
        return false;
      }
      return true;
    };
  HttpMessageParser parser(request.method == "HEAD", std::move(body_fn));
  current = &parser;
  auto take = [&](std::string_view got) {
    const std::size_t used = parser.feed(got);
    rest.assign(got.substr(std::min(used, got.size())));
  };
  if (!rest.empty()) {
    const std::string earlier = std::move(rest);
    take(earlier);
    if (parser.head_done()) announce();
  }
  char buffer[16 * 1024];
  while (!parser.done() && !parser.failed() && !canceled) {
    if (stopped_) {
      canceled = true;
      break;
    }
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      take(std::string_view(buffer, static_cast<std::size_t>(n)));
    } else if (n == 0) {
      if (stopped_) {  // the end stop() made, not the server's
        canceled = true;
        break;
      }
      parser.end_of_input();
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const int ready = wait_for(fd_, POLLIN, read_timeout);
      if (ready > 0) continue;
      r.error = ready == 0 ? "timed out waiting for the response" : errno_text(errno);
      break;
    } else {
      r.error = stopped_ ? "canceled" : "cannot read the response: " + errno_text(errno);
      break;
    }
    if (parser.head_done() && !announce()) break;
  }
  if (canceled || (stopped_ && !parser.done())) r.error = "canceled";
  if (r.error.empty() && parser.failed()) r.error = parser.error();
  if (!on_body) r.body = std::move(parser.body());
  return parser.done() && keep_alive && parser.keep_alive() && r.error.empty();
}

HttpConnection::Response HttpConnection::get(const std::string& path, const BodyFn& on_body) {
  Request request;
  request.path = path;
  return send(request, {}, on_body);
}

}  // namespace steward
