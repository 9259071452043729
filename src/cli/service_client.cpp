#include "cli/service_client.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "cli/cluster_command.hpp"
#include "mesos/scheduler_client.hpp"

namespace steward::cli {

namespace fs = std::filesystem;

std::string services_dir(const std::string& dir) {
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("STEWARD_DATA_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.steward";
}

namespace {

std::optional<std::string> read_api_file(const fs::path& file) {
  std::ifstream in(file);
  std::string url;
  if (!(in >> url)) return std::nullopt;
  return url;
}

}  // namespace

std::optional<ServiceClient> ServiceClient::locate(const ServiceTarget& target, std::ostream& err) {
  std::string url;
  if (const char* env = std::getenv("STEWARD_API"); env && *env) {
    url = env;
  } else {
    const std::string dir = services_dir(target.data_dir);
    if (!target.service.empty()) {
      auto found = read_api_file(fs::path(dir) / target.service / "api");
      if (!found) {
        err << "error: no scheduler of " << target.service << " is running (no "
            << (fs::path(dir) / target.service / "api").string()
            << "); start it with `steward run`, or set STEWARD_API\n";
        return std::nullopt;
      }
      url = *found;
    } else {
      std::vector<std::pair<std::string, std::string>> running;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (auto found = read_api_file(e.path() / "api"))
          running.emplace_back(e.path().filename().string(), *found);
      if (running.size() != 1) {
        if (running.empty()) {
          err << "error: no service is running (nothing in " << dir
              << "); start one with `steward run SPEC`\n";
        } else {
          err << "error: several services are running; say which with --service:";
          for (const auto& [name, u] : running)
            err << " " << name;
          err << "\n";
        }
        return std::nullopt;
      }
      url = running[0].second;
    }
  }
  std::string host;
  int port = 0;
  if (!parse_address(url, host, port)) {
    err << "error: the scheduler's address \"" << url << "\" is not http://host:port\n";
    return std::nullopt;
  }
  return ServiceClient(url, host, port);
}

ApiAnswer ServiceClient::request(const std::string& method, const std::string& path,
                                 const std::string& body) const {
  mesos::SchedulerClient client(host_, port_);
  std::vector<std::pair<std::string, std::string>> headers;
  if (method == "POST") headers.emplace_back("Content-Type", "application/json");
  if (const char* token = std::getenv("STEWARD_AUTH_TOKEN"); token && *token)
    headers.emplace_back("Authorization", std::string("Bearer ") + token);
  auto r = client.request(method, path, body, headers);
  ApiAnswer a{r.status, r.body, r.error};
  if (a.status == 0 && a.error.empty()) a.error = "no answer";
  return a;
}

ApiAnswer ServiceClient::get(const std::string& path) const {
  return request("GET", path, "");
}

ApiAnswer ServiceClient::post(const std::string& path, const std::string& body) const {
  return request("POST", path, body);
}

int report_failure(const ApiAnswer& answer, std::ostream& err) {
  if (answer.status == 0) {
    err << "error: the scheduler did not answer: " << answer.error << "\n";
    return 1;
  }
  nlohmann::json j = nlohmann::json::parse(answer.body, nullptr, false);
  std::string message = j.is_object() && j.contains("message") && j["message"].is_string()
                            ? j["message"].get<std::string>()
                            : answer.body;
  err << "error: " << answer.status << ": " << message << "\n";
  return 1;
}

}  // namespace steward::cli
