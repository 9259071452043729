#include <nlohmann/json.hpp>
#include <regex>

#include "common/strings.hpp"
#include "placement/placement_rule.hpp"

namespace steward::placement {

namespace {

struct OperatorName {
  Operator op;
  std::string_view name;
};

constexpr OperatorName kOperators[] = {
    {Operator::unique, "UNIQUE"},   {Operator::cluster, "CLUSTER"},  {Operator::is, "IS"},
    {Operator::is_not, "IS_NOT"},   {Operator::like, "LIKE"},        {Operator::unlike, "UNLIKE"},
    {Operator::max_per, "MAX_PER"}, {Operator::group_by, "GROUP_BY"}};

// std::regex recurses per character on some patterns; bound what we hand it.
constexpr std::size_t kMaxPattern = 512;

std::vector<std::string> operator_names() {
  std::vector<std::string> names;
  for (const auto& o : kOperators)
    names.emplace_back(o.name);
  return names;
}

FieldKind field_kind(std::string_view field) {
  if (field == "hostname" || field == "@hostname") return FieldKind::hostname;
  if (field == "@zone") return FieldKind::zone;
  if (field == "@region") return FieldKind::region;
  return FieldKind::attribute;
}

// One row as written: 1 to 3 parts.
struct Row {
  std::vector<std::string> parts;
  std::string text;  // for messages
};

void check_row(const Row& row, std::size_t number, PlacementParseResult& out) {
  const std::string who = "constraint " + std::to_string(number) + " \"" + row.text + "\"";
  if (row.parts.size() < 2) {
    out.errors.push_back(who + ": needs a field and an operator, e.g. hostname:UNIQUE");
    return;
  }
  if (row.parts.size() > 3) {
    out.errors.push_back(who + ": has " + std::to_string(row.parts.size()) +
                         " parts; a constraint is field, operator and at most one parameter");
    return;
  }
  Constraint c;
  c.field = std::string(trim(row.parts[0]));
  if (c.field.empty()) {
    out.errors.push_back(who +
                         ": the field is empty; use hostname, @zone, @region or an attribute name");
    return;
  }
  static const std::regex kFieldName("@?[A-Za-z0-9_][A-Za-z0-9_.-]*");
  if (c.field.size() > 128 || !std::regex_match(c.field, kFieldName)) {
    out.errors.push_back(who + ": \"" + c.field +
                         "\" is not a field; use hostname, @zone, @region or an attribute name "
                         "(letters, digits, '_', '.', '-')");
    return;
  }
  c.kind = field_kind(c.field);
  std::string op_text(trim(row.parts[1]));
  auto op = parse_operator(op_text);
  if (!op) {
    auto near = closest_match(op_text, operator_names());
    out.errors.push_back(who + ": unknown operator \"" + op_text + "\"; " +
                         (near ? "did you mean " + *near + "? " : std::string()) +
                         "operators are " + join_alternatives(operator_names()));
    return;
  }
  c.op = *op;
  // Surrounding blanks are never meaningful in a value, a pattern or a count.
  if (row.parts.size() == 3) c.param = std::string(trim(row.parts[2]));
  const std::string op_name(to_string(c.op));
  switch (c.op) {
    case Operator::unique:
      if (c.param) {
        out.errors.push_back(who + ": UNIQUE takes no parameter; drop \"" + *c.param + "\"");
        return;
      }
      break;
    case Operator::cluster:
    case Operator::is:
    case Operator::is_not:
      if (!c.param || c.param->empty()) {
        out.errors.push_back(who + ": " + op_name + " needs a value, e.g. " + c.field + ":" +
                             op_name + ":VALUE");
        return;
      }
      break;
    case Operator::like:
    case Operator::unlike:
      if (!c.param || c.param->empty()) {
        out.errors.push_back(who + ": " + op_name + " needs a regular expression, e.g. " + c.field +
                             ":" + op_name + ":rack-[12]");
        return;
      }
      if (c.param->size() > kMaxPattern) {
        out.errors.push_back(who + ": the pattern is longer than " + std::to_string(kMaxPattern) +
                             " characters");
        return;
      }
      try {
        std::regex check(*c.param);
      } catch (const std::regex_error& e) {
        out.errors.push_back(who + ": \"" + *c.param + "\" is not a valid regular expression (" +
                             e.what() + ")");
        return;
      }
      break;
    case Operator::max_per:
    case Operator::group_by: {
      if (!c.param) {
        if (c.op == Operator::group_by) break;  // optional for GROUP_BY
        out.errors.push_back(who + ": MAX_PER needs a count, e.g. " + c.field + ":MAX_PER:2");
        return;
      }
      auto n = parse_int(*c.param);
      if (!n || *n < 1) {
        out.errors.push_back(who + ": " + op_name + " needs a whole number >= 1, got \"" +
                             *c.param + "\"");
        return;
      }
      c.param = std::to_string(*n);  // canonical: "+2" and "02" are 2
      break;
    }
  }
  out.rule.constraints.push_back(std::move(c));
}

// `a:b:c,d:e` with `\,` and `\:` escapes.
std::vector<Row> split_colon_form(std::string_view text) {
  std::vector<Row> rows;
  Row row;
  std::string part;
  auto end_part = [&] {
    row.parts.push_back(part);
    part.clear();
  };
  auto end_row = [&] {
    end_part();
    row.text = std::string(trim(row.text));
    rows.push_back(std::move(row));
    row = Row{};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == ',' || text[i + 1] == ':' || text[i + 1] == '\\')) {
      part += text[i + 1];
      row.text += text.substr(i, 2);
      ++i;
    } else if (c == ',') {
      end_row();
    } else if (c == ':') {
      end_part();
      row.text += c;
    } else {
      part += c;
      row.text += c;
    }
  }
  end_row();
  return rows;
}

