// The Marathon constraint language: three spellings in, one checked rule out, and back to the
// canonical colon form. Every problem is reported, none is thrown.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common/strings.hpp"
#include "placement/placement_rule.hpp"

namespace steward::placement {
namespace {

using Json = nlohmann::json;

// In the order of enum Operator.
constexpr std::array<std::string_view, 8> kOperatorNames = {
    "UNIQUE", "CLUSTER", "IS", "IS_NOT", "LIKE", "UNLIKE", "MAX_PER", "GROUP_BY"};

// libstdc++ recurses per nesting level when compiling a pattern and per character when matching
// one; a bound keeps hostile input from exhausting the stack here and in the evaluator.
constexpr std::size_t kMaxPatternLength = 512;
// Regex states all patterns of one placement may compile to; see estimated_states.
constexpr std::size_t kStateBudget = 20000;
constexpr std::size_t kStateCap = 10 * kStateBudget;  // where counting stops
// A pasted blob must not turn into a message as long as itself.
constexpr std::size_t kMaxQuotedLength = 80;

const std::vector<std::string>& operator_names() {
  static const std::vector<std::string> names(kOperatorNames.begin(), kOperatorNames.end());
  return names;
}

// Cut on a UTF-8 boundary: messages end up in JSON, which refuses half a character.
std::string shorten(std::string_view s) {
  if (s.size() <= kMaxQuotedLength) return std::string(s);
  std::size_t cut = kMaxQuotedLength - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(s.substr(0, cut)) + "...";
}

std::string in_quotes(std::string_view s) {
  return "\"" + shorten(s) + "\"";
}

// Letters, digits, '_', '.', '-', optionally after '@' (docs/spec-reference.md). Besides
// catching half-converted syntax ("[host", "\"rack"), this keeps every field expressible in
// the colon form, whose text must not start with '['.
bool is_valid_field(std::string_view f) {
  if (!f.empty() && f.front() == '@') f.remove_prefix(1);
  if (f.empty() || f.front() == '.' || f.front() == '-') return false;
  return std::all_of(f.begin(), f.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// Case-insensitive like dcos-commons' hostname check: a misspelt special field would otherwise
// become an attribute that no agent has, and the pod would silently never be placed.
FieldKind field_kind(std::string_view field) {
  if (iequals(field, "hostname") || iequals(field, "@hostname")) return FieldKind::hostname;
  if (iequals(field, "@zone")) return FieldKind::zone;
  if (iequals(field, "@region")) return FieldKind::region;
  return FieldKind::attribute;
}

// libstdc++ reads repeat counts and back-reference numbers into a `long` without an overflow
// check, which is undefined behaviour past 19 digits; anything past 9 is nonsense anyway.
bool has_oversized_number(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '\\' && p[i] != '{' && p[i] != ',') continue;
    std::size_t j = i + 1;
    while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j])))
      ++j;
    if (j - i - 1 > 9) return true;
    if (p[i] == '\\' && j == i + 1) ++i;  // an escaped '{' or ',' is a literal
  }
  return false;
}

// libstdc++ copies a counted atom once per repetition, so `(a{1000}){1000}` is a million NFA
// states and most of a second to refuse. This over-estimates the states a pattern compiles to,
// so that a placement's patterns can share a budget and no input is slow to check.
std::size_t estimated_states(std::string_view p) {
  auto add = [](std::size_t a, std::size_t b) { return std::min(a + b, kStateCap); };
  std::vector<std::size_t> groups{0};  // states so far in each open group
  std::size_t last = 0;                // states of the atom a count would copy
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::size_t atom = 1;
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '[') {  // a bracket expression is one state
      while (++i < p.size() && p[i] != ']') {
        if (p[i] == '\\') ++i;
      }
    } else if (p[i] == '(') {
      groups.push_back(0);
      last = 0;
      continue;
    } else if (p[i] == ')' && groups.size() > 1) {
      atom = add(groups.back(), 2);
      groups.pop_back();
    } else if (p[i] == '{') {
      std::size_t j = i + 1, n = 0, most = 0;
      for (; j < p.size() && (std::isdigit(static_cast<unsigned char>(p[j])) || p[j] == ','); ++j) {
        n = p[j] == ',' ? 0 : std::min(n * 10 + static_cast<std::size_t>(p[j] - '0'), kStateCap);
        most = std::max(most, n);
      }
      if (j < p.size() && p[j] == '}') {
        const std::size_t copies = std::min(last * (most + 1), kStateCap);
        groups.back() = add(groups.back(), copies);
        last = copies;
        i = j;
        continue;
      }
    }
    groups.back() = add(groups.back(), atom);
    last = atom;
  }
  std::size_t total = 0;
  for (std::size_t g : groups)
    total = add(total, g);
  return total;
}

