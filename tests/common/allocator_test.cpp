#include "common/allocator.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#if defined(STEWARD_JEMALLOC_TEST)
#include <jemalloc/jemalloc.h>
#endif

namespace steward {
namespace {

// Built only as allocator_tests (glibc) and allocator_jemalloc_tests, without the
// sanitizers (tests/CMakeLists.txt): with them, malloc is theirs, and in a binary of other
// tests the thresholds would be theirs too.
#if defined(__GLIBC__) && defined(STEWARD_ALLOCATOR_TEST)
TEST(Allocator, IsGlibcsWhereNothingElseIsLinked) {
  EXPECT_EQ(allocator_name(), "glibc malloc");
}

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

#if defined(STEWARD_JEMALLOC_TEST)
template <typename T>
T read_ctl(const char* name) {
  T value{};
  std::size_t size = sizeof value;
  EXPECT_EQ(mallctl(name, &value, &size, nullptr, 0), 0) << name;
  return value;
}

// The bytes of physical memory jemalloc holds, as of now.
std::size_t resident() {
  std::uint64_t epoch = 1;
  EXPECT_EQ(mallctl("epoch", nullptr, nullptr, &epoch, sizeof epoch), 0);
  return read_ctl<std::size_t>("stats.resident");
}

TEST(Allocator, IsJemallocWhereItIsLinked) {
  EXPECT_EQ(allocator_name().rfind("jemalloc 5.", 0), 0u) << allocator_name();
}

// The settings of src/cli/jemalloc_conf.cpp reached jemalloc (a program that defines them
// where jemalloc does not look would run on its defaults: 8 arenas on two cores, 10 s).
TEST(Allocator, RunsWithTheProgramsSettings) {
  EXPECT_EQ(read_ctl<unsigned>("opt.narenas"), 2u);
  EXPECT_EQ(read_ctl<ssize_t>("opt.dirty_decay_ms"), 1000);
  EXPECT_EQ(read_ctl<ssize_t>("opt.muzzy_decay_ms"), 0);
}

// 32 MB written in blocks of 64 KB and freed, at `in_use`, `freed` and `released` bytes
// resident, where `released` follows RELEASE.
struct Released {
  std::size_t in_use, freed, released;
};
template <typename Release>
Released freed_and_released(Release release) {
  constexpr std::size_t kBlock = 64 * 1024, kBlocks = 512;
  release_memory();  // whatever an earlier test left unused is not counted
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < kBlocks; ++i) {
    blocks.push_back(std::malloc(kBlock));
    if (blocks.back() == nullptr) std::abort();
    std::memset(blocks.back(), 1, kBlock);
  }
  Released r{};
  r.in_use = resident();
  for (void* b : blocks)
    std::free(b);
  r.freed = resident();
  release();
  r.released = resident();
  return r;
}
constexpr std::size_t kQuarter = 8 * 1024 * 1024, kThreeQuarters = 24 * 1024 * 1024;

// Once a burst is over, freed pages go back at once, not a decay time later.
TEST(Allocator, ReleaseMemoryGivesFreedPagesBackAtOnce) {
  const Released r = freed_and_released(release_memory);
  EXPECT_GE(r.freed + kQuarter, r.in_use) << "freed pages stay resident until released";
  EXPECT_LE(r.released + kThreeQuarters, r.freed)
      << "in use " << r.in_use << ", freed " << r.freed << ", released " << r.released;
}

// Within a burst, pages freed a moment ago stay for the burst's next allocations. (This
// thread's arena is given a minute's decay for the test, so that a stall of the machine
// between the free and the call cannot age them.)
TEST(Allocator, ReleaseAgedMemoryKeepsWhatWasJustFreed) {
  const std::string decay =
      "arena." + std::to_string(read_ctl<unsigned>("thread.arena")) + ".dirty_decay_ms";
  const ssize_t program_decay = read_ctl<ssize_t>(decay.c_str());
  ssize_t minute = 60000;
  ASSERT_EQ(mallctl(decay.c_str(), nullptr, nullptr, &minute, sizeof minute), 0);
  const Released r = freed_and_released(release_aged_memory);
  ssize_t restore = program_decay;
  EXPECT_EQ(mallctl(decay.c_str(), nullptr, nullptr, &restore, sizeof restore), 0);
  EXPECT_GE(r.released + kQuarter, r.in_use)
      << "in use " << r.in_use << ", freed " << r.freed << ", released " << r.released;
}
#endif

}  // namespace
}  // namespace steward
