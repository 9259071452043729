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

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace steward {

inline void release_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace steward
