#pragma once

// Arithmetic on sets of port ranges, kept normalised: sorted, non-overlapping, non-adjacent.

#include <cstdint>
#include <vector>

#include "mesos/resource.hpp"

namespace steward::resources {

using Ranges = std::vector<mesos::ValueRange>;

Ranges normalize(Ranges ranges);
Ranges add(const Ranges& a, const Ranges& b);
// a minus b; what b holds outside a is ignored.
Ranges subtract(const Ranges& a, const Ranges& b);
bool contains(const Ranges& a, const Ranges& b);  // b within a
bool contains(const Ranges& a, std::uint64_t value);
std::uint64_t count(const Ranges& a);

}  // namespace steward::resources
