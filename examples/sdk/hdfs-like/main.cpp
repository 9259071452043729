// hdfs-like: the two things the HDFS scheduler needed code for.
//   - a recovery overrider: a name node replaced on a new volume (`steward pod replace
//     name-0`, or an agent gone for good) first runs `bootstrap` with its peer's name, then
//     starts; a transient failure keeps the default in-place relaunch;
//   - a config validator: the service runs exactly two name nodes, so an update that changes
//     their count is refused, whatever allow-decommission says.
//
// Run it next to a local cluster (`steward cluster up`):  ./hdfs-like

#include <steward/scheduler_builder.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

class NameNodeRecovery : public steward::RecoveryOverrider {
 public:
  std::optional<steward::RecoveryPhaseSpec> override_recovery(
      const steward::FailedPod& pod) override {
    if (pod.pod_type != "name" || pod.type != steward::RecoveryType::permanent)
      return std::nullopt;  // the default: relaunch in place, on the same volume
    steward::RecoveryPhaseSpec phase;
    phase.name = "permanent-name-failure-recovery";
    const std::string peer = "name-" + std::to_string(1 - pod.index);
    phase.steps.push_back({"bootstrap", {"bootstrap"}, {{"PEER", peer}}});
    phase.steps.push_back({"node", {"node"}, {}});
    return phase;
  }
};

class TwoNameNodes : public steward::ConfigValidator {
 public:
  std::vector<steward::ValidationError> validate(
      const steward::SpecView& old_target, const steward::SpecView& candidate) const override {
    if (candidate.count("name") == 2) return {};
    return {{"pods.name.count", "an hdfs-like service runs exactly two name nodes (" +
                                    std::to_string(old_target.count("name")) + " -> " +
                                    std::to_string(candidate.count("name")) + ")"}};
  }
};

}  // namespace

int main(int argc, char** argv) {
  return steward::SchedulerBuilder::from_file(HDFS_LIKE_SPEC)
      .recovery_overrider(std::make_shared<NameNodeRecovery>())
      .validator(std::make_shared<TwoNameNodes>())
      .run(argc, argv);
}
