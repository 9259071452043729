#pragma once

// A read-only JSON tree parsed from a text in one pass, for the decoders on the hot paths
// (an ACCEPT launching hundreds of pods is megabytes). nlohmann's tree costs an allocation
// for every object, key and string and a map node for every member; this one keeps its
// nodes in one array and its strings as views of the text (copied only when they hold
// escapes), and parsed an ACCEPT several times faster (docs/benchmarks.md).
//
// It accepts exactly what nlohmann::json::parse accepts, of a text under 4 GiB (RFC 8259,
// UTF-8 checked, a leading byte order mark skipped, numbers that overflow a double refused)
// and reads the same values: a whole number is unsigned unless negative, and becomes a double
// when it does not fit; a key given twice keeps its last value. The queries mirror nlohmann's
// names, so that a decoder reads the same on either tree. Each value is a 32-byte node (the
// largest array's are held twice while it is read): a text of small numbers costs more here
// than in nlohmann's tree, one of strings and objects (what Mesos sends) far less.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace steward {

class JsonValue {
 public:
  enum class Kind : std::uint8_t {
    null,
    boolean,
    integer,
    unsigned_integer,
    floating,
    string,
    array,
    object
  };

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_boolean() const { return kind_ == Kind::boolean; }
  bool is_number() const {
    return kind_ == Kind::integer || kind_ == Kind::unsigned_integer || kind_ == Kind::floating;
  }
  bool is_number_integer() const {
    return kind_ == Kind::integer || kind_ == Kind::unsigned_integer;
  }
  bool is_number_unsigned() const { return kind_ == Kind::unsigned_integer; }
  bool is_number_float() const { return kind_ == Kind::floating; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }

  // An array's elements or an object's members' values, in the text's order (an object's
  // key given twice is there twice). A scalar has none.
  const JsonValue* begin() const { return is_container() ? value_.children : nullptr; }
  const JsonValue* end() const { return is_container() ? value_.children + size_ : nullptr; }
  std::size_t size() const { return is_container() ? size_ : 0; }
  bool empty() const { return size() == 0; }
  // A member's key (empty for an array's element and the root).
  std::string_view key() const { return {key_, key_size_}; }

  // The value of the member `key` (its last, when given twice), or end(): for anything but
  // an object, end().
  const JsonValue* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  // The member `key`; throws std::out_of_range when there is none.
  const JsonValue& operator[](std::string_view key) const;

  // A string's text; throws std::logic_error for anything else.
  std::string_view string_view() const;
  // The value as T, as nlohmann's get<T>() converts it: std::string (a string), bool (a
  // boolean), arithmetic types (any number, cast). Throws std::logic_error otherwise.
  template <class T>
  T get() const;

  // True when this is a string equal to `text`.
  bool operator==(std::string_view text) const { return is_string() && string_view() == text; }

 private:
  friend class JsonDocument;
  friend class JsonDocumentParser;
  bool is_container() const { return kind_ == Kind::array || kind_ == Kind::object; }
  [[noreturn]] void not_a(const char* what) const;

  union Value {
    bool boolean;
    std::int64_t integer;
    std::uint64_t unsigned_integer;
    double floating;
    const char* string;
    const JsonValue* children;
    std::size_t first;  // while parsing: the index of the first child
  };
  Value value_{};
  const char* key_ = nullptr;
  std::uint32_t key_size_ = 0;
  std::uint32_t size_ = 0;  // a string's length, a container's children
  Kind kind_ = Kind::null;
};

// A list a JsonDocument hands over element by element as it parses: the array at
// root.<outer>.<inner> (an OFFERS event's offers). Each object in it is given to take() as soon
// as it is complete, and one taken is dropped from the document, so that a list of thousands
// never holds all its nodes at once (a document holds about twice its text in nodes). One not
// taken stays, for the reader of the document to report as it would have. begin() is called
// whenever root.<outer> or root.<outer>.<inner> is given (again): the document keeps a key given
// twice by its last value, and so should the listing.
class JsonListing {
 public:
  JsonListing(std::string_view outer, std::string_view inner) : outer_(outer), inner_(inner) {}
  virtual ~JsonListing() = default;
  virtual void begin() = 0;
  virtual bool take(const JsonValue& element) = 0;
  std::string_view outer() const { return outer_; }
  std::string_view inner() const { return inner_; }

 private:
  std::string_view outer_;
  std::string_view inner_;
};

class JsonDocument {
 public:
  JsonDocument() = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
  JsonDocument(JsonDocument&&) = default;
  JsonDocument& operator=(JsonDocument&&) = default;

  // Parses `text`, which must outlive the document (its strings are views of it). False,
  // with error() saying where, when it is not JSON; the document is then empty (a null root).
  bool parse(std::string_view text);
  // The same, handing the elements of `listing`'s list over as they are parsed.
  bool parse(std::string_view text, JsonListing& listing);
  const JsonValue& root() const { return nodes_.empty() ? null_ : nodes_.back(); }
  const std::string& error() const { return error_; }

 private:
  bool parse(std::string_view text, JsonListing* listing);
  std::vector<JsonValue> nodes_;       // every value, each container's children together
  std::deque<std::string> unescaped_;  // strings and keys that held escapes
  std::string error_;
  JsonValue null_;
};

template <>
std::string JsonValue::get<std::string>() const;
template <>
bool JsonValue::get<bool>() const;

template <class T>
T JsonValue::get() const {
  static_assert(std::is_arithmetic_v<T>, "get<T>: a string, a boolean or a number");
  switch (kind_) {
    case Kind::integer:
      return static_cast<T>(value_.integer);
    case Kind::unsigned_integer:
      return static_cast<T>(value_.unsigned_integer);
    case Kind::floating:
      return static_cast<T>(value_.floating);
    case Kind::boolean:  // as nlohmann converts it
      return static_cast<T>(value_.boolean);
    default:
      not_a("number");
  }
}

}  // namespace steward
