#pragma once

// The way back from a stored configuration (to_json in spec_summary.hpp) to a ServiceSpec,
// so what a service was deployed with can be read again without its svc.yml, templates or
// environment, which may have changed since.

#include <optional>
#include <string>
#include <string_view>

#include "spec/service_spec.hpp"

namespace steward::spec {

// Rebuilds every field to_json writes, so to_json of the result equals to_json of the spec
// the text came from; the placement text is parsed into PodSpec::placement again.
//
// What to_json does not write stays empty: source_file, locations, unsupported and
// VolumeSpec::field. Members of the objects keyed by name (ports, env, labels, configs,
// rlimits, secrets, host-volumes) come back in name order, which is how to_json wrote them.
// An absent field keeps ServiceSpec's default, so configurations stored before a field was
// written still read; only the names that identify things are required. Unknown fields are
// ignored.
//
// Malformed input gives nullopt and one message in `error` naming the JSON path, e.g.
// "pods[0].tasks[1].cmd: expected a string". Never throws.
std::optional<ServiceSpec> spec_from_json(std::string_view json_text, std::string& error);

}  // namespace steward::spec
