#include "common/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

namespace steward {

namespace {

// Whether a string needs neither escapes nor UTF-8 checks: no control character, quote,
// backslash or byte from 0x80. Eight bytes at a time (the strings of a launch, and the
// checkpoint of a cluster, are mostly long and plain: byte by byte this check was a few
// per cent of a deploy's CPU).
bool plain(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  // The high bit of each byte of v that is zero (exact for bytes below 0x80, and each byte
  // tested here is, once the high bytes are ruled out).
  const auto zero_bytes = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    if ((v & kHighs) != 0) return false;
    // A byte below 0x20 turns negative (high bit set) when 0x20 is taken from it.
    if ((((v - 0x20 * kOnes) & ~v) & kHighs) != 0 || zero_bytes(v ^ ('"' * kOnes)) != 0 ||
        zero_bytes(v ^ ('\\' * kOnes)) != 0)
      return false;
  }
  for (; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') return false;
  }
  return true;
}

}  // namespace

JsonText& JsonText::open(char c) {
  separate();
  out_ += c;
  ++depth_;
  need_comma_ = false;
  return *this;
}

JsonText& JsonText::close(char c) {
  --depth_;
  // Nothing written since the opening bracket: empty, "{}" or "[]" on one line.
  if (indent_ >= 0 && out_.back() != (c == '}' ? '{' : '[')) new_line();
  out_ += c;
  need_comma_ = true;
  return *this;
}

void JsonText::quoted(std::string_view s) {
  if (plain(s)) {
    out_ += '"';
    out_ += s;
    out_ += '"';
  } else {
    // Escapes and UTF-8 checks are rare in what Steward sends; nlohmann's own writer does
    // them, so the text stays the one a tree would give.
    out_ += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

JsonText& JsonText::key(std::string_view name) {
  separate();
  quoted(name);
  out_ += indent_ >= 0 ? ": " : ":";
  need_comma_ = false;
  after_key_ = true;
  return *this;
}

JsonText& JsonText::literal(std::string_view text) {
  separate();
  out_ += text;
  need_comma_ = true;
  return *this;
}

JsonText& JsonText::value(std::string_view s) {
  separate();
  quoted(s);
  need_comma_ = true;
  return *this;
}

JsonText& JsonText::value(double d) {
  if (!std::isfinite(d)) return null();
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, d);
  return literal(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

JsonText& JsonText::signed_value(std::int64_t n) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  return literal(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

JsonText& JsonText::unsigned_value(std::uint64_t n) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  return literal(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

}  // namespace steward
