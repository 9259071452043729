#include "resources/resource_pool.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string_view>

#include "resources/ranges.hpp"

namespace steward::resources {

namespace {

// Scalars are fixed point with three decimals; compare on that grid.
bool at_least(double have, double want) {
  return std::llround(have * 1000.0) >= std::llround(want * 1000.0);
}

void mix(std::size_t& h, std::size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

void mix(std::size_t& h, std::string_view s) {
  mix(h, std::hash<std::string_view>{}(s));
}

// Equal for resources of the same kind (same_kind), and nearly always different otherwise:
// every reservation of a pod is its own kind (its resource_id label), so an agent's ledger
// holds thousands of kinds differing only deep in their labels.
std::size_t kind_hash(const mesos::Resource& r) {
  std::size_t h = 0;
  mix(h, r.name);
  mix(h, static_cast<std::size_t>(r.type));
  for (const mesos::ReservationInfo& info : r.reservations) {
    mix(h, static_cast<std::size_t>(info.type));
    mix(h, info.role);
    mix(h, info.principal);
    for (const mesos::Label& l : info.labels) {
      mix(h, l.key);
      mix(h, l.value ? std::string_view(*l.value) : std::string_view("\0none", 5));
    }
  }
  if (r.allocation_role) mix(h, *r.allocation_role);
  if (r.disk && r.disk->persistence) mix(h, r.disk->persistence->id);
  return h;
}

}  // namespace

bool same_kind(const mesos::Resource& a, const mesos::Resource& b) {
  return a.name == b.name && a.type == b.type && a.reservations == b.reservations &&
         a.allocation_role == b.allocation_role && a.disk == b.disk;
}

std::uint64_t ResourcePool::next_stamp() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

ResourcePool::ResourcePool(const std::vector<mesos::Resource>& resources) {
  for (const auto& r : resources)
    add(r);
}

std::size_t ResourcePool::find(const mesos::Resource& r, std::size_t hash) const {
  if (items_.size() >= kIndexedFrom && !present_.contains(hash)) return items_.size();
  for (std::size_t i = 0; i < items_.size(); ++i)
    if (hashes_[i] == hash && same_kind(items_[i], r)) return i;
  return items_.size();
}

void ResourcePool::add(const mesos::Resource& r) {
  stamp_ = next_stamp();
  // Persistent volumes differ by id (part of the disk), so each stays its own entry.
  const std::size_t hash = kind_hash(r);
  const std::size_t at = find(r, hash);
  if (at == items_.size()) {
    mesos::Resource copy = r;
    copy.scalar = mesos::round_scalar(copy.scalar);
    copy.ranges = normalize(copy.ranges);
    items_.push_back(std::move(copy));
    hashes_.push_back(hash);
    if (items_.size() == kIndexedFrom) {
      for (std::size_t h : hashes_)
        ++present_[h];
    } else if (items_.size() > kIndexedFrom) {
      ++present_[hash];
    }
    return;
  }
  auto it = items_.begin() + static_cast<std::ptrdiff_t>(at);
  switch (r.type) {
    case mesos::Resource::Type::scalar:
      it->scalar = mesos::round_scalar(it->scalar + r.scalar);
      break;
    case mesos::Resource::Type::ranges:
      it->ranges = resources::add(it->ranges, r.ranges);
      break;
    case mesos::Resource::Type::set:
      for (const auto& item : r.set) {
        if (std::find(it->set.begin(), it->set.end(), item) == it->set.end())
          it->set.push_back(item);
      }
      break;
  }
}

bool ResourcePool::contains(const mesos::Resource& r) const {
  return contains(r, find(r, kind_hash(r)));
}

bool ResourcePool::contains(const mesos::Resource& r, std::size_t at) const {
  if (at == items_.size()) return false;
  auto it = items_.begin() + static_cast<std::ptrdiff_t>(at);
  switch (r.type) {
    case mesos::Resource::Type::scalar:
      return at_least(it->scalar, r.scalar);
    case mesos::Resource::Type::ranges:
      return resources::contains(it->ranges, r.ranges);
    case mesos::Resource::Type::set:
      return std::all_of(r.set.begin(), r.set.end(), [&](const std::string& item) {
        return std::find(it->set.begin(), it->set.end(), item) != it->set.end();
      });
  }
  return false;
}

bool ResourcePool::subtract(const mesos::Resource& r) {
  const std::size_t at = find(r, kind_hash(r));
  if (!contains(r, at)) return false;
  stamp_ = next_stamp();
  auto it = items_.begin() + static_cast<std::ptrdiff_t>(at);
  bool gone = false;
  switch (r.type) {
    case mesos::Resource::Type::scalar:
      it->scalar = mesos::round_scalar(it->scalar - r.scalar);
      gone = std::llround(it->scalar * 1000.0) <= 0;
      break;
    case mesos::Resource::Type::ranges:
      it->ranges = resources::subtract(it->ranges, r.ranges);
      gone = it->ranges.empty();
      break;
    case mesos::Resource::Type::set:
      for (const auto& item : r.set) {
        auto found = std::find(it->set.begin(), it->set.end(), item);
        if (found != it->set.end()) it->set.erase(found);  // an item listed twice goes once
      }
      gone = it->set.empty();
      break;
  }
  if (gone) {
    if (items_.size() > kIndexedFrom) {
      auto counted = present_.find(hashes_[at]);
      if (--counted->second == 0) present_.erase(counted);
    } else if (items_.size() == kIndexedFrom) {
      present_.clear();  // below the bound from here on
    }
    items_.erase(it);
    hashes_.erase(hashes_.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return true;
}

double ResourcePool::scalar(const std::string& name) const {
  double total = 0;
  for (const auto& r : items_) {
    if (r.name == name && r.type == mesos::Resource::Type::scalar) total += r.scalar;
  }
  return mesos::round_scalar(total);
}

mesos::Resource reserved(mesos::Resource r, mesos::ReservationInfo reservation) {
  r.reservations.push_back(std::move(reservation));
  return r;
}

mesos::Resource unreserved(mesos::Resource r) {
  if (!r.reservations.empty()) r.reservations.pop_back();
  return r;
}

}  // namespace steward::resources
