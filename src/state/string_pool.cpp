#include "state/string_pool.hpp"

#include <cstring>
#include <functional>

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

std::optional<std::uint32_t> StringPool::Lease::intern(std::string_view s) {
  StringPool& p = pool_;
  if (s.size() < kMinLength) return std::nullopt;
  if (auto it = p.numbers_.find(s); it != p.numbers_.end()) return it->second;
  const std::uint32_t id = p.size_.load(std::memory_order_relaxed);
  if (id >= kMaxStrings || p.bytes_ + s.size() > kMaxBytes) return std::nullopt;
  if (p.seen_.empty()) p.seen_.resize(std::size_t{1} << kSeenBits);
  const std::uint64_t hash = std::hash<std::string_view>{}(s);
  Seen& seen = p.seen_[hash & (p.seen_.size() - 1)];
  if (seen.hash != hash || seen.owner == owner_) {
    seen = {hash, owner_};  // the first sighting, or again in the same task's record
    return std::nullopt;
  }
  seen = {};
  std::string_view* chunk = p.chunks_[id >> kChunkBits].load(std::memory_order_relaxed);
  if (!chunk) {
    p.chunk_storage_.push_back(std::make_unique<std::string_view[]>(kChunk));
    chunk = p.chunk_storage_.back().get();
    p.chunks_[id >> kChunkBits].store(chunk, std::memory_order_release);
  }
  const std::string_view kept = p.store(s);
  chunk[id & (kChunk - 1)] = kept;
  p.numbers_.emplace(kept, id);
  p.size_.store(id + 1, std::memory_order_release);
  return id;
}

std::string_view StringPool::store(std::string_view s) {
  if (s.size() > block_left_) {
    const std::size_t size = s.size() > kBlock / 4 ? s.size() : kBlock;
    blocks_.push_back(std::make_unique<char[]>(size));
    block_at_ = blocks_.back().get();
    block_left_ = size;
  }
  std::memcpy(block_at_, s.data(), s.size());
  const std::string_view kept(block_at_, s.size());
  block_at_ += s.size();
  block_left_ -= s.size();
  bytes_ += s.size();
  return kept;
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
