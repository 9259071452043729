#include "offer/unexpected_resources.hpp"

namespace steward::offer {

namespace {
constexpr const char* kResourceId = "resource_id";

bool is_static_to_us(const mesos::Resource& r, const ServiceRoles& roles) {
  if (r.reservations.size() != 1) return false;
  const auto& top = r.reservations.back();
  if (top.type != mesos::ReservationInfo::Type::static_reservation) return false;
  // A pre-reserved role is an ancestor of one of ours (slave_public for slave_public/svc).
  for (const std::string& role : roles.roles)
    if (role == top.role || role.rfind(top.role + "/", 0) == 0) return true;
  return false;
}
}  // namespace

bool is_own_reservation(const mesos::Resource& r, const ServiceRoles& roles) {
  if (r.reservations.empty()) return false;
  const auto& top = r.reservations.back();
  return top.type == mesos::ReservationInfo::Type::dynamic && roles.roles.count(top.role) &&
         r.label(kResourceId).has_value();
}

std::vector<mesos::Resource> usable_resources(const mesos::Offer& offer,
                                              const ServiceRoles& roles) {
  std::vector<mesos::Resource> out;
  for (const mesos::Resource& r : offer.resources)
    if (!r.reserved() || is_static_to_us(r, roles) || is_own_reservation(r, roles))
      out.push_back(r);
  return out;
}

Release unexpected_resources(const mesos::Offer& offer, const ServiceRoles& roles,
                             const std::set<std::string>& keep) {
  Release release;
  for (mesos::Resource r : offer.resources) {
    if (!is_own_reservation(r, roles)) continue;
    if (keep.count(*r.label(kResourceId))) continue;
    r.allocation_role.reset();
    if (r.disk && r.disk->persistence) {
      release.destroy.push_back(r);
      r.disk->persistence.reset();
      r.disk->volume.reset();
      if (!r.disk->source) r.disk.reset();
    }
    release.unreserve.push_back(std::move(r));
  }
  return release;
}

std::vector<mesos::Operation> release_operations(const Release& release) {
  std::vector<mesos::Operation> ops;
  if (!release.destroy.empty()) {
    mesos::Operation destroy;
    destroy.type = mesos::Operation::Type::destroy;
    destroy.resources = release.destroy;
    ops.push_back(std::move(destroy));
  }
  if (!release.unreserve.empty()) {
    mesos::Operation unreserve;
    unreserve.type = mesos::Operation::Type::unreserve;
    unreserve.resources = release.unreserve;
    ops.push_back(std::move(unreserve));
  }
  return ops;
}

}  // namespace steward::offer
