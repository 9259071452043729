#pragma once

// JSON codecs for Resource, following the Mesos JSON rules: snake_case names, enums by
// name, unknown fields ignored, the pre-refinement format (role + reservation) accepted on
// input and converted to the reservation stack.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "mesos/resource.hpp"

namespace steward::mesos {

nlohmann::json to_json(const Resource& resource);
// nullopt with `error` set (naming the field) when the JSON is not a valid Resource.
std::optional<Resource> resource_from_json(const nlohmann::json& j, std::string& error);

}  // namespace steward::mesos
