#include "common/json_document.hpp"

#include <locale.h>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace steward {

void JsonValue::not_a(const char* what) const {
  throw std::logic_error(std::string("JSON value is not a ") + what);
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind_ != Kind::object) return end();
  // From the end: a key given twice keeps its last value, as nlohmann's tree does.
  for (const JsonValue* v = end(); v != begin();) {
    --v;
    if (v->key() == key) return v;
  }
  return end();
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
  const JsonValue* v = find(key);
  if (v == end()) throw std::out_of_range("JSON object has no member " + std::string(key));
  return *v;
}

std::string_view JsonValue::string_view() const {
  if (kind_ != Kind::string) not_a("string");
  return {value_.string, size_};
}

template <>
std::string JsonValue::get<std::string>() const {
  return std::string(string_view());
}

template <>
bool JsonValue::get<bool>() const {
  if (kind_ != Kind::boolean) not_a("boolean");
  return value_.boolean;
}

namespace {

using Kind = JsonValue::Kind;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the well-formed UTF-8 sequence at p (its lead byte >= 0x80), or 0. The
// ranges are RFC 3629's, as nlohmann checks them: no overlong forms, no surrogates, nothing
// past U+10FFFF.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  auto in = [&](std::size_t i, unsigned char lo, unsigned char hi) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  const unsigned char c = p[0];
  if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// strtod in the "C" locale whatever the process's is, for the numbers from_chars reports
// out of range (it does so for a result too small as well, which JSON takes as 0 or a
// subnormal).
double c_strtod(const std::string& text) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  if (c_locale == static_cast<locale_t>(nullptr)) return std::strtod(text.c_str(), nullptr);
  return strtod_l(text.c_str(), nullptr, c_locale);
}

}  // namespace

class JsonDocumentParser {
 public:
  JsonDocumentParser(std::string_view text, std::vector<JsonValue>& nodes,
                     std::deque<std::string>& unescaped, JsonListing* listing)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        nodes_(nodes),
        unescaped_(unescaped),
        listing_(listing) {}

  // Parses the whole text; the root is nodes_.back(). Returns "" or what is wrong.
  std::string run();

 private:
  struct Pending {
    const char* data = nullptr;
    std::size_t size = 0;
  };

  std::string fail(const std::string& what) const {
    return what + " at byte " + std::to_string(p_ - begin_);
  }
  void skip_space() {
    while (p_ < end_ && is_space(*p_))
      ++p_;
  }
  bool string(Pending& out, std::string& error);
  // A member's key and its colon, into key_.
  bool member_key(std::string& error) {
    skip_space();
    if (p_ >= end_ || *p_ != '"') {
      error = fail("expected a key");
      return false;
    }
    if (!string(key_, error)) return false;
    skip_space();
    if (p_ >= end_ || *p_ != ':') {
      error = fail("expected ':'");
      return false;
    }
    ++p_;
    return true;
  }
  bool number(JsonValue& v, std::string& error);
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }
  JsonValue& push(Kind kind) {
    JsonValue& v = scratch_.emplace_back();
    v.kind_ = kind;
    v.key_ = key_.data;
    v.key_size_ = static_cast<std::uint32_t>(key_.size);
    key_ = {};
    return v;
  }
  void open() {
    open_.push_back(scratch_.size() - 1);
    if (listing_ != nullptr) marks_.push_back(nodes_.size());
  }
  // Moves the children of the innermost open container to their place in nodes_.
  void close() {
    const std::size_t at = open_.back();
    open_.pop_back();
    JsonValue& container = scratch_[at];
    container.value_.first = nodes_.size();
    container.size_ = static_cast<std::uint32_t>(scratch_.size() - at - 1);
    nodes_.insert(nodes_.end(), scratch_.begin() + static_cast<std::ptrdiff_t>(at + 1),
                  scratch_.end());
    scratch_.resize(at + 1);
    if (listing_ == nullptr) return;
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    if (open_.size() == 3 && scratch_[at].kind_ == Kind::object && in_listed_array())
      hand_over(mark);
  }
  // Whether the innermost open container is the listing's array: root.<outer>.<inner>.
  bool in_listed_array() const {
    const JsonValue& list = scratch_[open_[2]];
    const JsonValue& outer = scratch_[open_[1]];
    return list.kind_ == Kind::array && scratch_[open_[0]].kind_ == Kind::object &&
           outer.kind_ == Kind::object && list.key() == listing_->inner() &&
           outer.key() == listing_->outer();
  }
  // The element just closed (the last of scratch_, its descendants nodes_[mark, end)) is
  // given to the listing in a document of its own; taken, it is dropped.
  void hand_over(std::size_t mark) {
    element_.assign(nodes_.begin() + static_cast<std::ptrdiff_t>(mark), nodes_.end());
    element_.push_back(scratch_.back());
    for (JsonValue& v : element_)
      if (v.is_container()) v.value_.children = element_.data() + (v.value_.first - mark);
    if (!listing_->take(element_.back())) return;
    nodes_.resize(mark);
    scratch_.pop_back();
  }
  // A member's key was read, at the depth of open_: root.<outer>, or root.<outer>.<inner>,
  // starts the list (again).
  void keyed() {
    if (listing_ == nullptr || open_.size() > 2) return;
    const std::string_view key(key_.data, key_.size);
    if (open_.size() == 1 ? key == listing_->outer()
                          : key == listing_->inner() && scratch_[open_[1]].kind_ == Kind::object &&
                                scratch_[open_[1]].key() == listing_->outer())
      listing_->begin();
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::vector<JsonValue>& nodes_;
  std::deque<std::string>& unescaped_;
  std::vector<JsonValue> scratch_;  // values whose container is still open
  std::vector<std::size_t> open_;   // the open containers, at their index in scratch_
  Pending key_;                     // the key of the member being read
  JsonListing* listing_;
  std::vector<std::size_t> marks_;  // with a listing: nodes_.size() when each open one opened
  std::vector<JsonValue> element_;  // a listed element handed over, with its descendants
};

