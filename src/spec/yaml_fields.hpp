#pragma once

// Typed, checked access to YAML nodes for the spec reader. Every accessor reports into
// Diagnostics with file, line, column and field path instead of throwing, and applies the
// spec's own scalar rules: booleans are true/false only (YAML 1.1's yes/no/on/off are
// refused, not guessed), numbers must be whole numbers of the expected kind.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.hpp"

namespace steward::spec {

struct ServiceSpec;

class YamlFields;

// The context shared by every accessor of one document.
class YamlDocument {
 public:
  YamlDocument(std::string file, std::vector<int> line_map, Diagnostics& diagnostics,
               ServiceSpec& spec);

  SourceLocation locate(const YAML::Node& node) const;
  SourceLocation locate(const YAML::Mark& mark) const;
  Diagnostics& diagnostics() { return diagnostics_; }
  void error(const YAML::Node& node, const std::string& path, std::string message,
             std::string hint = {});
  // A required field is absent: point at the closest field that is there (its parent).
  void missing(const std::string& path, std::string message, std::string hint = {});
  void record(const std::string& path, const YAML::Node& node);
  // Bounds the work an input can cause (aliases can make a small file a huge tree).
  bool spend(std::size_t nodes = 1);
  const std::string& file() const { return file_; }
  ServiceSpec& spec() { return spec_; }

  // Scalars. Each returns nullopt after reporting when the node has the wrong shape.
  std::optional<std::string> string(const YAML::Node& node, const std::string& path);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& path);
  std::optional<long long> integer(const YAML::Node& node, const std::string& path, long long min,
                                   long long max);
  std::optional<double> number(const YAML::Node& node, const std::string& path, double min,
                               bool min_exclusive);
  // A list of strings; a single string is accepted as a list of one.
  std::optional<std::vector<std::string>> string_list(const YAML::Node& node,
                                                      const std::string& path);
  bool is_sequence(const YAML::Node& node, const std::string& path, std::string_view what);
  // The elements of a sequence. yaml-cpp's node[i] allocates a key node per call, so
  // readers walk sequences through this instead.
  static std::vector<YAML::Node> elements(const YAML::Node& sequence);

  // A mapping with known keys. Reports non-mappings, duplicate keys and unknown keys
  // (with the closest known key as the fix). Keys in `unsupported` are accepted here and
  // left to the caller to refuse with a reason.
  std::optional<YamlFields> fields(const YAML::Node& node, const std::string& path,
                                   std::initializer_list<std::string_view> known,
                                   std::initializer_list<std::string_view> unsupported = {});
  // A mapping with free keys (env, pods, plans...): duplicates reported, order kept.
  std::optional<std::vector<std::pair<std::string, YAML::Node>>> entries(const YAML::Node& node,
                                                                         const std::string& path);

 private:
  std::string file_;
  std::vector<int> line_map_;
  Diagnostics& diagnostics_;
  ServiceSpec& spec_;
  std::size_t budget_;
};

class YamlFields {
 public:
  YamlFields(std::string path, std::vector<std::pair<std::string, YAML::Node>> items)
      : path_(std::move(path)), items_(std::move(items)) {}
  // The value of `key`, or an undefined node when absent. A key written with no value
  // (`cpus:`) is present and null.
  YAML::Node get(std::string_view key) const;
  bool has(std::string_view key) const;
  std::string path(std::string_view key) const;
  const std::vector<std::pair<std::string, YAML::Node>>& items() const { return items_; }

 private:
  std::string path_;
  std::vector<std::pair<std::string, YAML::Node>> items_;
};

}  // namespace steward::spec
