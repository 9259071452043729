#pragma once

// Mesos v1 Resource, as plain data (mesos.proto `Resource`), in the RESERVATION_REFINEMENT
// format: a stack of reservations whose last entry is the current one. Shared by the
// scheduler (offers it evaluates) and the embedded cluster (resources it offers).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/boxed.hpp"

namespace steward::mesos {

struct Label {
  std::string key;
  std::optional<std::string> value;
  friend bool operator==(const Label&, const Label&) = default;
};

struct ReservationInfo {
  enum class Type { unknown, static_reservation, dynamic };
  Type type = Type::dynamic;
  std::string role;
  std::string principal;
  std::vector<Label> labels;
  friend bool operator==(const ReservationInfo&, const ReservationInfo&) = default;
};

struct ValueRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  friend bool operator==(const ValueRange&, const ValueRange&) = default;
};

struct DiskInfo {
  struct Persistence {
    std::string id;
    std::string principal;
    friend bool operator==(const Persistence&, const Persistence&) = default;
  };
  struct Volume {
    enum class Mode { rw, ro };
    Mode mode = Mode::rw;
    std::string container_path;
    friend bool operator==(const Volume&, const Volume&) = default;
  };
  struct Source {
    enum class Type { path, mount };
    Type type = Type::path;
    std::string root;     // the disk's directory on the agent
    std::string profile;  // MOUNT disks may carry a profile
    friend bool operator==(const Source&, const Source&) = default;
  };
  std::optional<Persistence> persistence;
  std::optional<Volume> volume;
  std::optional<Source> source;
  friend bool operator==(const DiskInfo&, const DiskInfo&) = default;
};

struct Resource {
  enum class Type { scalar, ranges, set };
  std::string name;  // cpus, mem, disk, ports, gpus, ...
  Type type = Type::scalar;
  double scalar = 0;                          // kept to 3 decimals, as Mesos does
  std::vector<ValueRange> ranges;             // RANGES
  std::vector<std::string> set;               // SET
  std::vector<ReservationInfo> reservations;  // empty: unreserved ("*")
  std::optional<std::string> allocation_role;
  Boxed<DiskInfo> disk;  // on the heap: most resources have none
  friend bool operator==(const Resource&, const Resource&) = default;

  bool reserved() const { return !reservations.empty(); }
  // The role the resource is reserved to now, or "*".
  std::string role() const { return reservations.empty() ? "*" : reservations.back().role; }
  // The value of a label of the current reservation (dcos-commons' resource_id lives there).
  std::optional<std::string> label(const std::string& key) const;
};

// Rounds to Mesos' fixed point: three decimal digits.
double round_scalar(double value);

}  // namespace steward::mesos
