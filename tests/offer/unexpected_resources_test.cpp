#include "offer/unexpected_resources.hpp"

#include <gtest/gtest.h>

namespace steward::offer {
namespace {

using mesos::ReservationInfo;
using mesos::Resource;

ReservationInfo dynamic(const std::string& role, const std::string& resource_id = {}) {
  ReservationInfo r;
  r.type = ReservationInfo::Type::dynamic;
  r.role = role;
  r.principal = "p";
  if (!resource_id.empty()) r.labels = {{"resource_id", resource_id}};
  return r;
}

ReservationInfo fixed(const std::string& role) {
  ReservationInfo r;
  r.type = ReservationInfo::Type::static_reservation;
  r.role = role;
  return r;
}

Resource scalar(const std::string& name, double value, std::vector<ReservationInfo> stack = {}) {
  Resource r;
  r.name = name;
  r.scalar = value;
  r.reservations = std::move(stack);
  r.allocation_role = "svc-role";
  return r;
}

Resource volume(const std::string& resource_id, const std::string& persistence_id) {
  Resource r = scalar("disk", 100, {dynamic("svc-role", resource_id)});
  r.disk = mesos::DiskInfo{};
  r.disk->persistence = mesos::DiskInfo::Persistence{persistence_id, "p"};
  r.disk->volume = mesos::DiskInfo::Volume{};
  r.disk->volume->container_path = "data";
  return r;
}

const ServiceRoles kRoles{{"svc-role", "slave_public/svc-role"}};

mesos::Offer offer_of(std::vector<Resource> resources) {
  mesos::Offer o;
  o.id = "O1";
  o.agent_id = "S0";
  o.resources = std::move(resources);
  return o;
}

TEST(UsableResources, OwnAndUnreservedAndPreReservedButNeverForeign) {
  auto o = offer_of({
      scalar("cpus", 1),                                 // unreserved
      scalar("cpus", 2, {dynamic("svc-role", "r1")}),    // ours
      scalar("cpus", 3, {dynamic("other-role", "r2")}),  // another service's
      scalar("cpus", 4, {dynamic("svc-role")}),          // ours by role, no label: not SDK-made
      scalar("cpus", 5, {fixed("slave_public")}),        // pre-reserved for us
      scalar("cpus", 6,
             {fixed("slave_public"), dynamic("slave_public/svc-role", "r3")}),  // refined, ours
      scalar("cpus", 7,
             {fixed("slave_public"), dynamic("slave_public/other", "r4")}),  // refined, theirs
      scalar("cpus", 8, {fixed("elsewhere")}),  // another role's static
  });
  std::vector<double> got;
  for (const auto& r : usable_resources(o, kRoles))
    got.push_back(r.scalar);
  EXPECT_EQ(got, (std::vector<double>{1, 2, 5, 6}));
}

TEST(UnexpectedResources, ReleasesOnlyOwnReservationsNoTaskKeeps) {
  auto o = offer_of({
      scalar("cpus", 1, {dynamic("svc-role", "keep-me")}),
      scalar("mem", 256, {dynamic("svc-role", "stale")}),
      volume("stale-vol", "v1"),
      scalar("cpus", 3, {dynamic("other-role", "stale-other")}),  // never touched
      scalar("cpus", 1),
  });
  Release release = unexpected_resources(o, kRoles, {"keep-me"});
  ASSERT_EQ(release.destroy.size(), 1u);
  EXPECT_EQ(release.destroy[0].disk->persistence->id, "v1");
  ASSERT_EQ(release.unreserve.size(), 2u);
  EXPECT_EQ(release.unreserve[0].name, "mem");
  EXPECT_EQ(release.unreserve[1].name, "disk");
  EXPECT_FALSE(release.unreserve[1].disk) << "unreserved as the plain disk it is after DESTROY";
  EXPECT_FALSE(release.unreserve[0].allocation_role);

  auto ops = release_operations(release);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].type, mesos::Operation::Type::destroy) << "volumes go first";
  EXPECT_EQ(ops[1].type, mesos::Operation::Type::unreserve);
}

TEST(UnexpectedResources, NothingToReleaseWhenEverythingIsKept) {
  auto o = offer_of({scalar("cpus", 1, {dynamic("svc-role", "a")}), volume("b", "v")});
  Release release = unexpected_resources(o, kRoles, {"a", "b"});
  EXPECT_TRUE(release.empty());
  EXPECT_TRUE(release_operations(release).empty());
}

}  // namespace
}  // namespace steward::offer