bool JsonDocumentParser::string(Pending& out, std::string& error) {
  ++p_;  // the opening quote
  const char* start = p_;
  // The common case: no escapes, the text itself.
  while (p_ < end_) {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out = {start, static_cast<std::size_t>(p_ - start)};
      ++p_;
      return true;
    }
    if (c == '\\') break;
    if (c < 0x20) {
      error = fail("control character in a string");
      return false;
    }
    if (c < 0x80) {
      ++p_;
      continue;
    }
    const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p_),
                                        reinterpret_cast<const unsigned char*>(end_));
    if (n == 0) {
      error = fail("invalid UTF-8 in a string");
      return false;
    }
    p_ += n;
  }
  if (p_ >= end_) {
    error = fail("unterminated string");
    return false;
  }
  std::string& text = unescaped_.emplace_back(start, p_);
  while (p_ < end_) {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out = {text.data(), text.size()};
      ++p_;
      return true;
    }
    if (c < 0x20) {
      error = fail("control character in a string");
      return false;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p_),
                                          reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) {
        error = fail("invalid UTF-8 in a string");
        return false;
      }
      text.append(p_, n);
      p_ += n;
      continue;
    }
    if (c != '\\') {
      text += static_cast<char>(c);
      ++p_;
      continue;
    }
    if (++p_ >= end_) break;
    switch (*p_) {
      case '"':
        text += '"';
        break;
      case '\\':
        text += '\\';
        break;
      case '/':
        text += '/';
        break;
      case 'b':
        text += '\b';
        break;
      case 'f':
        text += '\f';
        break;
      case 'n':
        text += '\n';
        break;
      case 'r':
        text += '\r';
        break;
      case 't':
        text += '\t';
        break;
      case 'u': {
        auto hex4 = [&](const char* at) -> int {
          if (end_ - at < 4) return -1;
          int v = 0;
          for (int i = 0; i < 4; ++i) {
            const int d = hex_digit(at[i]);
            if (d < 0) return -1;
            v = v * 16 + d;
          }
          return v;
        };
        const int hi = hex4(p_ + 1);
        if (hi < 0) {
          error = fail("\\u needs four hexadecimal digits");
          return false;
        }
        p_ += 4;
        std::uint32_t cp = static_cast<std::uint32_t>(hi);
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          error = fail("a low surrogate without a high one");
          return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const int lo = end_ - p_ > 2 && p_[1] == '\\' && p_[2] == 'u' ? hex4(p_ + 3) : -1;
          if (lo < 0xDC00 || lo > 0xDFFF) {
            error = fail("a high surrogate must be followed by a low one");
            return false;
          }
          p_ += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(lo) - 0xDC00);
        }
        append_utf8(text, cp);
        break;
      }
      default:
        error = fail("invalid escape in a string");
        return false;
    }
    ++p_;
  }
  error = fail("unterminated string");
  return false;
}

