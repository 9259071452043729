#include "executor/check_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <string_view>

#include "common/http_connection.hpp"
#include "common/strings.hpp"

namespace steward::executor {

namespace {

bool tcp_connects(int port, double timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(timeout * 1000)) == 1) {
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ok = getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 && so_error == 0;
    }
  }
  close(fd);
  return ok;
}

}  // namespace

int run_probe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const bool http = !args.empty() && args[0] == "http" && args.size() == 4;
  const bool tcp = !args.empty() && args[0] == "tcp" && args.size() == 3;
  if (!http && !tcp) {
    err << "usage: steward check http PORT PATH TIMEOUT | steward check tcp PORT TIMEOUT\n";
    return 2;
  }
  auto port = parse_int(args[1]);
  auto timeout = parse_double(args.back());
  if (!port || *port < 1 || *port > 65535 || !timeout || *timeout <= 0) {
    err << "steward check: bad port or timeout\n";
    return 2;
  }
  if (tcp) return tcp_connects(static_cast<int>(*port), *timeout) ? 0 : 1;
  HttpConnection client("127.0.0.1", static_cast<int>(*port));
  const auto limit = std::chrono::milliseconds(static_cast<long long>(std::ceil(*timeout * 1000)));
  client.connect_timeout = limit;
  client.read_timeout = limit;
  client.write_timeout = limit;
  // Only the status counts (200-399 passes, as Mesos' curl-based check reads it): the exchange
  // ends once it is in, without waiting for a body.
  HttpConnection::Request request;
  request.path = args[2];
  const HttpConnection::Response res =
      client.send(request, [](const HttpConnection::Response&) { return false; });
  if (res.status == 0) {
    err << "steward check: " << res.error << "\n";
    return 1;
  }
  out << res.status << "\n";
  return res.status >= 200 && res.status < 400 ? 0 : 1;
}

std::optional<int> read_http_status(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  char text[16] = {};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const ssize_t n = regular ? read(fd, text, sizeof text - 1) : -1;
  close(fd);
  if (n <= 0) return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || value < 0 || value > 999) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace steward::executor
