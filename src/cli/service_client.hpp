#pragma once

// How operator commands reach a service's scheduler: STEWARD_API, or the address the
// scheduler wrote to <data-dir>/<service>/api (--service NAME, or the only service running).

#include <iosfwd>
#include <optional>
#include <string>

namespace steward::cli {

struct ServiceTarget {
  std::string service;   // --service; empty: the only one running
  std::string data_dir;  // --data-dir; empty: $STEWARD_DATA_DIR or ~/.steward
  bool json = false;     // --json: print the API's answer as it is
};

struct ApiAnswer {
  int status = 0;  // 0: no answer (the error says why)
  std::string body;
  std::string error;
};

class ServiceClient {
 public:
  // Finds the scheduler's API; nullopt with the reason printed to `err`.
  static std::optional<ServiceClient> locate(const ServiceTarget& target, std::ostream& err);

  ApiAnswer get(const std::string& path) const;
  ApiAnswer post(const std::string& path, const std::string& body = "") const;
  const std::string& url() const { return url_; }

 private:
  ServiceClient(std::string url, std::string host, int port)
      : url_(std::move(url)), host_(std::move(host)), port_(port) {}
  ApiAnswer request(const std::string& method, const std::string& path,
                    const std::string& body) const;
  std::string url_;
  std::string host_;
  int port_ = 0;
};

// The services data directory: `dir`, $STEWARD_DATA_DIR or ~/.steward.
std::string services_dir(const std::string& dir);

// Prints an answer that is not a success ("error: 404: no plan \"x\"") and returns 1.
int report_failure(const ApiAnswer& answer, std::ostream& err);

}  // namespace steward::cli
