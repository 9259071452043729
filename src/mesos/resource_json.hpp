#pragma once

// JSON codecs for Resource, following the Mesos JSON rules: snake_case names, enums by
// name, unknown fields ignored, the pre-refinement format (role + reservation) accepted on
// input and converted to the reservation stack.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/json_document.hpp"  // complete: nlohmann's conversions test the type
#include "mesos/resource.hpp"

namespace steward {
class JsonText;
}

namespace steward::mesos {

nlohmann::json to_json(const Resource& resource);
// The same JSON as text: write_json is where the format is written, to_json parses its text.
void write_json(JsonText& out, const Resource& resource);
void write_json(JsonText& out, const std::vector<Resource>& resources);  // a JSON list
std::string resources_text(const std::vector<Resource>& resources);
// nullopt with `error` set (naming the field) when the JSON is not a valid Resource.
// Either tree reads the same (a JsonDocument's is the faster to parse).
std::optional<Resource> resource_from_json(const nlohmann::json& j, std::string& error);
std::optional<Resource> resource_from_json(const JsonValue& j, std::string& error);

}  // namespace steward::mesos
