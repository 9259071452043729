#pragma once

// Build a service's own scheduler in C++ (dcos-commons' SchedulerBuilder): start from a YAML
// spec (a file, or text your code writes, see SpecBuilder), add what YAML cannot say, and run
// it. The result is `steward run` with your code in it: the same flags, REST API, state,
// plans, recovery and updates.
//
//   int main(int argc, char** argv) {
//     return steward::SchedulerBuilder::from_file("svc.yml")
//         .transform([](steward::SpecEditor& s) { s.set_env("web", "", "MODE", "fast"); })
//         .endpoint("greeting", [](const steward::HttpRequest&, const steward::ServiceView& v,
//                                  steward::PropertyStore&) {
//           return steward::HttpResponse{200, "text/plain", "hello from " + v.service_name};
//         })
//         .run(argc, argv);
//   }
//
// Where each hook runs: spec transforms and validators, plan customizers and recovery
// overriders on the scheduler's event loop (keep them quick; never block); code steps on a
// thread of their own; endpoint handlers and producers on the API's worker threads. The last
// two get an immutable snapshot (ServiceView). Only the standard library is included.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "steward/config_validator.hpp"
#include "steward/http_endpoint.hpp"
#include "steward/plan_customizer.hpp"
#include "steward/recovery_overrider.hpp"
#include "steward/service_view.hpp"
#include "steward/spec_view.hpp"

namespace steward {

// Applied after the spec is rendered and read, before it is validated: at start, and to every
// new target (`steward update`). It may see a spec it has already transformed (a target sent
// back), so it must give the same result when applied twice.
using SpecTransform = std::function<void(SpecEditor&)>;

class SchedulerBuilder {
 public:
  // The spec comes from the command line (`my-scheduler svc.yml`).
  SchedulerBuilder();
  // A default spec file; a SPEC on the command line still wins.
  static SchedulerBuilder from_file(std::string path);
  // A spec your code wrote (SpecBuilder::yaml()); `name` names it in messages.
  static SchedulerBuilder from_yaml(std::string yaml, std::string name = "spec.yml");

  SchedulerBuilder& env(const std::string& key, const std::string& value);  // template values
  SchedulerBuilder& transform(SpecTransform transform);
  SchedulerBuilder& validator(std::shared_ptr<const ConfigValidator> validator);
  SchedulerBuilder& recovery_overrider(std::shared_ptr<RecoveryOverrider> overrider);
  SchedulerBuilder& plan_customizer(PlanCustomizer customizer);
  // `path`: one segment or more under /v1/ ("topics", "admin/compact"); it must not shadow a
  // built-in endpoint (plans, pod, endpoints, configurations, state, health, metrics, update,
  // debug).
  SchedulerBuilder& endpoint(const std::string& path, EndpointHandler handler);
  SchedulerBuilder& endpoint_producer(const std::string& name, EndpointProducer producer);

  // Runs the scheduler until Ctrl-C, SIGTERM or an uninstall, with `steward run`'s flags
  // (--master, --data-dir, --api-listen, --env, --uninstall, ...; --help lists them). Returns
  // the exit code: 0, 1 when it cannot run, 2 for an invalid spec or flag.
  int run(int argc, char** argv);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A spec in code, written out as YAML (and then read like any spec file: same checks, same
// error messages).
class SpecBuilder {
 public:
  explicit SpecBuilder(std::string service_name);
  SpecBuilder& pod(const std::string& type, int count);
  SpecBuilder& placement(const std::string& pod, const std::string& rule);
  SpecBuilder& allow_decommission(const std::string& pod);
  SpecBuilder& task(const std::string& pod, const std::string& name, const std::string& cmd,
                    double cpus, double memory_mb, const std::string& goal = "RUNNING");
  SpecBuilder& env(const std::string& pod, const std::string& task, const std::string& key,
                   const std::string& value);
  SpecBuilder& port(const std::string& pod, const std::string& task, const std::string& name,
                    int port, const std::string& env_key = "");
  // The task's ROOT volume (one per task; a second call replaces it).
  SpecBuilder& volume(const std::string& pod, const std::string& task, const std::string& path,
                      double size_mb);
  SpecBuilder& readiness(const std::string& pod, const std::string& task, const std::string& cmd);
  std::string yaml() const;

 private:
  struct Task {
    std::string name, cmd, goal, readiness;
    double cpus = 0, memory_mb = 0;
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<std::pair<std::string, std::pair<int, std::string>>> ports;
    std::vector<std::pair<std::string, double>> volumes;
  };
  struct Pod {
    std::string type, placement;
    int count = 0;
    bool allow_decommission = false;
    std::vector<Task> tasks;
  };
  Task* find(const std::string& pod, const std::string& task);
  std::string name_;
  std::vector<Pod> pods_;
};

}  // namespace steward
