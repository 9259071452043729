#pragma once

// Operator commands against a running scheduler's REST API (dcos CLI semantics):
// `steward plan list|show|start|stop|pause|resume|force-restart|force-complete`,
// `steward pod list|status|info|restart|replace`, `steward debug offers`.
// Exit codes: 0 ok, 1 the request failed (no scheduler, or a 4xx/5xx answer), 2 usage.

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/service_client.hpp"

namespace steward::cli {

struct PlanCommandOptions {
  ServiceTarget target;
  std::string action;  // list, show, start, stop, pause, resume, force-restart, force-complete
  std::string plan = "deploy";
  std::string phase;
  std::string step;
  std::vector<std::string> parameters;  // start: K=V
  bool watch = false;                   // show: redraw until the plan settles
  bool colour = false;                  // statuses in colour (a terminal)
};

struct PodCommandOptions {
  ServiceTarget target;
  std::string action;              // list, status, info, restart, replace
  std::string pod;                 // status: optional
  std::vector<std::string> tasks;  // pause, resume: these tasks only
};

struct DebugOffersOptions {
  ServiceTarget target;
  std::string plan, phase, step;
};

// `steward config list|show ID|target|target-id`, `steward state framework-id|properties|
// property KEY`, `steward health`, `steward endpoints [NAME]`.
struct ReadCommandOptions {
  ServiceTarget target;
  std::string what;  // config-list, config-show, config-target, config-target-id, framework-id,
                     // properties, property, health, endpoints
  std::string arg;   // the id, key or endpoint name
};

int run_read_command(const ReadCommandOptions& options, std::ostream& out, std::ostream& err);

int run_plan_command(const PlanCommandOptions& options, std::ostream& out, std::ostream& err);
int run_pod_command(const PodCommandOptions& options, std::ostream& out, std::ostream& err);
int run_debug_offers(const DebugOffersOptions& options, std::ostream& out, std::ostream& err);

// The plan tree as the dcos CLI draws it, from the API's plan JSON; `now_ms` dates running
// steps. Exposed for tests.
std::string render_plan_tree(const std::string& plan_json, long long now_ms, bool colour);

}  // namespace steward::cli
