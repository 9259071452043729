#include "state/string_pool.hpp"

#include <algorithm>
#include <cstring>

namespace steward::state {

namespace {
constexpr std::size_t kBlock = 64 * 1024;
}

StringPool& StringPool::shared() {
  static StringPool pool;
  return pool;
}

StringPool::StringPool() = default;

StringPool::Lease::Lease(StringPool& pool, std::uint64_t owner)
    : pool_(pool), lock_(pool.mutex_), owner_(owner) {}

void StringPool::Lease::set_owner(std::uint64_t owner) {
  owner_ = owner;
}

std::uint64_t StringPool::hash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = kMul ^ (s.size() * 0xFF51AFD7ED558CCDull);
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t w = 0;
  if (n > 0) std::memcpy(&w, p, n);  // p may be null for an empty string
  h ^= w;
  // Every bit of the input to the low bits the tables index by (murmur3's finalizer).
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 33);
}

std::optional<std::uint32_t> StringPool::lookup(std::string_view s, std::uint64_t hash) const {
  if (index_.empty()) return std::nullopt;
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash & mask; index_[i] != 0; i = (i + 1) & mask) {
    const std::uint32_t id = index_[i] - 1;
    if (hashes_[id] == hash && views_[id] == s) return id;
  }
  return std::nullopt;
}

void StringPool::make_room(std::uint32_t id) {
  if (hashes_.size() == hashes_.capacity()) {  // grown by doubling, not one at a time
    const std::size_t capacity = std::max<std::size_t>(1024, hashes_.capacity() * 2);
    hashes_.reserve(capacity);
    views_.reserve(capacity);
  }
  if ((std::size_t{id} + 1) * 2 <= index_.size()) return;
  std::vector<std::uint32_t> grown(std::max<std::size_t>(1024, index_.size() * 2), 0);
  const std::size_t mask = grown.size() - 1;
  for (std::uint32_t old = 0; old < id; ++old) {
    std::size_t i = hashes_[old] & mask;
    while (grown[i] != 0)
      i = (i + 1) & mask;
    grown[i] = old + 1;
  }
  index_ = std::move(grown);
}

void StringPool::add(std::uint32_t id, std::uint64_t hash, std::string_view kept) {
  hashes_.push_back(hash);
  views_.push_back(kept);
  const std::size_t mask = index_.size() - 1;
  std::size_t i = hash & mask;
  while (index_[i] != 0)
    i = (i + 1) & mask;
  index_[i] = id + 1;
}

std::optional<std::uint32_t> StringPool::Lease::intern(std::string_view s, std::size_t position) {
  StringPool& p = pool_;
  if (s.size() < kMinLength) return std::nullopt;
  if (position < p.at_position_.size()) {
    const std::uint32_t last = p.at_position_[position];
    if (last != 0 && p.views_[last - 1] == s) return last - 1;
  }
  const std::uint64_t hash = StringPool::hash(s);
  std::optional<std::uint32_t> found = p.lookup(s, hash);
  if (!found) found = admit(s, hash);
  if (found && position < kPositions) {
    if (position >= p.at_position_.size()) p.at_position_.resize(position + 1, 0);
    p.at_position_[position] = *found + 1;
  }
  return found;
}

std::optional<std::uint32_t> StringPool::Lease::admit(std::string_view s, std::uint64_t hash) {
  StringPool& p = pool_;
  const std::uint32_t id = p.size_.load(std::memory_order_relaxed);
  if (id >= kMaxStrings || p.bytes_ + s.size() > kMaxBytes) return std::nullopt;
  if (p.seen_.empty()) p.seen_.resize(std::size_t{1} << kSeenBits);
  Seen& seen = p.seen_[(hash >> 20) & (p.seen_.size() - 1)];
  if (seen.hash != hash || seen.owner == owner_) {
    seen = {hash, owner_};  // the first sighting, or again in the same task's record
    return std::nullopt;
  }
  seen = {};
  // Everything that allocates comes before the number is published, so that running out of
  // memory leaves the pool as it was (less the bytes stored) rather than numbers and index
  // out of step.
  std::string_view* chunk = p.chunks_[id >> kChunkBits].load(std::memory_order_relaxed);
  if (!chunk) {
    p.chunk_storage_.push_back(std::make_unique<std::string_view[]>(kChunk));
    chunk = p.chunk_storage_.back().get();
    p.chunks_[id >> kChunkBits].store(chunk, std::memory_order_release);
  }
  const std::string_view kept = p.store(s);
  p.make_room(id);
  chunk[id & (kChunk - 1)] = kept;
  p.add(id, hash, kept);
  p.size_.store(id + 1, std::memory_order_release);
  return id;
}

std::string_view StringPool::store(std::string_view s) {
  char* at;
  if (s.size() > kBlock / 4) {
    // A block of its own, leaving the current one to the strings after it.
    blocks_.push_back(std::make_unique<char[]>(s.size()));
    at = blocks_.back().get();
  } else {
    if (s.size() > block_left_) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      block_at_ = blocks_.back().get();
      block_left_ = kBlock;
    }
    at = block_at_;
    block_at_ += s.size();
    block_left_ -= s.size();
  }
  std::memcpy(at, s.data(), s.size());
  bytes_ += s.size();
  return {at, s.size()};
}

std::optional<std::string_view> StringPool::find(std::uint64_t id) const {
  if (id >= size()) return std::nullopt;
  const std::string_view* chunk = chunks_[id >> kChunkBits].load(std::memory_order_acquire);
  return chunk[id & (kChunk - 1)];
}

std::size_t StringPool::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace steward::state
