#pragma once

// How plans are shown: the tree that `plan preview` and `plan show` print, and the JSON of
// dcos-commons' PlanInfo with timestamps added.

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "plan/plan.hpp"

namespace steward::plan {

// deploy (serial strategy) (PENDING)
// ├─ hello (parallel strategy) (PENDING)
// │  ├─ hello-0:[server] (PENDING)
// │  └─ hello-1:[server] (PENDING)
// └─ ...
std::string render_tree(const Plan& plan);

// {"name", "id", "status", "strategy", "errors", "created", "started", "completed",
//  "phases": [{"id", "name", "status", "strategy", ..., "steps": [{"id", "name", "status",
//  "message", ...}]}]}; timestamps are ISO 8601 UTC or null.
std::string to_json(const Plan& plan, int indent = 2);
// The same as a JSON value: the scheduler builds it on its loop and writes the text out on
// the API's thread (at 10,000 steps the text is 3.4 MB, and writing it is half the cost).
nlohmann::json to_json_value(const Plan& plan);

std::string format_time(std::int64_t epoch_ms);  // "2026-11-23T23:24:01.123Z"

}  // namespace steward::plan
