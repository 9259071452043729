#pragma once

// Field access shared by the Mesos JSON codecs (only *_json.cpp files include this: it
// brings in nlohmann/json.hpp). Mesos wraps ids as {"value": "..."} and labels as
// {"labels": [{"key", "value"}]}; these read them leniently, as Mesos ignores what it does
// not know.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_document.hpp"
#include "common/json_text.hpp"
#include "mesos/resource.hpp"

namespace steward::mesos::json_fields {

using nlohmann::json;

inline json id(const std::string& value) {
  return {{"value", value}};
}

// The readers below take either tree: nlohmann's or a JsonDocument's (whose queries mirror
// nlohmann's names), so that a decoder is written once for both.

// The string inside {"value": ...} at `key`, if it is there and well formed.
template <class Tree>
std::optional<std::string> id_value(const Tree& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  auto v = it->find("value");
  if (v == it->end() || !v->is_string()) return std::nullopt;
  return v->template get<std::string>();
}

// The string at `key`, or "" when absent or not a string.
template <class Tree>
std::string text(const Tree& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->template get<std::string>() : std::string();
}

// The text a value's write_json gives, and the tree parsed from it (to_json): the text is
// where each type's JSON is written, once.
template <class T>
std::string written(const T& value) {
  std::string text;
  JsonText out(text);
  write_json(out, value);
  return text;
}
template <class T>
json parsed(const T& value) {
  return json::parse(written(value));
}
// A JSON list of values, each by its write_json.
template <class T>
void write_list(JsonText& out, const std::vector<T>& values) {
  out.begin_array();
  for (const T& v : values)
    write_json(out, v);
  out.end_array();
}

// "labels": {"labels": [{"key", "value"}]}, as a field of the object being written.
inline void write_labels(JsonText& out, const std::vector<Label>& labels) {
  out.key("labels").begin_object().key("labels").begin_array();
  for (const Label& l : labels) {
    out.begin_object().field("key", l.key);
    if (l.value) out.field("value", *l.value);
    out.end_object();
  }
  out.end_array().end_object();
}

// The labels at j["labels"]["labels"]; malformed entries are skipped.
template <class Tree>
std::vector<Label> labels_from(const Tree& j) {
  std::vector<Label> out;
  auto l = j.find("labels");
  if (l == j.end() || !l->is_object()) return out;
  auto list = l->find("labels");
  if (list == l->end() || !list->is_array()) return out;
  for (const auto& item : *list) {
    if (!item.is_object()) continue;
    Label label{text(item, "key"), std::nullopt};
    if (auto v = item.find("value"); v != item.end() && v->is_string())
      label.value = v->template get<std::string>();
    out.push_back(std::move(label));
  }
  return out;
}

}  // namespace steward::mesos::json_fields
