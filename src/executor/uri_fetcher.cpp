#include "executor/uri_fetcher.hpp"

#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "common/http_connection.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"

namespace steward::executor {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool run(const std::vector<std::string>& argv, const std::string& cwd, std::string& error) {
  ProcessSpec spec;
  spec.shell = false;
  spec.arguments = argv;
  spec.environment = current_environment();
  spec.working_directory = cwd;
  auto pid = spawn(spec, error);
  if (!pid) return false;
  int status = 0;
  waitpid(*pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = argv[0] + " failed";
    return false;
  }
  return true;
}

// http://host[:port]/path into host, port and path; false when it is not such a URL.
bool split_url(const std::string& url, std::string& host, int& port, std::string& path) {
  if (url.rfind("http://", 0) != 0) return false;
  const std::string rest = url.substr(7);
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  path = slash == std::string::npos ? "/" : rest.substr(slash);
  host = authority;
  port = 80;
  if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    auto p = parse_int(authority.substr(colon + 1));
    if (!p || *p < 1 || *p > 65535) return false;
    port = static_cast<int>(*p);
  }
  return !host.empty();
}

// Where a redirect's Location points, from the URL that answered with it: another http:// URL,
// one without its scheme ("//host/path"), a path on the same host, or a path relative to the
// answering one. False with `error` for anything else (https among them).
bool follow(const std::string& location, std::string& host, int& port, std::string& path,
            std::string& error) {
  if (location.rfind("http://", 0) == 0 || location.rfind("//", 0) == 0) {
    const std::string url = location.front() == '/' ? "http:" + location : location;
    if (split_url(url, host, port, path)) return true;
  } else if (location.rfind("https://", 0) == 0) {
    error = "redirected to " + location + ", and https is not supported by the embedded cluster";
    return false;
  } else if (!location.empty() && location.front() == '/') {
    path = location;
    return true;
  } else if (!location.empty() && location.find("://") == std::string::npos) {
    path = path.substr(0, path.find('?'));
    path = path.substr(0, path.rfind('/') + 1) + location;
    return true;
  }
  error = "redirected to " + location + ", which cannot be fetched";
  return false;
}

bool download(const std::string& url, const fs::path& target, std::string& error) {
  std::string host, path;
  int port = 80;
  if (!split_url(url, host, port, path)) {
    error = "bad URL " + url;
    return false;
  }
  // Redirects are followed, ten at most.
  for (int hop = 0; hop <= 10; ++hop) {
    HttpConnection client(host, port);
    client.connect_timeout = std::chrono::seconds(10);
    client.read_timeout = std::chrono::seconds(300);
    std::ofstream out;
    int status = 0;
    bool write_failed = false;
    auto on_head = [&](const HttpConnection::Response& res) {
      status = res.status;
      if (status != 200) return true;  // a redirect's or an error's text follows
      out.open(target, std::ios::binary | std::ios::trunc);
      write_failed = !out;
      return !write_failed;
    };
    auto on_body = [&](std::string_view data) {
      if (status != 200) return true;
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      write_failed = !out;
      return !write_failed;
    };
    HttpConnection::Request request;
    request.path = path;
    const HttpConnection::Response res = client.send(request, on_head, on_body);
    if (write_failed) {
      error = "cannot fetch " + url + ": cannot write " + target.string();
      return false;
    }
    if (status >= 300 && status < 400 && !res.header("Location").empty()) {
      std::string why;
      if (!follow(res.header("Location"), host, port, path, why)) {
        error = "cannot fetch " + url + ": " + why;
        return false;
      }
      continue;
    }
    if (!res.error.empty() || status == 0) {
      error = "cannot fetch " + url + ": " + (res.error.empty() ? "no answer" : res.error);
      return false;
    }
    if (status != 200) {
      error = "cannot fetch " + url + ": HTTP " + std::to_string(status);
      return false;
    }
    out.close();
    if (!out) {
      error = "cannot fetch " + url + ": cannot write " + target.string();
      return false;
    }
    return true;
  }
  error = "cannot fetch " + url + ": more than 10 redirects";
  return false;
}

}  // namespace

bool fetch_uri(const mesos::CommandInfo::Uri& uri, const std::string& sandbox, std::string& error) {
  const std::string& value = uri.value;
  std::string name = value.substr(value.find_last_of('/') + 1);
  if (auto q = name.find('?'); q != std::string::npos) name = name.substr(0, q);
  if (name.empty()) name = "download";
  fs::path target = fs::path(sandbox) / name;
  std::error_code ec;
  if (value.rfind("http://", 0) == 0) {
    if (!download(value, target, error)) return false;
  } else if (value.rfind("https://", 0) == 0) {
    error = "cannot fetch " + value + ": https is not supported by the embedded cluster";
    return false;
  } else {
    std::string path = value.rfind("file://", 0) == 0 ? value.substr(7) : value;
    fs::copy_file(path, target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      error = "cannot fetch " + value + ": " + ec.message();
      return false;
    }
  }
  if (uri.extract) {
    const std::string t = target.string();
    if (ends_with(t, ".tar.gz") || ends_with(t, ".tgz") || ends_with(t, ".tar") ||
        ends_with(t, ".tar.xz") || ends_with(t, ".tar.bz2")) {
      if (!run({"tar", "-xf", t, "-C", sandbox}, sandbox, error)) {
        error = "cannot extract " + name + ": " + error;
        return false;
      }
    } else if (ends_with(t, ".zip")) {
      if (!run({"unzip", "-o", "-q", t, "-d", sandbox}, sandbox, error)) {
        error = "cannot extract " + name + ": " + error;
        return false;
      }
    }
  }
  if (uri.executable) {
    fs::permissions(target, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
  }
  return true;
}

}  // namespace steward::executor