// One constraint as written, split into parts but not yet checked.
struct Row {
  std::string label;  // `constraint N <as written>`, the prefix of its messages
  std::vector<std::string> parts;
  bool json = false;  // which syntax to show in examples
  // Found while splitting (a bracket row that is not a list of names); reported in row order.
  std::vector<std::string> problems;
};

std::string example(const Row& row, std::string_view field, std::string_view op,
                    std::string_view param) {
  if (!row.json) return std::string(field) + ":" + std::string(op) + ":" + std::string(param);
  return "[\"" + std::string(field) + "\",\"" + std::string(op) + "\",\"" + std::string(param) +
         "\"]";
}

std::optional<std::string> check_pattern(const std::string& pattern, bool json,
                                         std::size_t& budget) {
  if (pattern.size() > kMaxPatternLength) {
    return "the pattern is " + std::to_string(pattern.size()) + " characters long; the limit is " +
           std::to_string(kMaxPatternLength);
  }
  if (has_oversized_number(pattern)) {
    return "the pattern " + in_quotes(pattern) +
           " has a repeat count or back-reference longer than 9 digits";
  }
  const std::size_t states = estimated_states(pattern);
  if (states > budget) {
    return "the pattern " + in_quotes(pattern) + " repeats too much: its counts expand it to " +
           (states >= kStateCap ? "over " : "about ") + std::to_string(states) +
           " regex states, and a placement's patterns may use " + std::to_string(kStateBudget) +
           " together; lower the {n} counts";
  }
  budget -= states;
  try {
    std::regex compiled(pattern);
  } catch (const std::regex_error& e) {
    return in_quotes(pattern) + " is not a valid regular expression (" + e.what() +
           "); escape a special character with \\ to match it literally" +
           // A comma that ended the pattern early is the usual cause in the colon form.
           (json ? "" : ", and write a ',' or ':' inside a pattern as \\, or \\:");
  }
  return std::nullopt;
}

// What is wrong with a constraint's parameter for its operator, if anything.
std::optional<std::string> param_problem(const Row& row, const Constraint& c,
                                         std::size_t& state_budget) {
  const std::string name(to_string(c.op));
  const std::string field = is_valid_field(c.field) ? c.field : "rack";
  const bool has_param = c.param && !c.param->empty();
  switch (c.op) {
    case Operator::unique:
      if (!c.param) return std::nullopt;
      return has_param ? "UNIQUE takes no parameter; remove " + in_quotes(*c.param)
                       : "UNIQUE takes no parameter; remove the empty one after UNIQUE";
    case Operator::cluster:
    case Operator::is:
    case Operator::is_not:
      if (has_param) return std::nullopt;
      return name + " needs a value to compare the field with, e.g. " +
             example(row, field, name, "rack-1");
    case Operator::like:
    case Operator::unlike:
      if (has_param) return check_pattern(*c.param, row.json, state_budget);
      return name + " needs a regular expression, e.g. " + example(row, field, name, "rack-[12]");
    case Operator::max_per:
    case Operator::group_by:
      if (!c.param) {  // GROUP_BY without a count spreads over the values seen so far
        if (c.op == Operator::group_by) return std::nullopt;
        return "MAX_PER needs a count, e.g. " + example(row, field, name, "2");
      }
      if (auto n = parse_int(*c.param); n && *n >= 1) return std::nullopt;
      return name + " needs a whole number >= 1, got " + in_quotes(*c.param) +
             (c.op == Operator::group_by ? " (or no count at all)" : "");
  }
  return std::nullopt;
}

