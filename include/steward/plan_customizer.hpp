#pragma once

// Extension point: rewrite the plans generated from the spec (dcos-commons' plan
// customizers). It runs on the scheduler's event loop each time the plans are generated: at
// start and for every new target. It may add phases to a plan (or a new plan, created
// interrupted like the spec's custom plans), and remove phases.
//
// A step either launches tasks of a pod instance, like a spec step, or runs C++ code (call an
// external system, wait for a condition, record something). A code step runs on a thread of
// its own with a snapshot of the service taken when it starts; it returns "" when done or a
// message for the step's error. Its completion is recorded with the target configuration, so a
// restarted scheduler does not run it again for the same target. Only the standard library is
// included.

#include <functional>
#include <string>
#include <vector>

#include "steward/service_view.hpp"
#include "steward/spec_view.hpp"

namespace steward {

using CodeStepFunction = std::function<std::string(const ServiceView&, PropertyStore&)>;

struct PlanStepSpec {
  std::string name;
  // A code step: `run` set. A task step: `run` unset, and the pod instance and tasks to launch.
  CodeStepFunction run;
  std::string pod_type;
  int index = 0;
  std::vector<std::string> tasks;

  static PlanStepSpec code(std::string name, CodeStepFunction run) {
    PlanStepSpec s;
    s.name = std::move(name);
    s.run = std::move(run);
    return s;
  }
  static PlanStepSpec launch(std::string pod_type, int index, std::vector<std::string> tasks) {
    PlanStepSpec s;
    s.pod_type = std::move(pod_type);
    s.index = index;
    s.tasks = std::move(tasks);
    return s;
  }
};

class PlanEditor {
 public:
  virtual ~PlanEditor() = default;
  virtual std::vector<std::string> plans() const = 0;
  virtual std::vector<std::string> phases(const std::string& plan) const = 0;
  // Appends a phase; its steps run one after another (`serial`) or all at once. A plan that
  // does not exist is created, interrupted until `steward plan start`. False (and nothing
  // added) when a step names a pod type or task the spec does not have, or a code step has no
  // name or the name of another code step of the phase (its completion is kept by name).
  virtual bool add_phase(const std::string& plan, const std::string& phase,
                         std::vector<PlanStepSpec> steps, bool serial = true) = 0;
  virtual bool remove_phase(const std::string& plan, const std::string& phase) = 0;
};

using PlanCustomizer = std::function<void(PlanEditor&, const SpecView&)>;

}  // namespace steward
