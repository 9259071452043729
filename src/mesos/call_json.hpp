#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "mesos/call.hpp"

namespace steward::mesos {

nlohmann::json to_json(const FrameworkInfo& info);
nlohmann::json to_json(const Call& call);
// What the master checks before acting: a known type, the fields that type needs, and a
// framework id on every call but a new framework's SUBSCRIBE. The error names the field.
std::optional<FrameworkInfo> framework_info_from_json(const nlohmann::json& j, std::string& error);
std::optional<Call> call_from_json(const nlohmann::json& j, std::string& error);

}  // namespace steward::mesos
