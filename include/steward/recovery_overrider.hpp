#pragma once

// Extension point: replace the default recovery of a failed pod (dcos-commons'
// RecoveryPlanOverrider). The scheduler calls it on its event loop whenever it is about to add
// a recovery phase for a pod instance; returning a phase replaces the default one (relaunch the
// failed tasks in place for TRANSIENT, on a new footprint for PERMANENT).
//
// The phase's steps run one after another. A step launches the listed tasks of the failed pod
// instance. In a PERMANENT recovery the first step to launch acquires the pod's new footprint
// (fresh reservations and volumes, wherever placement allows); later steps launch on it. This
// is how HDFS recovers a name node: bootstrap from a peer on the new volume, then start the node.
//
// Only the standard library is included here, so a service author's build pays for nothing else.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace steward {

enum class RecoveryType { transient, permanent };

struct FailedPod {
  std::string pod_type;                   // "name"
  int index = 0;                          // 0 for name-0
  std::vector<std::string> failed_tasks;  // task names in the spec: "node"
  RecoveryType type = RecoveryType::transient;
};

struct RecoveryStepSpec {
  std::string name;                        // shown in the recovery plan
  std::vector<std::string> tasks;          // task names of the pod to launch together
  std::map<std::string, std::string> env;  // extra environment for those tasks
};

struct RecoveryPhaseSpec {
  std::string name;  // e.g. "permanent-name-failure-recovery"
  std::vector<RecoveryStepSpec> steps;
};

class RecoveryOverrider {
 public:
  virtual ~RecoveryOverrider() = default;
  // A phase to recover `pod` with, or nothing for the default recovery.
  virtual std::optional<RecoveryPhaseSpec> override_recovery(const FailedPod& pod) = 0;
};

}  // namespace steward
