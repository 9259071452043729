#pragma once

// The memory allocator the program runs on, and what the daemons ask of it. `steward` links
// jemalloc (CMake option STEWARD_JEMALLOC; its settings in src/cli/jemalloc_conf.cpp): a
// 10,000-pod deploy took a fifth less CPU in both the scheduler and the cluster than on
// glibc's malloc (docs/benchmarks.md). A service's own scheduler built on the SDK, the
// executor and the sanitized test builds run on whatever malloc they were linked with, so
// the functions below find out which one at run time rather than at build time.

#include <string>

namespace steward {

// "jemalloc <version>" when jemalloc serves this process's malloc, else "glibc malloc" (or
// "system malloc" off glibc). Serving, not merely loaded: a sanitizer's malloc wins over a
// jemalloc that is linked too.
std::string allocator_name();

// Gives the pages of freed memory back to the system, once a burst of work is over (a
// reconciliation, a deploy, loading thousands of tasks). glibc keeps what a burst allocated
// as resident memory after it is freed; jemalloc gives back pages that stayed unused past
// its decay time (one second, as `steward` sets it) on its own as it allocates, and this
// asks it for all of them now, the youngest too.
void release_memory();

// The same where what was freed now is soon needed again and the footprint is no target (the
// cluster daemon after each checkpoint): glibc trims as above, jemalloc gives back only the
// pages older than its decay time. (The scheduler, whose peak is the footprint target, gives
// back everything within its bursts too: with aged pages only, its CPU was 4% lower in a
// 10,000-pod deploy, but one peak reached 50.1 MB.)
//
// On glibc each call costs the next allocations their page faults again: keeping freed
// memory (GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=
// 268435456, and no calls during a burst) took a third off the scheduler's CPU in a
// 10,000-task deploy on a machine where a fault costs 11 us, for 15 MB more at its peak.
void release_aged_memory();

// On glibc, fixes the allocator's two thresholds for a daemon's life. glibc raises its
// threshold for mapping a block on its own to the size of the largest mapped block freed (up
// to 32 MB), and the free memory an arena keeps at its top to twice that: after one 5 MB
// OFFERS event, each arena kept up to 10 MB of freed pages resident between release_memory()
// calls, and blocks that size came from the arenas, between long-lived ones. Fixed: a block
// of 4 MB or more (an event of thousands of offers, the largest answers) is mapped and
// unmapped on its own, and an arena gives back its top once 2 MB of it is free. A 10,000-pod
// deploy's scheduler idled at 35 MB instead of 40-48 (1,000 and 5,000 agents) for the same
// CPU. An operator's GLIBC_TUNABLES naming either threshold, or glibc's older
// MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_, wins (docs/operations.md, section 10).
// Nothing to do on jemalloc, whose settings are the program's and MALLOC_CONF's.
void keep_heap_small();

}  // namespace steward