// Adds the row's constraint to `out` or one message per problem found in it.
void check_row(const Row& row, std::size_t& state_budget, PlacementParseResult& out) {
  auto fail = [&](const std::string& message) { out.errors.push_back(row.label + ": " + message); };
  if (!row.problems.empty()) {
    for (const std::string& problem : row.problems)
      fail(problem);
    return;
  }
  if (row.parts.size() < 2) {
    if (!row.json && trim(row.parts.at(0)).empty()) {
      fail("is empty; remove the extra ','");
    } else {
      fail(row.json ? "needs a field and an operator, e.g. [\"hostname\",\"UNIQUE\"]"
                    : "needs a field and an operator, e.g. hostname:UNIQUE");
    }
    return;
  }
  if (row.parts.size() > 3) {
    // Only the colon form gets here: a bracket row that long was refused by json_row.
    fail("has " + std::to_string(row.parts.size()) +
         " parts; write field:operator[:parameter] and escape a ':' inside a value as \\:");
    return;
  }
  Constraint c;
  bool row_ok = true;
  c.field = std::string(trim(row.parts[0]));
  if (c.field.empty()) {
    fail("the field is missing; use hostname, @zone, @region or an agent attribute name");
    row_ok = false;
  } else if (!is_valid_field(c.field)) {
    fail("field " + in_quotes(c.field) +
         " is not a field name; use hostname, @zone, @region or an agent attribute name "
         "(letters, digits, '_', '.', '-')");
    row_ok = false;
  }
  c.kind = field_kind(c.field);
  const std::string op_text(trim(row.parts[1]));
  const auto op = parse_operator(op_text);
  if (!op) {
    const std::string valid = join_alternatives(operator_names());
    if (op_text.empty()) {
      fail("the operator is missing; use " + valid);
    } else {
      const auto near = closest_match(op_text, operator_names());
      fail("unknown operator " + in_quotes(op_text) + "; " +
           (near ? "did you mean " + *near + "? " : std::string()) + "operators are " + valid);
    }
    return;  // parameter rules depend on the operator
  }
  c.op = *op;
  // Blanks around a value, a pattern or a count are never meaningful.
  if (row.parts.size() == 3) c.param = std::string(trim(row.parts[2]));
  if (auto problem = param_problem(row, c, state_budget)) {
    fail(*problem);
    row_ok = false;
  }
  if (row_ok) out.rule.constraints.push_back(std::move(c));
}

// `a:b:c,d:e`. `\,` `\:` and `\\` stand for the character after the backslash; any other
// backslash is kept, so regex escapes such as `\d` need no doubling.
std::vector<Row> split_colon_form(std::string_view text) {
  std::vector<Row> rows;
  Row row;
  std::string part;
  std::size_t row_start = 0;
  auto end_row = [&](std::size_t end) {
    row.parts.push_back(std::move(part));
    part.clear();
    row.label = "constraint " + std::to_string(rows.size() + 1) + " " +
                in_quotes(trim(text.substr(row_start, end - row_start)));
    rows.push_back(std::move(row));
    row = Row{};
    row_start = end + 1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == ',' || text[i + 1] == ':' || text[i + 1] == '\\')) {
      part += text[++i];
    } else if (c == ',') {
      end_row(i);
    } else if (c == ':') {
      row.parts.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  end_row(text.size());
  return rows;
}

// A JSON value in a message: scalars as written, containers elided so a deeply nested value
// costs neither stack nor screen.
std::string describe(const Json& j) {
  if (j.is_array()) return j.empty() ? "[]" : "[...]";
  if (j.is_object()) return j.empty() ? "{}" : "{...}";
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string describe_row(const Json& row) {
  if (!row.is_array()) return describe(row);
  std::string out = "[";
  for (const Json& part : row) {
    if (out.size() > 1) out += ',';
    out += describe(part);
    if (out.size() > kMaxQuotedLength) break;  // shortened in the message anyway
  }
  return shorten(out + "]");
}

std::optional<std::string> scalar_text(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_unsigned()) return std::to_string(j.get<std::uint64_t>());
  if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
  if (j.is_number_float()) return format_number(j.get<double>());
  return std::nullopt;
}

