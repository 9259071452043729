#include "executor/uri_fetcher.hpp"

#include <httplib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "common/process.hpp"

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

bool download(const std::string& url, const fs::path& target, std::string& error) {
  // http://host[:port]/path
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = authority;
  int port = 80;
  if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    try {
      port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      error = "bad port in " + url;
      return false;
    }
  }
  httplib::Client client(host, port);
  client.set_follow_location(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(300));
  std::ofstream out(target, std::ios::binary);
  auto res = client.Get(path, [&](const char* data, std::size_t n) {
    out.write(data, static_cast<std::streamsize>(n));
    return static_cast<bool>(out);
  });
  if (!res) {
    error = "cannot fetch " + url + ": " + httplib::to_string(res.error());
    return false;
  }
  if (res->status != 200) {
    error = "cannot fetch " + url + ": HTTP " + std::to_string(res->status);
    return false;
  }
  return static_cast<bool>(out);
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
