// jemalloc's settings for `steward` (the scheduler and the cluster daemon), read by jemalloc
// from this variable when it starts; MALLOC_CONF in the environment overrides any of them
// (docs/operations.md, section 10). Harmless where jemalloc is not linked (the sanitized
// builds): nothing reads it.
//
//   narenas:2          one arena per core of the 2-core machines measured, not jemalloc's
//                      four per core: 1.5-2 MB less at the peak of a 10,000-pod deploy for
//                      the same CPU (each thread keeps its own cache of small blocks)
//   dirty_decay_ms     freed pages unused for a second go back to the system (default 10 s),
//   muzzy_decay_ms:0   at once when they are handed back lazily: together with the above,
//                      the deploy's peak went from 44.5-46.4 MB to 42.4-43.1
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's
const char* malloc_conf = "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
