#pragma once

// Which offered resources a service may use, and which it must give back (dcos-commons
// §3.1 and §3.5).
//
// Usable: unreserved resources, resources statically reserved to one of the service's
// roles (a pre-reserved role such as slave_public), and the service's own dynamic
// reservations (to one of its roles, labelled with a resource_id). Another service's or
// framework's dynamic reservations are foreign and never touched.
//
// Unexpected: the service's own dynamic reservations whose resource_id no live task keeps
// (a replaced pod's old footprint, an uninstalled service, an agent back after its pods
// moved). They are released, volumes first: DESTROY, then UNRESERVE.

#include <set>
#include <string>
#include <vector>

#include "mesos/offer.hpp"
#include "mesos/task_info.hpp"

namespace steward::offer {

struct ServiceRoles {
  std::set<std::string> roles;  // the service's role, and its role under a pre-reserved role
};

// True when the resource is the service's own dynamic reservation (its role, a resource_id).
bool is_own_reservation(const mesos::Resource& r, const ServiceRoles& roles);
// The resources of `offer` the service may consider, in offer order.
std::vector<mesos::Resource> usable_resources(const mesos::Offer& offer, const ServiceRoles& roles);

struct Release {
  std::vector<mesos::Resource> destroy;    // persistent volumes, as offered
  std::vector<mesos::Resource> unreserve;  // every unexpected reservation, volumes included
  bool empty() const { return destroy.empty() && unreserve.empty(); }
};

// The service's reservations in `offer` whose resource_id is not in `keep`.
Release unexpected_resources(const mesos::Offer& offer, const ServiceRoles& roles,
                             const std::set<std::string>& keep);

// DESTROY of the volumes, then UNRESERVE of all of it (a volume's disk without its volume
// info, as it is after the DESTROY).
std::vector<mesos::Operation> release_operations(const Release& release);

}  // namespace steward::offer
