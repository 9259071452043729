#pragma once

// The Marathon constraint language, as dcos-commons accepts it in a pod's `placement`.
// This header is the parsed form; placement_evaluator.hpp evaluates it against an agent.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward::placement {

enum class Operator { unique, cluster, is, is_not, like, unlike, max_per, group_by };

// What a constraint looks at on an agent.
enum class FieldKind {
  hostname,   // "hostname" or "@hostname"
  zone,       // "@zone": the agent's fault-domain zone
  region,     // "@region": the agent's fault-domain region
  attribute,  // anything else: an agent attribute of that name
};

struct Constraint {
  FieldKind kind = FieldKind::hostname;
  std::string field;  // as written, e.g. "hostname", "@zone", "rack"
  Operator op = Operator::unique;
  std::optional<std::string> param;  // value, regex or count as written

  friend bool operator==(const Constraint&, const Constraint&) = default;
};

// All constraints must hold (rows are ANDed). An empty rule places anywhere.
struct PlacementRule {
  std::vector<Constraint> constraints;
  bool empty() const { return constraints.empty(); }
  friend bool operator==(const PlacementRule&, const PlacementRule&) = default;
};

struct PlacementParseResult {
  PlacementRule rule;
  // Empty when the text parsed; otherwise one message per problem, each naming the
  // offending constraint and what would fix it.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

// Accepts the three syntaxes:
//   [["hostname","UNIQUE"],["@zone","GROUP_BY","3"]]   nested JSON-like rows
//   ["hostname","MAX_PER","2"]                          one JSON-like row
//   hostname:MAX_PER:2,@zone:LIKE:us-.*                 colon form; `\,` and `\:` escape
// Operators are case-insensitive. Empty text, whitespace or "[]" is an empty rule.
// Parameters are checked: CLUSTER/IS/IS_NOT/LIKE/UNLIKE/MAX_PER require one, UNIQUE takes
// none, GROUP_BY takes an optional count, MAX_PER and GROUP_BY counts are integers >= 1,
// LIKE/UNLIKE patterns must compile as regular expressions.
PlacementParseResult parse_placement(std::string_view text);

std::string_view to_string(Operator op);
std::optional<Operator> parse_operator(std::string_view name);  // case-insensitive
// The canonical colon form, e.g. "hostname:MAX_PER:2,@zone:GROUP_BY:3".
std::string to_string(const PlacementRule& rule);

}  // namespace steward::placement
