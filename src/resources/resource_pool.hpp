#pragma once

// A bag of Mesos resources with arithmetic: resources that differ only in quantity merge
// (same name, reservation stack, allocation role and disk identity); anything else stays
// apart. Used to track what an agent has free and what an offer still holds while the
// operations of an ACCEPT are applied in order.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mesos/resource.hpp"

namespace steward::resources {

class ResourcePool {
 public:
  ResourcePool() = default;
  explicit ResourcePool(const std::vector<mesos::Resource>& resources);

  void add(const mesos::Resource& r);
  // Removes `r` if the pool holds all of it; false (and nothing changed) otherwise.
  bool subtract(const mesos::Resource& r);
  bool contains(const mesos::Resource& r) const;
  // Sum of a scalar by name over every reservation ("cpus", "mem", "disk").
  double scalar(const std::string& name) const;

  const std::vector<mesos::Resource>& resources() const& { return items_; }
  // On a temporary pool, a copy: `for (r : make_pool().resources())` must not dangle.
  std::vector<mesos::Resource> resources() && {
    hashes_.clear();
    present_.clear();
    stamp_ = next_stamp();
    return std::move(items_);
  }
  bool empty() const { return items_.empty(); }
  // Changes with every change of the contents and differs between pools made apart (a copy
  // keeps its source's): what is computed from a pool stays good while this is the same.
  std::uint64_t stamp() const { return stamp_; }

 private:
  static std::uint64_t next_stamp();
  // The position of r's kind, or items_.size().
  std::size_t find(const mesos::Resource& r, std::size_t hash) const;
  bool contains(const mesos::Resource& r, std::size_t at) const;

  std::vector<mesos::Resource> items_;
  // items_[i]'s kind hashed, compared before same_kind: an agent's ledger holds a kind per
  // reservation, and comparing each one's labels made every RESERVE cost all the others.
  std::vector<std::size_t> hashes_;
  // From kIndexedFrom kinds on (an agent's ledger), how many of them have each hash: a kind
  // new to the pool, as each reservation is, is then known so without a look at every other.
  // Added one by one, a pod's reservations made an agent's ledger quadratic in its pods.
  static constexpr std::size_t kIndexedFrom = 64;
  std::unordered_map<std::size_t, std::uint32_t> present_;
  std::uint64_t stamp_ = next_stamp();
};

// Same kind of resource: equal in everything but quantity.
bool same_kind(const mesos::Resource& a, const mesos::Resource& b);

// RESERVE pushes a reservation onto the stack; UNRESERVE pops the last one.
mesos::Resource reserved(mesos::Resource r, mesos::ReservationInfo reservation);
mesos::Resource unreserved(mesos::Resource r);

}  // namespace steward::resources
