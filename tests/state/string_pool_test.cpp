#include "state/string_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace steward::state {
namespace {

TEST(StringPool, KeepsAStringOnItsSecondSightingInAnotherTasksRecord) {
  StringPool pool;
  {
    StringPool::Lease a(pool, 1);
    EXPECT_FALSE(a.intern("scale-role", 0));  // first seen
    EXPECT_FALSE(a.intern("scale-role", 0));  // again, in the same task's record
  }
  {
    StringPool::Lease a_again(pool, 1);
    EXPECT_FALSE(a_again.intern("scale-role", 0));  // the same task, split again
  }
  StringPool::Lease b(pool, 2);
  const auto id = b.intern("scale-role", 0);
  ASSERT_TRUE(id);
  EXPECT_EQ(b.intern("scale-role", 0), id);
  EXPECT_EQ(pool.find(*id), "scale-role");
  EXPECT_EQ(pool.size(), 1u);
}

// The string kept last at a position of a record is tried first there, and only taken if it
// is the same string.
TEST(StringPool, TriesTheStringLastKeptAtAPositionFirst) {
  StringPool pool;
  for (std::uint64_t owner : {1, 2}) {
    StringPool::Lease l(pool, owner);
    l.intern("first-string", 3);
    l.intern("second-string", 3);
  }
  StringPool::Lease l(pool, 3);
  const auto first = l.intern("first-string", 3);
  const auto second = l.intern("second-string", 3);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second);
  EXPECT_EQ(l.intern("second-string", 3), second);
  EXPECT_EQ(l.intern("first-string", 3), first);
  EXPECT_EQ(l.intern("first-string", 7), first);  // any position
  EXPECT_EQ(l.intern("first-string", 100000), first);
  EXPECT_FALSE(l.intern("a third string", 3));  // first seen, at a position that has one
  EXPECT_EQ(pool.find(*first), "first-string");
  EXPECT_EQ(pool.find(*second), "second-string");
}

// Strings a lease gives another owner (a pod's executor, the same in each of its tasks'
// records) are kept only when a different owner holds them too.
TEST(StringPool, CountsSightingsByTheOwnerALeaseNamesLast) {
  StringPool pool;
  for (std::uint64_t task : {1, 2, 3}) {
    StringPool::Lease l(pool, task);
    l.set_owner(99);  // the same executor in three tasks' records
    EXPECT_FALSE(l.intern("executor-of-one-pod", 0));
  }
  StringPool::Lease other(pool, 4);
  other.set_owner(100);
  EXPECT_TRUE(other.intern("executor-of-one-pod", 0));
}

TEST(StringPool, KeepsNoShortStringAndFindsNoNumberItDidNotGive) {
  StringPool pool;
  for (std::uint64_t owner = 1; owner <= 3; ++owner) {
    StringPool::Lease l(pool, owner);
    EXPECT_FALSE(l.intern("", 0));
    EXPECT_FALSE(l.intern("ab", 0));
  }
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_FALSE(pool.find(0));
  EXPECT_FALSE(pool.find(~std::uint64_t{0}));
}

TEST(StringPool, StopsKeepingAtItsBounds) {
  StringPool pool;
  // Strings of 64 KB: the byte bound is reached first.
  const std::size_t big = 64 * 1024;
  std::size_t kept = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string s(big, static_cast<char>('a' + i % 26));
    const std::string unique = std::to_string(i) + s;
    StringPool::Lease(pool, 1).intern(unique, 0);
    if (StringPool::Lease(pool, 2).intern(unique, 0)) ++kept;
  }
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, 100u);
  EXPECT_LE(pool.bytes(), StringPool::kMaxBytes);
  EXPECT_GT(pool.bytes() + big + 3, StringPool::kMaxBytes);  // full: no other would fit
  // And the number bound, with short strings.
  StringPool numbers;
  std::uint32_t refused = 0;
  for (std::uint32_t i = 0; i < StringPool::kMaxStrings + 10; ++i) {
    const std::string s = "str-" + std::to_string(i);
    StringPool::Lease(numbers, 1).intern(s, 0);
    if (!StringPool::Lease(numbers, 2).intern(s, 0)) ++refused;
  }
  EXPECT_EQ(numbers.size(), StringPool::kMaxStrings);
  EXPECT_EQ(refused, 10u);
  EXPECT_EQ(numbers.find(StringPool::kMaxStrings - 1),
            "str-" + std::to_string(StringPool::kMaxStrings - 1));
}

// Strings are read without the lock while others are kept: a string, once numbered, reads the
// same whatever is kept after it.
TEST(StringPool, ReadsWhileOthersAreKept) {
  StringPool pool;
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  std::atomic<bool> wrong{false};
  std::thread reader([&] {
    while (!done.load()) {
      const std::uint32_t n = pool.size();
      for (std::uint32_t id = 0; id < n; id += 97) {
        const auto s = pool.find(id);
        if (!s || *s != "string-" + std::to_string(id)) {
          wrong = true;
          return;
        }
        ++reads;
      }
    }
  });
  for (int i = 0; i < 20000; ++i) {
    const std::string s = "string-" + std::to_string(i);
    StringPool::Lease(pool, 1).intern(s, 0);
    StringPool::Lease(pool, 2).intern(s, 0);
  }
  // At least one pass of the reader's before it stops (it may not have run at all yet).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (reads.load() == 0 && !wrong.load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_FALSE(wrong.load());
  EXPECT_EQ(pool.size(), 20000u);
  EXPECT_GT(reads.load(), 0);
  for (std::uint32_t id = 0; id < 20000; id += 997)
    EXPECT_EQ(pool.find(id), "string-" + std::to_string(id));
}

}  // namespace
}  // namespace steward::state
