#include "common/json_text.hpp"
#include "plan/plan_render.hpp"

namespace steward::plan {

namespace {

// Members in sorted order: the text is what a JSON tree of the same value would dump.
void time_field(JsonText& out, std::string_view key, const std::optional<std::int64_t>& t) {
  out.key(key);
  if (t)
    out.value(format_time(*t));
  else
    out.null();
}

void errors_field(JsonText& out, const std::vector<std::string>& errors) {
  out.key("errors").values(errors);
}

// Opens the object of a plan, a phase or a step with the members all three begin with.
void open_object(JsonText& out, const Timestamps& t, const std::vector<std::string>& errors,
                 const std::string& id) {
  out.begin_object();
  time_field(out, "completed", t.completed);
  time_field(out, "created", t.created);
  errors_field(out, errors);
  out.field("id", id);
}

void write_step(JsonText& out, const Step& step) {
  const Timestamps t = step.timestamps();
  open_object(out, t, step.errors(), step.id());
  out.field("message", step.message()).field("name", step.name());
  time_field(out, "started", t.started);
  out.field("status", to_string(step.status()));
  out.end_object();
}

void write_phase(JsonText& out, const Phase& phase) {
  const Timestamps t = phase.timestamps();
  open_object(out, t, phase.errors(), phase.id());
  out.field("name", phase.name());
  time_field(out, "started", t.started);
  out.field("status", to_string(phase.status()));
  out.key("steps").begin_array();
  for (const auto& step : phase.steps())
    write_step(out, *step);
  out.end_array();
  out.field("strategy", phase.strategy().name());
  out.end_object();
}

}  // namespace

std::string to_json(const Plan& plan, int indent) {
  std::string text;
  // About 340 bytes a step indented (a 3.4 MB text at 10,000): reserved, not grown by copies.
  std::size_t steps = 0;
  for (const auto& phase : plan.phases())
    steps += phase->steps().size();
  text.reserve(1024 + steps * (indent >= 0 ? 400 : 260));
  JsonText out(text, indent);
  const Timestamps t = plan.timestamps();
  open_object(out, t, plan.errors(), plan.id());
  out.field("name", plan.name());
  out.key("phases").begin_array();
  for (const auto& phase : plan.phases())
    write_phase(out, *phase);
  out.end_array();
  time_field(out, "started", t.started);
  out.field("status", to_string(plan.status()));
  out.field("strategy", plan.strategy().name());
  out.end_object();
  return text;
}

}  // namespace steward::plan
