#pragma once

// JSON written straight into a string, for the texts that are too large or too frequent to
// go through a JSON tree first: an ACCEPT of hundreds of tasks, an OFFERS event of a
// thousand offers. Building the tree cost more than everything else a launch does.
//
// The caller writes an object's keys in sorted order, so the text is the one nlohmann's
// dump() gives for the same value (its objects are sorted maps): numbers and strings are
// written exactly as it writes them, with invalid UTF-8 replaced by U+FFFD.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace steward {

class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  JsonText& begin_object() { return open('{'); }
  JsonText& end_object() { return close('}'); }
  JsonText& begin_array() { return open('['); }
  JsonText& end_array() { return close(']'); }

  // `name` is written as it is: keys are literals of this code that need no escaping.
  JsonText& key(std::string_view name);

  JsonText& value(std::string_view s);
  JsonText& value(const std::string& s) { return value(std::string_view(s)); }
  JsonText& value(const char* s) { return value(std::string_view(s)); }
  JsonText& value(double d);
  JsonText& value(bool b) { return literal(b ? "true" : "false"); }
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonText& value(T n) {
    if constexpr (std::is_signed_v<T>)
      return signed_value(n);
    else
      return unsigned_value(n);
  }
  JsonText& null() { return literal("null"); }
  // A value that is already JSON text.
  JsonText& raw(std::string_view json) { return literal(json); }

  template <class T>
  JsonText& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  // {"value": v}, the shape Mesos gives every id.
  JsonText& id_field(std::string_view name, std::string_view v) {
    key(name).begin_object().field("value", v);
    return end_object();
  }

 private:
  JsonText& open(char c);
  JsonText& close(char c);
  JsonText& literal(std::string_view text);
  JsonText& signed_value(std::int64_t n);
  JsonText& unsigned_value(std::uint64_t n);
  void separate() {
    if (need_comma_) out_ += ',';
  }

  std::string& out_;
  bool need_comma_ = false;  // a value was completed at this level
};

}  // namespace steward
