#pragma once

// The scheduler's REST API (dcos-commons §8.1 shapes and codes). Handlers run on the HTTP
// server's worker threads and reach the scheduler only through its thread-safe read models and
// commands (answered on its event loop). This is the part the scheduler itself needs
// (plans, pods, debug offers, framework id); the operator interface completes it.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steward/http_endpoint.hpp"

namespace steward::scheduler {
class ServiceScheduler;
}

namespace steward::api {

// A service's own endpoints (SchedulerBuilder::endpoint, ::endpoint_producer).
struct ApiExtensions {
  std::vector<std::pair<std::string, steward::EndpointHandler>> endpoints;  // path under /v1/
  std::map<std::string, steward::EndpointProducer> producers;               // /v1/endpoints/<name>
};

class ApiServer {
 public:
  // With `auth_token`, every request but a GET must carry `Authorization: Bearer <token>`.
  explicit ApiServer(scheduler::ServiceScheduler& scheduler, std::string auth_token = {},
                     ApiExtensions extensions = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // `port` 0 picks a free one. False with a message when it cannot listen.
  bool start(const std::string& host, int port, std::string& error);
  int port() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::api
