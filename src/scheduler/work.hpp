#pragma once

// A step under way in the service scheduler: what it is doing and what it waits for. Private
// to the scheduler's own files; owned by its event loop.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "scheduler/service_scheduler.hpp"
#include "spec/service_spec.hpp"

namespace steward::scheduler {

struct ServiceScheduler::Work {
  // launch: a pod's tasks; kill: tasks (uninstall, decommission); unreserve: an agent's
  // reservations (uninstall); release: a decommissioned pod's footprint; erase: its record;
  // code: a service's C++ step, on a thread of its own.
  enum class Kind { launch, kill, unreserve, deregister, release, erase, code };
  Kind kind = Kind::launch;
  std::shared_ptr<const spec::ServiceSpec> spec;  // keeps `pod` valid across target changes
  std::string config_id;                          // the configuration `spec` is
  plan::Step* step = nullptr;
  std::string plan;
  std::string phase;
  const spec::PodSpec* pod = nullptr;
  std::string pod_type;
  int index = 0;
  std::vector<std::string> tasks;  // task names of the pod spec (launch), or task names (kill)
  std::map<std::string, std::string> env;       // recovery overrider's extra environment
  std::map<std::string, std::string> launched;  // task name -> task id
  double not_before = 0;
  plan::Status expected = plan::Status::prepared;
  std::string agent;                // unreserve: the agent
  std::set<std::string> unreserve;  // unreserve: resource ids not yet released
  std::string run;                  // code: this run's id (a restarted step runs anew)
  std::string instance() const { return pod_type + "-" + std::to_string(index); }
  std::string full(const std::string& task) const { return instance() + "-" + task; }
};

}  // namespace steward::scheduler
