#pragma once

// Gives the pages of freed memory back to the system. glibc keeps what a burst allocated
// (a reconciliation, a large launch pass, a checkpoint) as resident memory after it is freed;
// daemons call this after such bursts. A no-op elsewhere.

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
