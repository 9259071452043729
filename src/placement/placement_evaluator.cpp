#include "placement/placement_evaluator.hpp"

#include <algorithm>
#include <regex>
#include <string_view>
#include <unordered_map>

namespace steward::placement {

namespace {

// The field's value on an agent, or null when the agent lacks it. A pointer into `agent`, so
// scanning the placed tasks copies nothing.
const std::string* field_of(const Constraint& c, const AgentFacts& agent) {
  switch (c.kind) {
    case FieldKind::hostname:
      return &agent.hostname;
    case FieldKind::zone:
      return agent.zone.empty() ? nullptr : &agent.zone;
    case FieldKind::region:
      return agent.region.empty() ? nullptr : &agent.region;
    case FieldKind::attribute:
      for (const auto& [name, value] : agent.attributes)
        if (name == c.field) return &value;
      return nullptr;
  }
  return nullptr;
}

std::string label(const Constraint& c) {
  std::string out = c.field + ":" + std::string(to_string(c.op));
  if (c.param) out += ":" + *c.param;
  return out;
}

// Compiled once per thread and pattern: a rule is checked for every offer a pending pod
// meets, and compiling costs far more than matching. Specs have a handful of patterns; the
// bound only keeps a caller that feeds endless new ones (a fuzzer) from growing it.
const std::regex& compiled(const std::string& pattern) {
  thread_local std::unordered_map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    if (cache.size() >= 64) cache.clear();
    it = cache.emplace(pattern, std::regex(pattern)).first;
  }
  return it->second;
}

bool full_match(const std::string& value, const std::string& pattern) {
  try {
    return std::regex_match(value, compiled(pattern));
  } catch (const std::regex_error&) {
    return false;  // the parser refuses patterns that do not compile
  }
}

PlacementVerdict fail(const Constraint& c, const std::string& why) {
  return {false, label(c) + ": " + why};
}

PlacementVerdict check(const Constraint& c, const AgentFacts& candidate,
                       const std::vector<PlacedTask>& placed) {
  const std::string* value = field_of(c, candidate);
  const std::string param = c.param.value_or("");
  // Negative operators hold on an agent without the field; every other needs it.
  if (value == nullptr) {
    if (c.op == Operator::is_not || c.op == Operator::unlike) return {};
    return fail(c, "the agent has no " + c.field);
  }
  // Only UNIQUE, MAX_PER and GROUP_BY look at the placed tasks; each scans them once.
  auto same_value = [&](const PlacedTask& t) {
    const std::string* v = field_of(c, t.agent);
    return v != nullptr && *v == *value;
  };
  switch (c.op) {
    case Operator::unique: {
      auto first = std::find_if(placed.begin(), placed.end(), same_value);
      if (first != placed.end()) return fail(c, *value + " already runs " + first->name);
      return {};
    }
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
      const auto count_here =
          static_cast<std::size_t>(std::count_if(placed.begin(), placed.end(), same_value));
      if (count_here >= max)
        return fail(
            c, *value + " already runs " + std::to_string(count_here) + " of at most " + param);
      return {};
    }
    case Operator::group_by: {
      // Spread evenly: this value must be among the least used. With a count, values not
      // seen yet count as zero until that many values are in use.
      std::unordered_map<std::string_view, std::size_t> by_value;  // value -> tasks there
      for (const PlacedTask& t : placed)
        if (const std::string* v = field_of(c, t.agent)) ++by_value[*v];
      const auto here = by_value.find(*value);
      const std::size_t count_here = here == by_value.end() ? 0 : here->second;
      std::size_t least = count_here;
      for (const auto& [v, count] : by_value)
        least = std::min(least, count);
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
