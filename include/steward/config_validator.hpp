#pragma once

// Extension point: a service's own rule for configuration updates (dcos-commons' custom
// config validators; Cassandra refuses a changed data center name). It runs on the
// scheduler's event loop after the built-in rules, for every new target: `steward update`,
// POST /v1/update, or `steward run` started with a changed spec. Any error refuses the whole
// update; the running configuration stays. Only the standard library is included.

#include <string>
#include <vector>

#include "steward/spec_view.hpp"

namespace steward {

struct ValidationError {
  std::string field;    // "pods.node.count"
  std::string message;  // what is refused and why, with the old and new values
};

class ConfigValidator {
 public:
  virtual ~ConfigValidator() = default;
  // Both specs are complete and do not change during the call.
  virtual std::vector<ValidationError> validate(const SpecView& old_target,
                                                const SpecView& candidate) const = 0;
};

}  // namespace steward
