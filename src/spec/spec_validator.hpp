#pragma once

// Checks that span fields of one spec: references between pods, tasks, resource sets and
// plans; names that must be unique; placement; fields Steward refuses. Single-value checks
// happen while reading (spec_reader.cpp), where the offending node is at hand.

#include "common/diagnostic.hpp"
#include "spec/service_spec.hpp"

namespace steward::spec {

// Reports every problem; parses each pod's placement into PodSpec::placement on the way.
void validate_service_spec(ServiceSpec& spec, Diagnostics& diagnostics);

}  // namespace steward::spec
