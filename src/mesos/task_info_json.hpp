#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_document.hpp"  // complete: nlohmann's conversions test the type
#include "mesos/task_info.hpp"

namespace steward {
class JsonText;
}

namespace steward::mesos {

nlohmann::json to_json(const TaskInfo& task);
nlohmann::json to_json(const ExecutorInfo& executor);
nlohmann::json to_json(const Operation& operation);
nlohmann::json to_json(const AcceptCall& accept);  // the whole ACCEPT call
// The same JSON as text: write_json is where the format is written, to_json parses its text.
void write_json(JsonText& out, const TaskInfo& task);
void write_json(JsonText& out, const ExecutorInfo& executor);
void write_json(JsonText& out, const Operation& operation);
void write_json(JsonText& out, const AcceptCall& accept);
// The same call as text, written without a JSON tree: an ACCEPT launching hundreds of pods
// would otherwise hold its whole tree (several times the text) at once.
std::string accept_text(const AcceptCall& accept);

// Each reads either tree the same way (a JsonDocument's is the faster to parse).
// `require_task_id` is false only for stored footprints (a TaskInfo not launched yet).
std::optional<TaskInfo> task_info_from_json(const nlohmann::json& j, std::string& error,
                                            bool require_task_id = true);
std::optional<TaskInfo> task_info_from_json(const JsonValue& j, std::string& error,
                                            bool require_task_id = true);
std::optional<ExecutorInfo> executor_info_from_json(const nlohmann::json& j, std::string& error);
std::optional<ExecutorInfo> executor_info_from_json(const JsonValue& j, std::string& error);
std::optional<Operation> operation_from_json(const nlohmann::json& j, std::string& error);
std::optional<Operation> operation_from_json(const JsonValue& j, std::string& error);
// An ACCEPT call (type, framework_id, accept{offer_ids, operations, filters}).
std::optional<AcceptCall> accept_from_json(const nlohmann::json& j, std::string& error);
std::optional<AcceptCall> accept_from_json(const JsonValue& j, std::string& error);

}  // namespace steward::mesos
