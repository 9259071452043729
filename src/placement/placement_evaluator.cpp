#include "placement/placement_evaluator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

namespace steward::placement {

namespace {

std::optional<std::string> value_of(const Constraint& c, const AgentFacts& agent) {
  switch (c.kind) {
    case FieldKind::hostname:
      return agent.hostname;
    case FieldKind::zone:
      return agent.zone.empty() ? std::nullopt : std::optional(agent.zone);
    case FieldKind::region:
      return agent.region.empty() ? std::nullopt : std::optional(agent.region);
    case FieldKind::attribute:
      for (const auto& [name, value] : agent.attributes)
        if (name == c.field) return value;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string label(const Constraint& c) {
  std::string out = c.field + ":" + std::string(to_string(c.op));
  if (c.param) out += ":" + *c.param;
  return out;
}

bool full_match(const std::string& value, const std::string& pattern) {
  try {
    return std::regex_match(value, std::regex(pattern));
  } catch (const std::regex_error&) {
    return false;  // the parser refuses patterns that do not compile
  }
}

PlacementVerdict fail(const Constraint& c, const std::string& why) {
  return {false, label(c) + ": " + why};
}

PlacementVerdict check(const Constraint& c, const AgentFacts& candidate,
                       const std::vector<PlacedTask>& placed) {
  const auto value = value_of(c, candidate);
  const std::string param = c.param.value_or("");
  // Negative operators hold on an agent without the field; every other needs it.
  if (!value) {
    if (c.op == Operator::is_not || c.op == Operator::unlike) return {};
    return fail(c, "the agent has no " + c.field);
  }
  std::map<std::string, std::vector<std::string>> by_value;  // value -> tasks placed there
  for (const PlacedTask& t : placed)
    if (auto v = value_of(c, t.agent)) by_value[*v].push_back(t.name);
  const auto here = by_value.find(*value);
  const std::size_t count_here = here == by_value.end() ? 0 : here->second.size();
  switch (c.op) {
    case Operator::unique:
      if (count_here > 0) return fail(c, *value + " already runs " + here->second.front());
      return {};
    case Operator::cluster:
    case Operator::is:
      if (*value != param) return fail(c, *value + " is not " + param);
      return {};
    case Operator::is_not:
      if (*value == param) return fail(c, *value + " is excluded");
      return {};
    case Operator::like:
      if (!full_match(*value, param)) return fail(c, *value + " does not match " + param);
      return {};
    case Operator::unlike:
      if (full_match(*value, param)) return fail(c, *value + " matches " + param);
      return {};
    case Operator::max_per: {
      const std::size_t max = static_cast<std::size_t>(std::stoul(param));
      if (count_here >= max)
        return fail(
            c, *value + " already runs " + std::to_string(count_here) + " of at most " + param);
      return {};
    }
    case Operator::group_by: {
      // Spread evenly: this value must be among the least used. With a count, values not
      // seen yet count as zero until that many values are in use.
      std::size_t least = count_here;
      for (const auto& [v, tasks] : by_value)
        least = std::min(least, tasks.size());
      if (c.param && by_value.size() < std::stoul(param)) least = 0;
      if (count_here > least)
        return fail(c, *value + " runs " + std::to_string(count_here) +
                           ", more than the least used value (" + std::to_string(least) + ")");
      return {};
    }
  }
  return {};
}

}  // namespace

PlacementVerdict evaluate(const PlacementRule& rule, const AgentFacts& candidate,
                          const std::vector<PlacedTask>& placed) {
  for (const Constraint& c : rule.constraints) {
    PlacementVerdict v = check(c, candidate, placed);
    if (!v.pass) return v;
  }
  return {};
}

}  // namespace steward::placement
