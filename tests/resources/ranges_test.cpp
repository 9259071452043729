#include "resources/ranges.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace steward::resources {
namespace {

Ranges R(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> list) {
  Ranges out;
  for (auto [b, e] : list)
    out.push_back({b, e});
  return out;
}

TEST(Ranges, NormalizeMergesOverlapsAndNeighbours) {
  EXPECT_EQ(normalize(R({{10, 20}, {1, 3}, {4, 5}, {15, 25}, {30, 29}})), R({{1, 5}, {10, 25}}));
  EXPECT_EQ(normalize(R({{0, 0}, {UINT64_MAX, UINT64_MAX}})),
            R({{0, 0}, {UINT64_MAX, UINT64_MAX}}));
}

TEST(Ranges, SubtractSplitsAndTrims) {
  EXPECT_EQ(subtract(R({{31000, 32000}}), R({{31005, 31005}})),
            R({{31000, 31004}, {31006, 32000}}));
  EXPECT_EQ(subtract(R({{1, 10}}), R({{0, 3}, {8, 20}})), R({{4, 7}}));
  EXPECT_EQ(subtract(R({{1, 10}}), R({{1, 10}})), R({}));
  EXPECT_EQ(subtract(R({{1, 10}}), R({{20, 30}})), R({{1, 10}}));
  EXPECT_TRUE(contains(R({{1, 10}, {20, 30}}), R({{2, 3}, {25, 25}})));
  EXPECT_FALSE(contains(R({{1, 10}}), R({{10, 11}})));
  EXPECT_TRUE(contains(R({{1, 10}}), 10));
  EXPECT_EQ(count(R({{1, 10}, {5, 12}})), 12u);
  EXPECT_EQ(add(R({{1, 2}}), R({{3, 4}})), R({{1, 4}}));
}

// Against a set of integers as the model.
TEST(Ranges, MatchAModelOnRandomInput) {
  std::mt19937 rng(5);
  auto random_ranges = [&] {
    Ranges r;
    for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) {
      std::uint64_t b = rng() % 60;
      r.push_back({b, b + rng() % 8});
    }
    return r;
  };
  auto model = [](const Ranges& r) {
    std::set<std::uint64_t> s;
    for (const auto& x : r) {
      for (auto v = x.begin; v <= x.end; ++v)
        s.insert(v);
    }
    return s;
  };
  for (int i = 0; i < 3000; ++i) {
    Ranges a = random_ranges();
    Ranges b = random_ranges();
    std::set<std::uint64_t> expected = model(a);
    for (auto v : model(b))
      expected.erase(v);
    EXPECT_EQ(model(subtract(a, b)), expected);
    std::set<std::uint64_t> both = model(a);
    for (auto v : model(b))
      both.insert(v);
    EXPECT_EQ(model(add(a, b)), both);
    EXPECT_EQ(normalize(subtract(a, b)), subtract(a, b));
  }
}

}  // namespace
}  // namespace steward::resources
