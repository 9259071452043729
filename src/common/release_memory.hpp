#pragma once

// Gives the pages of freed memory back to the system. glibc keeps what a burst allocated
// (a reconciliation, a large launch pass, a checkpoint) as resident memory after it is freed;
// daemons call this during and after such bursts. A no-op elsewhere.
//
// Each call costs the next allocations their page faults again: keeping freed memory
// (GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=268435456,
// and no calls during a burst) took a third off the scheduler's CPU in a 10,000-task deploy
// on a machine where a fault costs 11 us, for 15 MB more at its peak. The peak is the
// footprint target (docs/benchmarks.md), so the default gives memory back.

#include <cstdlib>  // defines __GLIBC__ on glibc, which the #ifdef below needs first
#include <cstring>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace steward {

inline void release_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Fixes the allocator's two thresholds for a daemon's life. glibc raises its threshold for
// mapping a block on its own to the size of the largest mapped block freed (up to 32 MB), and
// the free memory an arena keeps at its top to twice that: after one 5 MB OFFERS event, each
// arena kept up to 10 MB of freed pages resident between release_memory() calls, and blocks
// that size came from the arenas, between long-lived ones. Fixed: a block of 4 MB or more (an
// event of thousands of offers, the largest answers) is mapped and unmapped on its own, and an
// arena gives back its top once 2 MB of it is free. A 10,000-pod deploy's scheduler idled at
// 35 MB instead of 40-48 (1,000 and 5,000 agents) for the same CPU; a top kept only to 128 KB
// (glibc's first threshold) saved as much for 12% more CPU, one of 8 MB saved nothing. An
// operator's GLIBC_TUNABLES naming either threshold, or glibc's older MALLOC_MMAP_THRESHOLD_ or
// MALLOC_TRIM_THRESHOLD_, wins (docs/operations.md, section 10).
inline void keep_heap_small() {
#ifdef __GLIBC__
  if (const char* set = std::getenv("GLIBC_TUNABLES");
      set != nullptr && (std::strstr(set, "glibc.malloc.mmap_threshold") != nullptr ||
                         std::strstr(set, "glibc.malloc.trim_threshold") != nullptr))
    return;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr ||
      std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr)
    return;
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
#endif
}

}  // namespace steward
