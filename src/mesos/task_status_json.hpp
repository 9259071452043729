#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/json_document.hpp"  // complete: nlohmann's conversions test the type
#include "mesos/task_status.hpp"

namespace steward {
class JsonText;
}

namespace steward::mesos {

nlohmann::json to_json(const TaskStatus& status);
// The same JSON as text: write_json is where the format is written, to_json parses its text.
void write_json(JsonText& out, const TaskStatus& status);
// nullopt with `error` naming the field when the JSON is not a TaskStatus. Unknown fields
// are ignored, as Mesos does.
std::optional<TaskStatus> task_status_from_json(const nlohmann::json& j, std::string& error);
std::optional<TaskStatus> task_status_from_json(const JsonValue& j, std::string& error);

}  // namespace steward::mesos
