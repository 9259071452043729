#pragma once

#include <string>

#include "spec/service_spec.hpp"

namespace steward::spec {

// A one-screen overview of a valid spec: pods, instances, tasks with goal and resources,
// volumes, and the plans with their phases and step counts.
std::string summarize(const ServiceSpec& spec);

// Steps a phase generates: one per instance without `steps`, else the listed ones.
int count_steps(const ServiceSpec& spec, const PhaseSpec& phase);

// The spec as JSON (the shape `steward validate --json` prints).
std::string to_json(const ServiceSpec& spec, int indent = 2);

}  // namespace steward::spec
