#pragma once

// Strings that many task records in memory repeat, kept once for the whole process.
//
// A task record of 10,000 like it holds the same roles, principals, resource names, label and
// environment keys, its command, its framework and configuration ids: about 450 of its 1,050
// bytes (a pod of one task of the scale benchmark). The scheduler keeps every task's record in
// memory (scheduler/task_entry.hpp), so a split record refers to those strings by number
// instead (record_codec.hpp, split_task_record).
//
// A string is kept on its second sighting in the record of another owner (a task; for the
// executor a record ends with, that executor, which all of its pod's tasks hold), so the
// ids, names and other strings that only one task or one pod holds are never kept, however
// often its record is split again (a task is put again as it is launched, relaunched or
// updated, and a pod's executor and its resources get new ids when it is relaunched or
// replaced). Sightings are remembered in a table of 4,096 hashes, so a string seen again only
// after many others may wait for a later sighting to be kept; strings under kMinLength bytes
// are never kept. Nothing is ever removed: strings are numbered for good, and what a
// long-lived scheduler sees repeated (new configuration ids, new agents) is bounded by
// kMaxStrings and kMaxBytes (of strings; the index and the blocks add up to about as much
// again), past which records hold their strings themselves as before.
//
// Thread-safe: interning takes a lock, and reading a string by its number takes none (a
// string, once numbered, never moves).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace steward::state {

class StringPool {
 public:
  static constexpr std::uint32_t kMaxStrings = 1u << 16;
  static constexpr std::size_t kMaxBytes = 4u << 20;
  // Shorter strings are cheaper written out than referred to.
  static constexpr std::size_t kMinLength = 3;

  // The pool task records in memory refer to.
  static StringPool& shared();

  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  // Interning for one record at a time, of the task `owner` names (any number that tells
  // owners apart: a hash of the task's name): the lock is held for the lease's life.
  class Lease {
   public:
    Lease(StringPool& pool, std::uint64_t owner);
    // What follows in the record is another owner's (a pod's executor, which every task of
    // the pod holds: its id and resource ids are that pod's alone, not shared).
    void set_owner(std::uint64_t owner);
    // The number of `s`, if it is kept or is now: seen before in another owner's record,
    // and within the bounds. `position`: which string of its record it is (records of one pod
    // type hold the same strings in the same places, so the one kept last at a position is
    // tried first, without hashing).
    std::optional<std::uint32_t> intern(std::string_view s, std::size_t position);

   private:
    std::optional<std::uint32_t> admit(std::string_view s, std::uint64_t hash);
    StringPool& pool_;
    std::unique_lock<std::mutex> lock_;
    std::uint64_t owner_;
  };

  // The hash a pool keys strings by (fast on short strings; not for untrusted input's sake:
  // a collision costs a comparison, and many only a longer probe).
  static std::uint64_t hash(std::string_view s);

  // The string numbered `id`; nothing when no string has that number.
  std::optional<std::string_view> find(std::uint64_t id) const;
  std::uint32_t size() const { return size_.load(std::memory_order_acquire); }
  std::size_t bytes() const;  // of the strings kept

 private:
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;
  static constexpr unsigned kSeenBits = 12;

  std::string_view store(std::string_view s);  // a copy that never moves
  std::optional<std::uint32_t> lookup(std::string_view s, std::uint64_t hash) const;
  // Room for number `id` in hashes_, views_ and index_ (grown to stay at most half full),
  // then `id` put there without allocating.
  void make_room(std::uint32_t id);
  void add(std::uint32_t id, std::uint64_t hash, std::string_view kept);

  mutable std::mutex mutex_;
  // Strings by number, in chunks that are never moved once published.
  std::array<std::atomic<std::string_view*>, kMaxStrings / kChunk> chunks_{};
  std::vector<std::unique_ptr<std::string_view[]>> chunk_storage_;
  std::atomic<std::uint32_t> size_{0};
  // Numbers by hash, open addressing (number + 1; 0 is free), and each number's hash: a
  // split looks up every string of its record, and std::unordered_map's lookups were half
  // of a split.
  std::vector<std::uint32_t> index_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::string_view> views_;  // by number, for the lock's holder
  static constexpr std::size_t kPositions = 256;
  std::vector<std::uint32_t> at_position_;  // number + 1 of the string kept last there
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_left_ = 0;
  char* block_at_ = nullptr;
  std::size_t bytes_ = 0;
  // A string seen once, by hash: the task whose record held it (a collision only forgets
  // one).
  struct Seen {
    std::uint64_t hash = 0;
    std::uint64_t owner = 0;
  };
  std::vector<Seen> seen_;
};

}  // namespace steward::state
