#include "resources/ranges.hpp"

#include <algorithm>

namespace steward::resources {

Ranges normalize(Ranges ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const auto& x, const auto& y) {
    return x.begin < y.begin || (x.begin == y.begin && x.end < y.end);
  });
  Ranges out;
  for (const auto& r : ranges) {
    if (r.begin > r.end) continue;
    // Merge overlapping and adjacent ranges (end + 1 guarded against overflow).
    if (!out.empty() && (r.begin <= out.back().end || r.begin - 1 == out.back().end)) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

Ranges add(const Ranges& a, const Ranges& b) {
  Ranges all = a;
  all.insert(all.end(), b.begin(), b.end());
  return normalize(std::move(all));
}

Ranges subtract(const Ranges& a, const Ranges& b) {
  Ranges out;
  Ranges cut = normalize(b);
  for (auto r : normalize(a)) {
    for (const auto& c : cut) {
      if (c.end < r.begin || c.begin > r.end) continue;
      if (c.begin > r.begin) out.push_back({r.begin, c.begin - 1});
      if (c.end >= r.end) {
        r.begin = 1;
        r.end = 0;  // consumed
        break;
      }
      r.begin = c.end + 1;
    }
    if (r.begin <= r.end) out.push_back(r);
  }
  return normalize(std::move(out));
}

bool contains(const Ranges& a, const Ranges& b) {
  return subtract(b, a).empty();
}

bool contains(const Ranges& a, std::uint64_t value) {
  return std::any_of(a.begin(), a.end(),
                     [&](const auto& r) { return r.begin <= value && value <= r.end; });
}

std::uint64_t count(const Ranges& a) {
  std::uint64_t n = 0;
  for (const auto& r : normalize(a))
    n += r.end - r.begin + 1;
  return n;
}

}  // namespace steward::resources
