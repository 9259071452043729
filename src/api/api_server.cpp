#include "api/api_server.hpp"

#include <nlohmann/json.hpp>

#include "common/config_template_names.hpp"
#include "common/http_server.hpp"
#include "scheduler/service_scheduler.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

constexpr const char* kJson = "application/json";

void error(HttpServer::Response& res, int status, const std::string& message) {
  res.status = status;
  // A path may carry any bytes: never fail on turning them into JSON.
  res.set_content(json({{"message", message}}).dump(-1, ' ', false, json::error_handler_t::replace),
                  kJson);
}

int code_of(plan::CommandResult r) {
  switch (r) {
    case plan::CommandResult::done:
      return 200;
    case plan::CommandResult::already:
      return 208;
    case plan::CommandResult::not_found:
      return 404;
    case plan::CommandResult::invalid:
      return 400;
  }
  return 400;
}

}  // namespace

struct ApiServer::Impl {
  explicit Impl(scheduler::ServiceScheduler& s) : scheduler(s) {}
  scheduler::ServiceScheduler& scheduler;
  ApiExtensions extensions;
  // A configuration with its templates fits in a request.
  HttpServer server{HttpServer::Options{.max_body = 16 * 1024 * 1024}};
};

ApiServer::ApiServer(scheduler::ServiceScheduler& scheduler, std::string auth_token,
                     ApiExtensions extensions)
    : impl_(std::make_unique<Impl>(scheduler)) {
  impl_->extensions = std::move(extensions);
  const ApiExtensions& ext = impl_->extensions;
  auto& s = impl_->scheduler;
  auto& srv = impl_->server;
  srv.set_filter([&s, token = auth_token.empty() ? "" : "Bearer " + auth_token](
                     const HttpServer::Request& req, HttpServer::Response& res) {
    const bool reads = req.method == "GET" || req.method == "HEAD";
    if (!token.empty() && !reads && req.header("Authorization") != token) {
      error(res, 401, "this request changes the service: it needs Authorization: Bearer <token>");
      return true;
    }
    // The API serves while the scheduler loads its state: health says it is initializing,
    // and anything else waits for the state to be there.
    if (req.path == "/v1/health" || s.wait_started(std::chrono::seconds(30))) return false;
    error(res, 503, "the scheduler has not started: it is still loading its state, or failed to");
    return true;
  });
  srv.get("/v1/metrics/prometheus", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.metrics_text(), "text/plain; version=0.0.4");
  });
  srv.get("/v1/endpoints", [&s, &ext](const HttpServer::Request&, HttpServer::Response& res) {
    bool found = false;
    json names = json::parse(s.endpoints_json("", &found), nullptr, false);
    if (!names.is_array()) names = json::array();
    for (const auto& [name, producer] : ext.producers)
      names.push_back(name);
    res.set_content(names.dump(), kJson);
  });
  srv.get(R"(/v1/endpoints/([^/]+))",
          [&s, &ext](const HttpServer::Request& req, HttpServer::Response& res) {
            if (auto p = ext.producers.find(req.matches[1]); p != ext.producers.end()) {
              try {
                res.set_content(p->second(s.service_view()), "text/plain");
              } catch (const std::exception& e) {
                error(res, 500, std::string("the endpoint producer failed: ") + e.what());
              }
              return;
            }
            bool found = false;
            std::string body = s.endpoints_json(req.matches[1], &found);
            if (!found)
              return error(res, 404, "no endpoint \"" + std::string(req.matches[1]) + "\"");
            res.set_content(body, kJson);
          });
  srv.get("/v1/configurations", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.configurations_json(), kJson);
  });
  srv.get(R"(/v1/configurations/([^/]+))",
          [&s](const HttpServer::Request& req, HttpServer::Response& res) {
            auto body = s.configuration(req.matches[1]);
            if (!body)
              return error(res, 404, "no configuration \"" + std::string(req.matches[1]) + "\"");
            res.set_content(*body, kJson);
          });
  // A task's config template, fetched by its executor before the task starts.
  srv.get(std::string(kTemplateArtifacts) + "([^/]+)/([^/]+)/([^/]+)/([^/]+)",
          [&s](const HttpServer::Request& req, HttpServer::Response& res) {
            auto text =
                s.config_template(req.matches[1], req.matches[2], req.matches[3], req.matches[4]);
            if (!text)
              return error(res, 404,
                           "no config template \"" + std::string(req.matches[4]) + "\" of task \"" +
                               std::string(req.matches[3]) + "\" of pod \"" +
                               std::string(req.matches[2]) + "\" in configuration \"" +
                               std::string(req.matches[1]) + "\"");
            res.set_content(*text, "text/plain");
          });
  srv.get("/v1/state/properties", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.property_keys_json(), kJson);
  });
  srv.get(R"(/v1/state/properties/([^/]+))",
          [&s](const HttpServer::Request& req, HttpServer::Response& res) {
            auto value = s.property(req.matches[1]);
            if (!value)
              return error(res, 404, "no property \"" + std::string(req.matches[1]) + "\"");
            res.set_content(*value, "application/octet-stream");
          });
  srv.get("/v1/health", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    auto [code, body] = s.health();
    res.status = code;
    res.set_content(body, kJson);
  });
  srv.get("/v1/debug/taskStatuses", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.task_statuses_json(), kJson);
  });
  srv.get("/v1/debug/reservations", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.reservations_json(), kJson);
  });
  srv.get("/v1/plans", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(json(s.plan_names()).dump(), kJson);
  });
  srv.get(R"(/v1/plans/([^/]+))", [&s](const HttpServer::Request& req, HttpServer::Response& res) {
    plan::Status status = plan::Status::pending;
    auto body = s.plan_json(req.matches[1], &status);
    if (!body) return error(res, 404, "no plan \"" + std::string(req.matches[1]) + "\"");
    res.status = status == plan::Status::complete ? 200 : status == plan::Status::error ? 417 : 202;
    res.set_content(*body, kJson);
  });
  srv.post(R"(/v1/plans/([^/]+)/(start|stop|interrupt|continue|forceComplete|restart))",
           [&s](const HttpServer::Request& req, HttpServer::Response& res) {
             std::map<std::string, std::string> parameters;
             if (req.matches[2] == "start" && !req.body.empty()) {
               json j = json::parse(req.body, nullptr, false);
               if (j.is_discarded() || !j.is_object())
                 return error(res, 400, "the body must be a JSON object of parameters");
               for (const auto& [k, v] : j.items()) {
                 if (!v.is_string()) return error(res, 400, "parameter " + k + " must be a string");
                 parameters[k] = v.get<std::string>();
               }
             }
             auto outcome = s.plan_command(req.matches[2], req.matches[1], req.param("phase"),
                                           req.param("step"), parameters);
             res.status = code_of(outcome.result);
             res.set_content(json({{"message", outcome.message}})
                                 .dump(-1, ' ', false, json::error_handler_t::replace),
                             kJson);
           });
  // A new target configuration, as /v1/configurations/target shows one; ?dryRun=true only
  // answers what it would do.
  srv.post("/v1/update", [&s](const HttpServer::Request& req, HttpServer::Response& res) {
    const std::string dry = req.param("dryRun");
    if (!dry.empty() && dry != "true" && dry != "false")
      return error(res, 400, "dryRun must be true or false");
    auto [code, body] = s.update(req.body, dry == "true");
    res.status = code;
    res.set_content(body, kJson);
  });
  // The service's own endpoints, under /v1/<path> and below.
  for (const auto& endpoint : ext.endpoints) {
    const std::string& path = endpoint.first;
    const steward::EndpointHandler& h = endpoint.second;
    std::string literal;  // paths are [a-z0-9_./-]: only '.' means something to a regex
    for (char c : path)
      literal += c == '.' ? std::string("\\.") : std::string(1, c);
    const std::string pattern = "/v1/" + literal + "(/.*)?";
    auto serve = [&s, &h, path](const HttpServer::Request& req, HttpServer::Response& res) {
      steward::HttpRequest r;
      r.method = req.method;
      r.path = req.path;
      r.body = req.body;
      for (const auto& [k, v] : req.params)
        r.query[k] = v;
      const std::string matched = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
      r.rest = matched.empty() ? "" : matched.substr(1);
      try {
        steward::HttpResponse answer = h(r, s.service_view(), s.properties());
        res.status = answer.status;
        res.set_content(answer.body, answer.content_type);
      } catch (const std::exception& e) {
        error(res, 500, "the endpoint " + path + " failed: " + e.what());
      }
    };
    srv.get(pattern, serve);
    srv.post(pattern, serve);
    srv.put(pattern, serve);
    srv.del(pattern, serve);
  }
  srv.get("/v1/pod", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(json(s.pod_names()).dump(), kJson);
  });
  srv.get("/v1/pod/status", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    res.set_content(s.all_pods_status_json(), kJson);
  });
  srv.get(R"(/v1/pod/([^/]+)/info)",
          [&s](const HttpServer::Request& req, HttpServer::Response& res) {
            std::string body = s.pod_info_json(req.matches[1]);
            if (body.empty())
              return error(res, 404, "no pod \"" + std::string(req.matches[1]) + "\"");
            res.set_content(body, kJson);
          });
  srv.get(R"(/v1/pod/([^/]+)/status)",
          [&s](const HttpServer::Request& req, HttpServer::Response& res) {
            std::string body = s.pod_status_json(req.matches[1]);
            if (body.empty())
              return error(res, 404, "no pod \"" + std::string(req.matches[1]) + "\"");
            res.set_content(body, kJson);
          });
  srv.post(R"(/v1/pod/([^/]+)/(restart|replace|pause|resume))",
           [&s](const HttpServer::Request& req, HttpServer::Response& res) {
             // pause and resume take a JSON list of task names (none or empty: all of them).
             std::vector<std::string> tasks;
             if (!req.body.empty() && (req.matches[2] == "pause" || req.matches[2] == "resume")) {
               json j = json::parse(req.body, nullptr, false);
               if (j.is_discarded() || !j.is_array())
                 return error(res, 400, "the body must be a JSON list of task names");
               for (const json& t : j) {
                 if (!t.is_string()) return error(res, 400, "task names must be strings");
                 tasks.push_back(t.get<std::string>());
               }
             }
             auto done = s.pod_command(req.matches[2], req.matches[1], tasks);
             if (!done) return error(res, 404, "no pod \"" + std::string(req.matches[1]) + "\"");
             res.set_content(json({{"pod", std::string(req.matches[1])}, {"tasks", *done}})
                                 .dump(-1, ' ', false, json::error_handler_t::replace),
                             kJson);
           });
  srv.get("/v2/debug/offers", [&s](const HttpServer::Request& req, HttpServer::Response& res) {
    res.set_content(s.debug_offers_json(req.param("plan"), req.param("phase"), req.param("step")),
                    kJson);
  });
  srv.get("/v1/state/frameworkId", [&s](const HttpServer::Request&, HttpServer::Response& res) {
    auto id = s.framework_id();
    if (!id) return error(res, 404, "not registered yet");
    res.set_content(json(*id).dump(), kJson);
  });
  // What the server answers itself (no such endpoint, a malformed request, a handler that
  // threw) in the API's shape.
  srv.set_error_body([](HttpServer::Response& res, const std::string& message) {
    error(res, res.status, message);
  });
}

ApiServer::~ApiServer() {
  stop();
}

bool ApiServer::start(const std::string& host, int port, std::string& message) {
  return impl_->server.listen(host, port, message);
}

int ApiServer::port() const {
  return impl_->server.port();
}

void ApiServer::stop() {
  if (impl_) impl_->server.stop();
}

}  // namespace steward::api
