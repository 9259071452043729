#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mesos/call.hpp"

namespace steward::mesos {

nlohmann::json to_json(const FrameworkInfo& info);
nlohmann::json to_json(const Call& call);
// A RECONCILE call's text, the same as to_json(call).dump() but written directly: a
// scheduler's start reconciles every task it has, and at 10,000 tasks the JSON tree of that
// one call was 13 MB of its peak memory.
std::string reconcile_text(const std::string& framework_id,
                           const std::vector<Call::TaskRef>& tasks);
// What the master checks before acting: a known type, the fields that type needs, and a
// framework id on every call but a new framework's SUBSCRIBE. The error names the field.
std::optional<FrameworkInfo> framework_info_from_json(const nlohmann::json& j, std::string& error);
std::optional<Call> call_from_json(const nlohmann::json& j, std::string& error);

}  // namespace steward::mesos
