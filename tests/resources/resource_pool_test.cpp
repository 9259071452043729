#include "resources/resource_pool.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace steward::resources {
namespace {

using mesos::ReservationInfo;
using mesos::Resource;

Resource scalar(const std::string& name, double value, std::vector<ReservationInfo> stack = {}) {
  Resource r;
  r.name = name;
  r.scalar = value;
  r.reservations = std::move(stack);
  return r;
}

Resource ports(std::uint64_t begin, std::uint64_t end) {
  Resource r;
  r.name = "ports";
  r.type = Resource::Type::ranges;
  r.ranges = {{begin, end}};
  return r;
}

const ReservationInfo kSvc{
    ReservationInfo::Type::dynamic, "svc-role", "svc", {{"resource_id", "r1"}}};

// A ledger of hundreds of kinds (one per reservation) finds a kind as a small pool does, as it
// grows past the size from which it counts its kinds' hashes and shrinks below it again:
// checked against a plain model, kind by kind, after every change.
TEST(ResourcePool, ALargePoolFindsEachKindAsASmallOneDoes) {
  std::mt19937 random(7);
  const auto kind = [](int k) {
    // Kind 0 is unreserved; the others each have a reservation of their own.
    if (k == 0) return scalar("cpus", 1);
    ReservationInfo own = kSvc;
    own.labels = {{"resource_id", "r" + std::to_string(k)}};
    return scalar("cpus", 1, {own});
  };
  ResourcePool pool;
  std::map<int, int> model;  // kind -> units held
  const auto check = [&](const std::string& when) {
    ASSERT_EQ(pool.resources().size(), model.size()) << when;
    for (int k = 0; k < 300; ++k) {
      const int held = model.count(k) ? model[k] : 0;
      Resource one = kind(k);
      ASSERT_EQ(pool.contains(one), held >= 1) << when << ", kind " << k;
      one.scalar = held + 1;
      ASSERT_FALSE(pool.contains(one)) << when << ", kind " << k;
    }
  };
  for (int round = 0; round < 3; ++round) {
    // Grows well past 64 kinds, adding and taking at random...
    for (int step = 0; step < 400; ++step) {
      const int k = static_cast<int>(random() % 300);
      if (random() % 4 != 0) {
        pool.add(kind(k));
        ++model[k];
      } else {
        const bool held = model.count(k) > 0;
        ASSERT_EQ(pool.subtract(kind(k)), held) << "kind " << k;
        if (held && --model[k] == 0) model.erase(k);
      }
      if (step % 50 == 0) {
        ASSERT_NO_FATAL_FAILURE(check("growing, round " + std::to_string(round)));
      }
    }
    ASSERT_GT(model.size(), 100u);
    // A copy (its count of hashes with it) answers as the original does.
    ResourcePool copy = pool;
    for (const auto& [k, units] : model) {
      ASSERT_TRUE(copy.contains(kind(k))) << "kind " << k;
    }
    copy.add(kind(300));
    EXPECT_TRUE(copy.contains(kind(300)));
    EXPECT_FALSE(pool.contains(kind(300)));
    // ... then shrinks to a few, a unit of a held kind at a time.
    for (int step = 0; model.size() > 5; ++step) {
      auto it = model.begin();
      std::advance(it, static_cast<long>(random() % model.size()));
      const int k = it->first;
      ASSERT_TRUE(pool.subtract(kind(k))) << "kind " << k;
      if (--it->second == 0) model.erase(it);
      if (step % 20 == 0) {
        ASSERT_NO_FATAL_FAILURE(check("shrinking, round " + std::to_string(round)));
      }
    }
    ASSERT_NO_FATAL_FAILURE(check("end of round " + std::to_string(round)));
  }
}

TEST(ResourcePool, SameKindMergesAndSubtracts) {
  ResourcePool pool(
      {scalar("cpus", 1.5), scalar("cpus", 0.5), scalar("mem", 1024), ports(31000, 31010)});
  EXPECT_EQ(pool.resources().size(), 3u);
  EXPECT_EQ(pool.scalar("cpus"), 2.0);
  EXPECT_TRUE(pool.subtract(scalar("cpus", 0.1)));
  EXPECT_EQ(pool.scalar("cpus"), 1.9);
  EXPECT_FALSE(pool.subtract(scalar("cpus", 5)));  // not enough: nothing changes
  EXPECT_EQ(pool.scalar("cpus"), 1.9);
  EXPECT_TRUE(pool.subtract(ports(31005, 31005)));
  EXPECT_FALSE(pool.contains(ports(31005, 31005)));
  EXPECT_TRUE(pool.contains(ports(31006, 31010)));
  EXPECT_TRUE(pool.subtract(scalar("mem", 1024)));
  EXPECT_EQ(pool.scalar("mem"), 0);  // all used: the entry is gone
}

TEST(ResourcePool, TheStampChangesWithTheContentsOnly) {
  ResourcePool pool({scalar("cpus", 2)});
  const ResourcePool copy = pool;
  EXPECT_EQ(copy.stamp(), pool.stamp());                               // same contents
  EXPECT_NE(ResourcePool({scalar("cpus", 2)}).stamp(), pool.stamp());  // made apart
  std::uint64_t before = pool.stamp();
  EXPECT_FALSE(pool.subtract(scalar("cpus", 5)));  // refused: nothing changed
  EXPECT_EQ(pool.stamp(), before);
  EXPECT_TRUE(pool.subtract(scalar("cpus", 1)));
  EXPECT_NE(pool.stamp(), before);
  before = pool.stamp();
  pool.add(scalar("mem", 64));
  EXPECT_NE(pool.stamp(), before);
  EXPECT_NE(copy.stamp(), pool.stamp());  // the copy kept the old contents and stamp
}

TEST(ResourcePool, ReservationsKeepResourcesApart) {
  ResourcePool pool({scalar("cpus", 2)});
  // RESERVE: take from the unreserved pool, give back the reserved resource.
  ASSERT_TRUE(pool.subtract(scalar("cpus", 0.5)));
  pool.add(reserved(scalar("cpus", 0.5), kSvc));
  EXPECT_EQ(pool.resources().size(), 2u);
  EXPECT_FALSE(pool.contains(scalar("cpus", 1.6)));  // unreserved is only 1.5
  EXPECT_TRUE(pool.contains(scalar("cpus", 0.5, {kSvc})));
  // A different label is a different reservation.
  ReservationInfo other = kSvc;
  other.labels[0].value = "r2";
  EXPECT_FALSE(pool.contains(scalar("cpus", 0.5, {other})));
  // UNRESERVE pops the stack and the cpus merge back.
  Resource held = scalar("cpus", 0.5, {kSvc});
  ASSERT_TRUE(pool.subtract(held));
  pool.add(unreserved(held));
  EXPECT_EQ(pool.resources().size(), 1u);
  EXPECT_EQ(pool.scalar("cpus"), 2);
}

TEST(ResourcePool, RefinementPushesOntoTheStack) {
  ReservationInfo pub{ReservationInfo::Type::static_reservation, "slave_public", "", {}};
  Resource r = reserved(reserved(scalar("mem", 64), pub),
                        {ReservationInfo::Type::dynamic, "slave_public/svc", "p", {}});
  EXPECT_EQ(r.role(), "slave_public/svc");
  EXPECT_EQ(unreserved(r).role(), "slave_public");
  EXPECT_EQ(unreserved(unreserved(r)).role(), "*");
}

TEST(ResourcePool, SetItemsListedTwiceAreSafe) {
  Resource gpus;
  gpus.name = "gpu_ids";
  gpus.type = Resource::Type::set;
  gpus.set = {"0", "1"};
  ResourcePool pool({gpus});
  Resource twice = gpus;
  twice.set = {"0", "0"};
  EXPECT_TRUE(pool.subtract(twice));
  ASSERT_EQ(pool.resources().size(), 1u);
  EXPECT_EQ(pool.resources()[0].set, std::vector<std::string>{"1"});
}

TEST(ResourcePool, VolumesAreDistinct) {
  Resource a = scalar("disk", 64, {kSvc});
  a.disk = mesos::DiskInfo{mesos::DiskInfo::Persistence{"v1", "svc"}, mesos::DiskInfo::Volume{},
                           std::nullopt};
  Resource b = a;
  b.disk->persistence->id = "v2";
  ResourcePool pool({a, b});
  EXPECT_EQ(pool.resources().size(), 2u);
  EXPECT_TRUE(pool.subtract(a));
  EXPECT_FALSE(pool.contains(a));
  EXPECT_TRUE(pool.contains(b));
}

}  // namespace
}  // namespace steward::resources