bool JsonDocumentParser::number(JsonValue& v, std::string& error) {
  const char* start = p_;
  auto digits = [&] {
    const char* from = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
      ++p_;
    return p_ > from;
  };
  const bool negative = p_ < end_ && *p_ == '-';
  if (negative) ++p_;
  if (p_ < end_ && *p_ == '0') {
    ++p_;
  } else if (!digits()) {
    error = fail("invalid number");
    return false;
  }
  bool whole = true;
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    whole = false;
    if (!digits()) {
      error = fail("invalid number");
      return false;
    }
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    whole = false;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!digits()) {
      error = fail("invalid number");
      return false;
    }
  }
  if (whole) {
    // As nlohmann: unsigned unless negative; a double when it does not fit.
    if (negative) {
      std::int64_t i = 0;
      if (std::from_chars(start, p_, i).ec == std::errc()) {
        v.kind_ = Kind::integer;
        v.value_.integer = i;
        return true;
      }
    } else {
      std::uint64_t u = 0;
      if (std::from_chars(start, p_, u).ec == std::errc()) {
        v.kind_ = Kind::unsigned_integer;
        v.value_.unsigned_integer = u;
        return true;
      }
    }
  }
  double d = 0;
  const auto [end, ec] = std::from_chars(start, p_, d);
  if (ec == std::errc::result_out_of_range || end != p_)
    d = c_strtod(std::string(start, p_));  // too small for a double: 0 or a subnormal
  if (!std::isfinite(d)) {
    error = fail("number overflows a double");
    return false;
  }
  v.kind_ = Kind::floating;
  v.value_.floating = d;
  return true;
}

std::string JsonDocumentParser::run() {
  if (static_cast<std::size_t>(end_ - begin_) >= std::numeric_limits<std::uint32_t>::max())
    return "text too large";
  // A byte order mark is skipped; a first byte 0xEF starting anything else is an error.
  if (p_ < end_ && static_cast<unsigned char>(*p_) == 0xEF) {
    if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
        static_cast<unsigned char>(p_[2]) != 0xBF)
      return fail("invalid byte order mark");
    p_ += 3;
  }
  std::string error;
  // Each turn reads one value; `after` then expects what may follow it.
  for (;;) {
    skip_space();
    if (p_ >= end_) return fail("unexpected end of text");
    switch (*p_) {
      case '{':
      case '[': {
        const bool object = *p_ == '{';
        push(object ? Kind::object : Kind::array);
        open();
        ++p_;
        skip_space();
        if (p_ < end_ && *p_ == (object ? '}' : ']')) {
          ++p_;
          close();
          break;  // an empty container: a whole value
        }
        if (object) {
          if (!member_key(error)) return error;
          keyed();
        }
        continue;  // its first value
      }
      case '"': {
        Pending s;
        if (!string(s, error)) return error;
        JsonValue& v = push(Kind::string);
        v.value_.string = s.data;
        v.size_ = static_cast<std::uint32_t>(s.size);
        break;
      }
      case 't':
      case 'f': {
        const bool truth = *p_ == 't';
        if (!literal(truth ? "true" : "false")) return fail("invalid literal");
        push(Kind::boolean).value_.boolean = truth;
        break;
      }
      case 'n':
        if (!literal("null")) return fail("invalid literal");
        push(Kind::null);
        break;
      default: {
        if (*p_ != '-' && (*p_ < '0' || *p_ > '9')) return fail("unexpected character");
        JsonValue& v = push(Kind::null);
        if (!number(v, error)) return error;
        break;
      }
    }
    // A value is complete: close the containers it completes, or go on to the next member.
    for (;;) {
      if (open_.empty()) {
        skip_space();
        // nlohmann's lexer takes a NUL byte for the end of the text (it reads C strings
        // too), so whatever follows one is ignored there: here as well.
        if (p_ != end_ && *p_ != '\0') return fail("unexpected text after the value");
        nodes_.push_back(scratch_.back());
        // Children were placed by index while nodes_ grew: now their addresses hold.
        for (JsonValue& v : nodes_) {
          if (v.is_container()) v.value_.children = nodes_.data() + v.value_.first;
        }
        return "";
      }
      const bool object = scratch_[open_.back()].kind_ == Kind::object;
      skip_space();
      if (p_ >= end_) return fail("unexpected end of text");
      if (*p_ == (object ? '}' : ']')) {
        ++p_;
        close();
        continue;
      }
      if (*p_ != ',') return fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
      ++p_;
      if (object) {
        if (!member_key(error)) return error;
        keyed();
      }
      break;  // the next value
    }
  }
}

bool JsonDocument::parse(std::string_view text) {
  return parse(text, nullptr);
}

bool JsonDocument::parse(std::string_view text, JsonListing& listing) {
  return parse(text, &listing);
}

bool JsonDocument::parse(std::string_view text, JsonListing* listing) {
  nodes_.clear();
  unescaped_.clear();
  error_ = JsonDocumentParser(text, nodes_, unescaped_, listing).run();
  if (error_.empty()) return true;
  nodes_.clear();
  unescaped_.clear();
  return false;
}

}  // namespace steward
