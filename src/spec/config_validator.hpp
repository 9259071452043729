#pragma once

// Whether a running service may move from its target configuration to a candidate
// (dcos-commons' config validators, §4.3, those that mean something on Steward). Single-spec
// checks (placement parses, limits >= requests, names) already happened when the candidate
// was loaded; these compare the two. An update with any error is refused as a whole: the old
// target keeps running and nothing restarts.

#include <memory>
#include <string>
#include <vector>

#include "spec/service_spec.hpp"

namespace steward::spec {

struct ConfigError {
  std::string field;    // "pods.world.volumes", "name"
  std::string message;  // what is refused, with the old and new values
  std::string to_string() const { return field.empty() ? message : field + ": " + message; }
};

// A service's own rule (Cassandra: the data center cannot change). Runs on the scheduler's
// event loop with both specs complete and immutable for the call.
class ConfigValidator {
 public:
  virtual ~ConfigValidator() = default;
  virtual std::vector<ConfigError> validate(const ServiceSpec& old_target,
                                            const ServiceSpec& candidate) const = 0;
};

// The built-in rules, then each custom validator's, in order.
std::vector<ConfigError> validate_config_update(
    const ServiceSpec& old_target, const ServiceSpec& candidate,
    const std::vector<std::shared_ptr<const ConfigValidator>>& custom = {});

}  // namespace steward::spec
