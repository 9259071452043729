#include <nlohmann/json.hpp>

#include "plan/plan_render.hpp"

namespace steward::plan {

namespace {

using nlohmann::json;

json time_json(const std::optional<std::int64_t>& t) {
  return t ? json(format_time(*t)) : json(nullptr);
}

void add_times(json& j, const Timestamps& t) {
  j["created"] = time_json(t.created);
  j["started"] = time_json(t.started);
  j["completed"] = time_json(t.completed);
}

}  // namespace

std::string to_json(const Plan& plan, int indent) {
  return to_json_value(plan).dump(indent, ' ', false, json::error_handler_t::replace);
}

json to_json_value(const Plan& plan) {
  json phases = json::array();
  for (const auto& phase : plan.phases()) {
    json steps = json::array();
    for (const auto& step : phase->steps()) {
      json s = {{"id", step->id()},
                {"name", step->name()},
                {"status", to_string(step->status())},
                {"message", step->message()},
                {"errors", step->errors()}};
      add_times(s, step->timestamps());
      steps.push_back(std::move(s));
    }
    json p = {{"id", phase->id()},
              {"name", phase->name()},
              {"status", to_string(phase->status())},
              {"strategy", phase->strategy().name()},
              {"errors", phase->errors()},
              {"steps", std::move(steps)}};
    add_times(p, phase->timestamps());
    phases.push_back(std::move(p));
  }
  json j = {{"name", plan.name()},
            {"id", plan.id()},
            {"status", to_string(plan.status())},
            {"strategy", plan.strategy().name()},
            {"errors", plan.errors()},
            {"phases", std::move(phases)}};
  add_times(j, plan.timestamps());
  return j;
}

}  // namespace steward::plan
