#pragma once

// Extension points on the scheduler's REST API (dcos-commons' custom endpoints, such as
// Kafka's topic endpoints, and endpoint producers, such as HDFS's hdfs-site.xml). Handlers run
// on the API's worker threads with a snapshot of the service taken for the request; they may
// run at the same time as each other. Only the standard library is included.

#include <functional>
#include <map>
#include <string>

#include "steward/service_view.hpp"

namespace steward {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string path;    // the full path, "/v1/topics/orders"
  std::map<std::string, std::string> query;
  std::string body;
  // The part of the path after the mount point ("orders" for a handler on "topics").
  std::string rest;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Mounted under /v1/<path>: requests to /v1/<path> and /v1/<path>/... reach it. An exception
// thrown by a handler is answered 500 with its message.
using EndpointHandler =
    std::function<HttpResponse(const HttpRequest&, const ServiceView&, PropertyStore&)>;

// Text served at /v1/endpoints/<name> (text/plain) and listed in /v1/endpoints.
using EndpointProducer = std::function<std::string(const ServiceView&)>;

}  // namespace steward