// Turns one bracket row into a Row, noting why it cannot be one.
Row json_row(const Json& j, std::size_t number) {
  Row row;
  row.json = true;
  row.label = "constraint " + std::to_string(number) + " " + describe_row(j);
  if (!j.is_array()) {
    row.problems.push_back("must be a list like [\"hostname\",\"UNIQUE\"]");
    return row;
  }
  if (j.size() > 3) {
    row.problems.push_back("has " + std::to_string(j.size()) +
                           " elements; write [field, operator] or [field, operator, parameter]");
    return row;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    // Field and operator are names; only the parameter may be a number such as 3.
    auto text = i < 2 && !j[i].is_string() ? std::nullopt : scalar_text(j[i]);
    if (text) {
      row.parts.push_back(std::move(*text));
      continue;
    }
    const char* what = i == 0   ? "the field must be a string"
                       : i == 1 ? "the operator must be a string such as \"UNIQUE\""
                                : "the parameter must be a string or a number";
    row.problems.push_back(std::string(what) + ", got " + describe(j[i]));
  }
  return row;
}

std::vector<Row> split_json_form(std::string_view body, PlacementParseResult& out) {
  std::vector<Row> rows;
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    const bool single_quotes = body.find('\'') != std::string_view::npos;
    out.errors.push_back("placement " + in_quotes(body) +
                         " is not valid JSON; write [[\"hostname\",\"UNIQUE\"]], "
                         "[\"hostname\",\"UNIQUE\"] or hostname:UNIQUE" +
                         (single_quotes ? " (JSON strings take double quotes)" : ""));
    return rows;
  }
  if (j.empty()) return rows;
  if (!j[0].is_array()) {  // the one-row form
    rows.push_back(json_row(j, 1));
    return rows;
  }
  for (std::size_t i = 0; i < j.size(); ++i)
    rows.push_back(json_row(j[i], i + 1));
  return rows;
}

// The inverse of split_colon_form for one value. A backslash is doubled only where it would
// otherwise pair with the next character, so `\d` stays readable.
std::string escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ',' || c == ':') {
      out += '\\';
    } else if (c == '\\' &&
               (i + 1 == s.size() || s[i + 1] == '\\' || s[i + 1] == ',' || s[i + 1] == ':')) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string_view to_string(Operator op) {
  const auto index = static_cast<std::size_t>(op);
  return index < kOperatorNames.size() ? kOperatorNames[index] : "UNKNOWN";
}

std::optional<Operator> parse_operator(std::string_view name) {
  for (std::size_t i = 0; i < kOperatorNames.size(); ++i) {
    if (iequals(kOperatorNames[i], name)) return static_cast<Operator>(i);
  }
  return std::nullopt;
}

PlacementParseResult parse_placement(std::string_view text) {
  PlacementParseResult out;
  const std::string_view body = trim(text);
  if (body.empty()) return out;
  if (body.front() == '{') {
    out.errors.push_back("placement " + in_quotes(body) +
                         " is a JSON object; write a list of constraints such as "
                         "[[\"hostname\",\"UNIQUE\"]] or hostname:UNIQUE");
    return out;
  }
  const std::vector<Row> rows =
      body.front() == '[' ? split_json_form(body, out) : split_colon_form(body);
  std::size_t state_budget = kStateBudget;
  for (const Row& row : rows)
    check_row(row, state_budget, out);
  // Half a rule would place pods more freely than the author asked for.
  if (!out.errors.empty()) out.rule.constraints.clear();
  return out;
}

std::string to_string(const PlacementRule& rule) {
  std::string out;
  for (const Constraint& c : rule.constraints) {
    if (!out.empty()) out += ',';
    out += escape(c.field);
    out += ':';
    out += to_string(c.op);
    if (c.param) out += ':' + escape(*c.param);
  }
  return out;
}

}  // namespace steward::placement
