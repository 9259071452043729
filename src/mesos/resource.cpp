#include "mesos/resource.hpp"

#include <cmath>

namespace steward::mesos {

double round_scalar(double value) {
  return std::round(value * 1000.0) / 1000.0;
}

std::optional<std::string> Resource::label(const std::string& key) const {
  if (reservations.empty()) return std::nullopt;
  for (const Label& l : reservations.back().labels) {
    if (l.key == key) return l.value.value_or("");
  }
  return std::nullopt;
}

}  // namespace steward::mesos
