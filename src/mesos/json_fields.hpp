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

// Parses `text` into a tree, except the list at outer.inner (the top-level object's member
// `outer`, and its member `inner`): each object in that list is handed to `listing.take` as
// soon as the parser has finished it, and dropped when taken, so that a record listing
// thousands (an OFFERS event's offers) never holds all their trees at once: for 5,000 offers
// the whole tree was some 40 MB (a JsonDocument keeps all its nodes, 32 bytes each). One that
// `take` refuses stays in the tree, for the reader of the tree to report as it would have.
// `listing.clear()` is called when the list starts again, so that it ends with the list given last,
// as the tree keeps a key given twice. A text that is not JSON gives a discarded tree. Only a
// record of type `type` ("OFFERS") lists them: a text without that word in quotes is parsed as
// json::parse does, because the parser's callback mode costs more per value and, at the end of
// every object it keeps, scans that object's container for dropped values (nlohmann 3.11), so
// that a large list it keeps (a RECONCILE of every task: 75 ms against 8 at 10,000) would be
// quadratic.
template <class Listing>
json parse_listing(std::string_view text, std::string_view type, const char* outer,
                   const char* inner, Listing& listing) {
  listing.clear();
  const std::string quoted_type = "\"" + std::string(type) + "\"";
  if (text.find(quoted_type) == std::string_view::npos) return json::parse(text, nullptr, false);
  bool in_list = false;
  std::string key1, key2;  // the last keys at depths 1 and 2
  auto each = [&](int depth, json::parse_event_t what, json& parsed) {
    switch (what) {
      case json::parse_event_t::key:
        if (depth == 1) {
          key1 = parsed.get<std::string>();
          key2.clear();  // a key of another member's object would be stale
        }
        if (depth == 2) key2 = parsed.get<std::string>();
        if ((depth == 1 || depth == 2) && key1 == outer && (depth == 1 || key2 == inner))
          listing.clear();
        return true;
      case json::parse_event_t::array_start:
        if (depth == 2) in_list = key1 == outer && key2 == inner;
        return true;
      case json::parse_event_t::array_end:
        if (depth == 2) in_list = false;
        return true;
      case json::parse_event_t::object_end:
        if (depth != 3 || !in_list) return true;
        return !listing.take(static_cast<const json&>(parsed));
      default:
        return true;
    }
  };
  return json::parse(text, each, false);
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
