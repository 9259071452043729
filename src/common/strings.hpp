#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Whether `text` occurs in `body`: glibc's memmem rather than std::string::find, which looks
// for the first character and compares from each occurrence. A quote-led word in JSON text
// meets a quote every few bytes: searching each call and event of a 10,000-pod deploy for
// its type that way was 8% of the cluster daemon's samples.
bool mentions(std::string_view body, std::string_view text);

// Strict numbers: the whole text must be the number (no trailing junk, no hex, no
// "1e3" for integers). Used wherever user text becomes a number.
std::optional<long long> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);

// Edit distance, for "did you mean" hints on misspelt field names.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// `value` in double quotes for a message, cut (on a UTF-8 boundary) when it is long, so a
// pasted blob does not become a message as long as itself.
std::string quote(std::string_view value);

// Shortest text that reads back as the same number: 0.5, 2, 1e+20.
std::string format_number(double value);

// "a, b or c"
std::string join_alternatives(const std::vector<std::string>& words);

// `value` as one segment of a URL's path: every byte but letters, digits and -._~ as %XX
// (the dots too of "." and "..").
std::string url_segment(std::string_view value);

}  // namespace steward
