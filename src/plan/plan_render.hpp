#pragma once

// How plans are shown: the tree that `plan preview` and `plan show` print, and the JSON of
// dcos-commons' PlanInfo with timestamps added.

#include <cstdint>
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
//  "message", ...}]}]}; timestamps are ISO 8601 UTC or null. Written straight into the text,
// with no JSON tree between: at 10,000 steps a tree held about 11 MB for a 3.4 MB text, a
// burst as large as everything else the scheduler's peak holds in flight.
std::string to_json(const Plan& plan, int indent = 2);

std::string format_time(std::int64_t epoch_ms);  // "2026-11-23T23:24:01.123Z"

}  // namespace steward::plan
