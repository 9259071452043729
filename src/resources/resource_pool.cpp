#include "resources/resource_pool.hpp"

#include <algorithm>
#include <cmath>

#include "resources/ranges.hpp"

namespace steward::resources {

namespace {

// Scalars are fixed point with three decimals; compare on that grid.
bool at_least(double have, double want) {
  return std::llround(have * 1000.0) >= std::llround(want * 1000.0);
}

}  // namespace

bool same_kind(const mesos::Resource& a, const mesos::Resource& b) {
  return a.name == b.name && a.type == b.type && a.reservations == b.reservations &&
         a.allocation_role == b.allocation_role && a.disk == b.disk;
}

ResourcePool::ResourcePool(const std::vector<mesos::Resource>& resources) {
  for (const auto& r : resources)
    add(r);
}

void ResourcePool::add(const mesos::Resource& r) {
  // Persistent volumes differ by id (part of the disk), so each stays its own entry.
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const mesos::Resource& x) { return same_kind(x, r); });
  if (it == items_.end()) {
    mesos::Resource copy = r;
    copy.scalar = mesos::round_scalar(copy.scalar);
    copy.ranges = normalize(copy.ranges);
    items_.push_back(std::move(copy));
    return;
  }
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
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const mesos::Resource& x) { return same_kind(x, r); });
  if (it == items_.end()) return false;
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
  if (!contains(r)) return false;
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const mesos::Resource& x) { return same_kind(x, r); });
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
  if (gone) items_.erase(it);
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
