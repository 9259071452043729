#include "common/allocator.hpp"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc, which the #ifdefs below need first
#include <cstring>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace steward {
namespace {

// jemalloc's control interface, looked up rather than linked: the objects that call it are
// also in the SDK's archive, whose programs may not link jemalloc.
using Mallctl = int (*)(const char* name, void* old, std::size_t* old_size, void* value,
                        std::size_t value_size);

Mallctl jemalloc_serving() {
  static const Mallctl serving = [] {
    auto ctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    if (ctl == nullptr) return Mallctl{};
    // Whether this thread's own count of bytes jemalloc handed out grows with a malloc.
    std::uint64_t before = 0, after = 0;
    std::size_t size = sizeof before;
    if (ctl("thread.allocated", &before, &size, nullptr, 0) != 0) return Mallctl{};
    void* volatile block = std::malloc(64 * 1024);  // volatile: the pair is not elided
    size = sizeof after;
    const int rc = ctl("thread.allocated", &after, &size, nullptr, 0);
    std::free(block);
    return rc == 0 && after >= before + 64 * 1024 ? ctl : Mallctl{};
  }();
  return serving;
}

// 4096: MALLCTL_ARENAS_ALL. A purge gives back every unused page, a decay those unused for
// longer than the decay time.
constexpr const char* kPurgeAll = "arena.4096.purge";
constexpr const char* kDecayAll = "arena.4096.decay";

// jemalloc does what CTL_NAME names; glibc has only the one way.
void give_back(const char* ctl_name) {
  if (Mallctl ctl = jemalloc_serving()) {
    ctl(ctl_name, nullptr, nullptr, nullptr, 0);
    return;
  }
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

std::string allocator_name() {
  if (Mallctl ctl = jemalloc_serving()) {
    const char* version = nullptr;
    std::size_t size = sizeof version;
    if (ctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr)
      return std::string("jemalloc ") + version;
    return "jemalloc";
  }
#ifdef __GLIBC__
  return "glibc malloc";
#else
  return "system malloc";
#endif
}

void release_memory() {
  give_back(kPurgeAll);
}

void release_aged_memory() {
  give_back(kDecayAll);
}

void keep_heap_small() {
#ifdef __GLIBC__
  if (jemalloc_serving() != nullptr) return;
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
