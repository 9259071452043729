#pragma once

// JSON codecs for Resource, following the Mesos JSON rules: snake_case names, enums by
// name, unknown fields ignored, the pre-refinement format (role + reservation) accepted on
// input and converted to the reservation stack.

#include <memory>
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

// While one is alive, the resources with a resource id written to `out` on this thread are
// remembered, and one equal to a resource written before is copied from that text rather than
// written anew: each resource of a launch comes twice in its ACCEPT, in the RESERVE and in the
// LAUNCH_GROUP's executor or task. Compact text only (for any other, nothing is remembered).
// The resources must outlive it.
class ResourceTextReuse {
 public:
  explicit ResourceTextReuse(JsonText& out);
  ~ResourceTextReuse();
  ResourceTextReuse(const ResourceTextReuse&) = delete;
  ResourceTextReuse& operator=(const ResourceTextReuse&) = delete;

  struct State;

 private:
  std::unique_ptr<State> state_;
};
// nullopt with `error` set (naming the field) when the JSON is not a valid Resource.
// Either tree reads the same (a JsonDocument's is the faster to parse).
std::optional<Resource> resource_from_json(const nlohmann::json& j, std::string& error);
std::optional<Resource> resource_from_json(const JsonValue& j, std::string& error);

}  // namespace steward::mesos