std::optional<std::string> json_part(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  if (j.is_number()) return format_number(j.get<double>());
  return std::nullopt;
}

bool parse_json_row(const nlohmann::json& j, std::size_t number, std::vector<Row>& rows,
                    PlacementParseResult& out) {
  if (!j.is_array()) {
    out.errors.push_back("constraint " + std::to_string(number) + " " + j.dump() +
                         ": must be a list like [\"hostname\", \"UNIQUE\"]");
    return false;
  }
  Row row;
  row.text = j.dump();
  for (const auto& part : j) {
    auto text = json_part(part);
    if (!text) {
      out.errors.push_back("constraint " + std::to_string(number) + " " + row.text +
                           ": each part must be a string or a number");
      return false;
    }
    row.parts.push_back(*text);
  }
  rows.push_back(std::move(row));
  return true;
}

}  // namespace

std::string_view to_string(Operator op) {
  for (const auto& o : kOperators) {
    if (o.op == op) return o.name;
  }
  return "?";
}

std::optional<Operator> parse_operator(std::string_view name) {
  for (const auto& o : kOperators) {
    if (iequals(o.name, name)) return o.op;
  }
  return std::nullopt;
}

PlacementParseResult parse_placement(std::string_view text) {
  PlacementParseResult out;
  std::string_view body = trim(text);
  if (body.empty()) return out;
  std::vector<Row> rows;
  if (body.front() == '[') {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) {
      out.errors.push_back(
          "\"" + std::string(body) +
          "\" is not a valid constraint list; write [[\"hostname\", \"UNIQUE\"]] or "
          "hostname:UNIQUE");
      return out;
    }
    if (j.empty()) return out;
    bool nested = j[0].is_array();
    if (nested) {
      for (std::size_t i = 0; i < j.size(); ++i)
        parse_json_row(j[i], i + 1, rows, out);
    } else {
      parse_json_row(j, 1, rows, out);
    }
  } else {
    rows = split_colon_form(body);
  }
  for (std::size_t i = 0; i < rows.size(); ++i)
    check_row(rows[i], i + 1, out);
  if (!out.errors.empty()) out.rule.constraints.clear();
  return out;
}

std::string to_string(const PlacementRule& rule) {
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == ',' || c == ':' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  };
  std::string out;
  for (const Constraint& c : rule.constraints) {
    if (!out.empty()) out += ',';
    out += escape(c.field) + ':' + std::string(to_string(c.op));
    if (c.param) out += ':' + escape(*c.param);
  }
  return out;
}

}  // namespace steward::placement
