#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/json_document.hpp"  // complete: nlohmann's conversions test the type
#include "mesos/call.hpp"

namespace steward::mesos {

nlohmann::json to_json(const FrameworkInfo& info);
nlohmann::json to_json(const Call& call);
// A RECONCILE call's text, the same as to_json(call).dump() but written directly: a
// scheduler's start reconciles every task it has, and at 10,000 tasks the JSON tree of that
// one call was 13 MB of its peak memory.
std::string reconcile_text(const std::string& framework_id,
                           const std::vector<Call::TaskRef>& tasks);
// An ACKNOWLEDGE call's text, the same as to_json(call).dump(): a deploy of 10,000 pods
// acknowledges 20,000 updates, and building each call's tree was most of the cost.
std::string acknowledge_text(const std::string& framework_id, const std::string& agent_id,
                             const std::string& task_id, const std::string& uuid);
// What the master checks before acting: a known type, the fields that type needs, and a
// framework id on every call but a new framework's SUBSCRIBE. The error names the field.
std::optional<FrameworkInfo> framework_info_from_json(const nlohmann::json& j, std::string& error);
std::optional<Call> call_from_json(const nlohmann::json& j, std::string& error);
std::optional<Call> call_from_json(const JsonValue& j, std::string& error);

}  // namespace steward::mesos
