#include "common/boxed.hpp"

#include <gtest/gtest.h>

#include <string>

namespace steward {
namespace {

struct Big {
  std::string text;
  int n = 0;
  friend bool operator==(const Big&, const Big&) = default;
};

TEST(Boxed, IsAPointerWideWhateverItHolds) {
  EXPECT_EQ(sizeof(Boxed<Big>), sizeof(void*));
  EXPECT_GT(sizeof(std::optional<Big>), sizeof(Boxed<Big>));
}

TEST(Boxed, BehavesAsAnOptional) {
  Boxed<Big> b;
  EXPECT_FALSE(b);
  EXPECT_FALSE(b.has_value());
  EXPECT_TRUE(b == std::nullopt);
  EXPECT_THROW(b.value(), std::bad_optional_access);
  b = Big{"x", 1};
  ASSERT_TRUE(b);
  EXPECT_EQ(b->text, "x");
  EXPECT_EQ((*b).n, 1);
  b.emplace().n = 7;
  EXPECT_EQ(b->n, 7);
  EXPECT_EQ(b->text, "");
  b = std::nullopt;
  EXPECT_FALSE(b);
  b.emplace(Big{"y", 2});
  b.reset();
  EXPECT_FALSE(b);
  const std::optional<Big> o = Big{"z", 3};
  Boxed<Big> from(o);
  EXPECT_EQ(from.value(), *o);
  EXPECT_FALSE(Boxed<Big>(std::optional<Big>()));
}

TEST(Boxed, CopiesAreDeepAndMovesSteal) {
  Boxed<Big> a(Big{"a", 1});
  Boxed<Big> copy = a;
  copy->text = "changed";
  EXPECT_EQ(a->text, "a");
  EXPECT_FALSE(a == copy);
  copy = a;
  EXPECT_TRUE(a == copy);
  copy = copy;  // self-assignment keeps the value
  EXPECT_EQ(copy->text, "a");
  Boxed<Big> moved = std::move(copy);
  EXPECT_EQ(moved->text, "a");
  Boxed<Big> empty;
  moved = empty;
  EXPECT_FALSE(moved);
}

TEST(Boxed, EqualityComparesValuesNotPointers) {
  EXPECT_TRUE(Boxed<Big>() == Boxed<Big>());
  EXPECT_TRUE(Boxed<Big>(Big{"a", 1}) == Boxed<Big>(Big{"a", 1}));
  EXPECT_FALSE(Boxed<Big>(Big{"a", 1}) == Boxed<Big>(Big{"a", 2}));
  EXPECT_FALSE(Boxed<Big>(Big{"a", 1}) == Boxed<Big>());
}

}  // namespace
}  // namespace steward
