#include "spec/yaml_fields.hpp"

#include <algorithm>

#include "common/strings.hpp"
#include "spec/service_spec.hpp"

namespace steward::spec {

namespace {

// Real specs have hundreds of nodes; this is generous and still refuses alias bombs fast.
constexpr std::size_t kNodeBudget = 200'000;

std::string describe_kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return quote(node.Scalar());
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

}  // namespace

YamlDocument::YamlDocument(std::string file, std::vector<int> line_map, Diagnostics& diagnostics,
                           ServiceSpec& spec)
    : file_(std::move(file)),
      line_map_(std::move(line_map)),
      diagnostics_(diagnostics),
      spec_(spec),
      budget_(kNodeBudget) {}

SourceLocation YamlDocument::locate(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return {file_, 0, 0};
  auto index = static_cast<std::size_t>(mark.line);
  int line = index < line_map_.size() ? line_map_[index] : mark.line + 1;
  return {file_, line, mark.column + 1};
}

SourceLocation YamlDocument::locate(const YAML::Node& node) const {
  if (!node.IsDefined()) return {file_, 0, 0};
  return locate(node.Mark());
}

void YamlDocument::error(const YAML::Node& node, const std::string& path, std::string message,
                         std::string hint) {
  SourceLocation where = locate(node);
  if (where.line == 0) where = spec_.locate(path);
  diagnostics_.error(std::move(where), path, std::move(message), std::move(hint));
}

void YamlDocument::missing(const std::string& path, std::string message, std::string hint) {
  diagnostics_.error(spec_.locate(path), path, std::move(message), std::move(hint));
}

void YamlDocument::record(const std::string& path, const YAML::Node& node) {
  SourceLocation where = locate(node);
  if (where.line > 0) spec_.locations[path] = where;
}

bool YamlDocument::spend(std::size_t nodes) {
  if (budget_ == 0) return false;
  if (nodes >= budget_) {
    budget_ = 0;
    diagnostics_.error({file_, 0, 0}, "",
                       "the spec expands to more than " + std::to_string(kNodeBudget) +
                           " YAML nodes (through anchors and aliases?); refusing to read it",
                       "write the spec without deeply nested aliases");
    return false;
  }
  budget_ -= nodes;
  return true;
}

std::optional<std::string> YamlDocument::string(const YAML::Node& node, const std::string& path) {
  if (!spend()) return std::nullopt;
  if (!node.IsScalar()) {
    error(node, path, "must be a string, got " + describe_kind(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> YamlDocument::boolean(const YAML::Node& node, const std::string& path) {
  auto text = string(node, path);
  if (!text) return std::nullopt;
  if (iequals(*text, "true")) return true;
  if (iequals(*text, "false")) return false;
  error(node, path, "must be true or false, got " + quote(*text),
        "write true or false (yes/no/on/off are not booleans here)");
  return std::nullopt;
}

std::optional<long long> YamlDocument::integer(const YAML::Node& node, const std::string& path,
                                               long long min, long long max) {
  auto text = string(node, path);
  if (!text) return std::nullopt;
  auto value = parse_int(trim(*text));
  if (!value) {
    error(node, path, "must be a whole number, got " + quote(*text));
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    error(node, path,
          "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
              std::to_string(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlDocument::number(const YAML::Node& node, const std::string& path,
                                           double min, bool min_exclusive) {
  auto text = string(node, path);
  if (!text) return std::nullopt;
  auto value = parse_double(trim(*text));
  if (!value) {
    error(node, path, "must be a number, got " + quote(*text));
    return std::nullopt;
  }
  if (min_exclusive ? *value <= min : *value < min) {
    std::string bound = format_number(min);
    error(node, path,
          std::string("must be ") + (min_exclusive ? "greater than " : "at least ") + bound +
              ", got " + *text);
    return std::nullopt;
  }
  return value;
}

bool YamlDocument::is_sequence(const YAML::Node& node, const std::string& path,
                               std::string_view what) {
  if (node.IsSequence()) return spend(node.size());
  error(node, path, "must be a list of " + std::string(what) + ", got " + describe_kind(node));
  return false;
}

std::vector<YAML::Node> YamlDocument::elements(const YAML::Node& sequence) {
  std::vector<YAML::Node> out;
  out.reserve(sequence.size());
  for (auto it = sequence.begin(); it != sequence.end(); ++it)
    out.push_back(*it);
  return out;
}

std::optional<std::vector<std::string>> YamlDocument::string_list(const YAML::Node& node,
                                                                  const std::string& path) {
  if (node.IsScalar()) {
    auto one = string(node, path);
    if (!one) return std::nullopt;
    return std::vector<std::string>{*one};
  }
  if (!is_sequence(node, path, "strings")) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  const std::vector<YAML::Node> items = elements(node);
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item = string(items[i], path + "[" + std::to_string(i) + "]");
    if (item) {
      out.push_back(*item);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::pair<std::string, YAML::Node>>> YamlDocument::entries(
    const YAML::Node& node, const std::string& path) {
  if (!spend()) return std::nullopt;
  if (!node.IsMap()) {
    error(node, path, "must be a mapping, got " + describe_kind(node));
    return std::nullopt;
  }
  if (!spend(node.size())) return std::nullopt;
  std::vector<std::pair<std::string, YAML::Node>> out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // The iterator yields a temporary pair: copy the (cheap, shared) node handles.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      error(key, path, "keys must be plain names, got " + describe_kind(key));
      continue;
    }
    const std::string& name = key.Scalar();
    auto dup = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == name; });
    if (dup != out.end()) {
      error(key, join_path(path, name), "is given twice",
            "remove one of the two; the first is at line " +
                std::to_string(locate(dup->second).line));
      continue;
    }
    // A key's own mark is the best location for "this field is wrong" messages.
    record(join_path(path, name), key);
    out.emplace_back(name, value);
  }
  return out;
}

std::optional<YamlFields> YamlDocument::fields(
    const YAML::Node& node, const std::string& path, std::initializer_list<std::string_view> known,
    std::initializer_list<std::string_view> unsupported) {
  auto items = entries(node, path);
  if (!items) return std::nullopt;
  std::vector<std::string> known_names(known.begin(), known.end());
  std::vector<std::pair<std::string, YAML::Node>> accepted;
  for (auto& [name, value] : *items) {
    bool is_known = std::find(known.begin(), known.end(), name) != known.end() ||
                    std::find(unsupported.begin(), unsupported.end(), name) != unsupported.end();
    if (!is_known) {
      std::string hint;
      if (auto near = closest_match(name, known_names)) {
        hint = "did you mean " + *near + "?";
      } else {
        hint = "known fields here: " + join_alternatives(known_names);
      }
      diagnostics_.error(spec_.locate(join_path(path, name)), join_path(path, name),
                         "unknown field", hint);
      continue;
    }
    accepted.emplace_back(name, value);
  }
  return YamlFields{path, std::move(accepted)};
}

YAML::Node YamlFields::get(std::string_view key) const {
  for (const auto& [name, value] : items_) {
    if (name == key) return value;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlFields::has(std::string_view key) const {
  return std::any_of(items_.begin(), items_.end(), [&](const auto& e) { return e.first == key; });
}

std::string YamlFields::path(std::string_view key) const {
  return join_path(path_, key);
}

}  // namespace steward::spec
