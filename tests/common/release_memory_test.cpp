#include "common/release_memory.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdlib>
#include <vector>

namespace steward {
namespace {

// Built only as allocator_tests, without the sanitizers (tests/CMakeLists.txt): with them,
// malloc is not glibc's, and in a binary of other tests the thresholds would be theirs too.
#if defined(__GLIBC__) && defined(STEWARD_ALLOCATOR_TEST)
// Whether a 4.5 MB block is mapped on its own right after an 8 MB mapped one was freed:
// glibc's default raises its threshold to the freed block's size, so it is not.
bool mapped_after_a_larger_one_freed() {
  void* big = std::malloc(8 * 1024 * 1024);
  if (big == nullptr) return false;
  std::free(big);
  const std::size_t mapped_before = mallinfo2().hblks;
  void* large = std::malloc(4608 * 1024);
  const bool mapped = mallinfo2().hblks == mapped_before + 1;
  std::free(large);
  return mapped;
}

// keep_heap_small() leaves glibc's thresholds alone when the operator set either through
// GLIBC_TUNABLES. Otherwise, freeing a large block no longer raises them: a 4.5 MB block is
// mapped on its own after an 8 MB one was freed, and a heap whose top frees up past 2 MB
// gives it back at once. (One test: the thresholds are the process's, set once.)
TEST(KeepHeapSmall, FixesTheThresholdsUnlessTheOperatorSetThem) {
  ASSERT_EQ(setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=268435456", 1), 0);
  keep_heap_small();
  EXPECT_FALSE(mapped_after_a_larger_one_freed());
  ASSERT_EQ(unsetenv("GLIBC_TUNABLES"), 0);
  keep_heap_small();
  // The block the first half took from the heap is free at its top, where the next would fit.
  malloc_trim(0);
  EXPECT_TRUE(mapped_after_a_larger_one_freed());
  // 8 MB in blocks of 64 KB (below the mapping threshold), freed newest first: the top grows
  // by each and is cut back once it passes 2 MB.
  std::vector<void*> blocks;
  for (int i = 0; i < 128; ++i)
    blocks.push_back(std::malloc(64 * 1024));
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
    std::free(*it);
  EXPECT_LE(mallinfo2().keepcost, 2u * 1024 * 1024 + 256 * 1024);
}
#endif

}  // namespace
}  // namespace steward
