#pragma once

// Plans from a service spec: the default deploy plan, the spec's own plans with the
// `steps` syntax, `update` in place of `deploy` once a deploy has completed, custom plans
// created interrupted.

#include <memory>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "spec/service_spec.hpp"

namespace steward::plan {

struct GenerateOptions {
  bool deploy_completed = false;  // a deploy has completed before: use `update` if defined
  Clock clock = system_clock();
};

// "<pod>-<index>:[task, task]"
std::string step_name(const std::string& pod_type, int index,
                      const std::vector<std::string>& tasks);

std::vector<std::unique_ptr<Plan>> generate_plans(const spec::ServiceSpec& spec,
                                                  const GenerateOptions& options = {});

}  // namespace steward::plan
