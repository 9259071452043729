#pragma once

// JSON written straight into a string, for the texts that are too large or too frequent to
// go through a JSON tree first: an ACCEPT of hundreds of tasks, an OFFERS event of a
// thousand offers. Building the tree cost more than everything else a launch does.
//
// The caller writes an object's keys in sorted order, so the text is the one nlohmann's
// dump() gives for the same value (its objects are sorted maps): numbers and strings are
// written exactly as it writes them, with invalid UTF-8 replaced by U+FFFD. Given an indent, it
// is the text of dump(indent): a member or element to a line, and an empty object or array
// as "{}" or "[]".

#include <cassert>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace steward {

class JsonText {
 public:
  explicit JsonText(std::string& out, int indent = -1) : out_(out), indent_(indent) {}

  JsonText& begin_object() { return open('{'); }
  JsonText& end_object() { return close('}'); }
  JsonText& begin_array() { return open('['); }
  JsonText& end_array() { return close(']'); }

  // Escaped as a string value is: keys are mostly literals of this code, but also names and
  // ids (a task's, a resource's) that the caller does not check.
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

  // Where a value written here lies in the text, to write it again with again(): compact text
  // only, where a value's text is the same at any depth.
  struct Span {
    std::size_t from = 0;
    std::size_t length = 0;
  };
  bool compact() const { return indent_ < 0; }
  template <class Write>
  Span recorded(Write&& write) {
    assert(compact());  // indented, a value's text depends on its depth
    const std::size_t before = out_.size();
    write();
    // What separate() put before the value: a comma or nothing, in compact text.
    const std::size_t from = before < out_.size() && out_[before] == ',' ? before + 1 : before;
    return {from, out_.size() - from};
  }
  JsonText& again(Span span) {
    separate();
    out_.append(out_, span.from, span.length);  // std::string copies from itself safely
    need_comma_ = true;
    return *this;
  }

  // An array of the values in `range` (strings, numbers).
  template <class Range>
  JsonText& values(const Range& range) {
    begin_array();
    for (const auto& v : range)
      value(v);
    return end_array();
  }

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
  void quoted(std::string_view s);  // a JSON string, escaped where it must be
  JsonText& signed_value(std::int64_t n);
  JsonText& unsigned_value(std::uint64_t n);
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (need_comma_) out_ += ',';
    if (indent_ >= 0 && depth_ > 0) new_line();
  }
  void new_line() {
    out_ += '\n';
    out_.append(static_cast<std::size_t>(indent_) * depth_, ' ');
  }

  std::string& out_;
  int indent_;               // < 0: compact
  std::size_t depth_ = 0;    // objects and arrays open
  bool need_comma_ = false;  // a value was completed at this level
  bool after_key_ = false;   // a key was written and its value is next
};

}  // namespace steward
