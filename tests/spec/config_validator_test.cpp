#include "spec/config_validator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace steward::spec::testing;

// The spec each test changes: one pod of two instances, one task.
const char* kBase = R"(name: svc
pods:
  app:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: ./run
        cpus: 0.5
        memory: 256
)";

ServiceSpec spec_of(const std::string& yaml) {
  LoadResult r = load(yaml);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(messages(r)) << "\n" << yaml;
  return r.spec ? *r.spec : ServiceSpec{};
}

// `text` with its only occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " is not unique";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<std::string> refusals(
    const std::string& old_yaml, const std::string& new_yaml,
    const std::vector<std::shared_ptr<const ConfigValidator>>& custom = {}) {
  std::vector<std::string> out;
  for (const ConfigError& e : validate_config_update(spec_of(old_yaml), spec_of(new_yaml), custom))
    out.push_back(e.to_string());
  return out;
}

TEST(ConfigValidator, TheServiceNameCannotChange) {
  EXPECT_THAT(refusals(kBase, replaced(kBase, "name: svc", "name: other")),
              ElementsAre(R"(name: the service name cannot change ("svc" -> "other"))"));
}

TEST(ConfigValidator, TheSchedulerUserCannotChange) {
  const std::string changed =
      replaced(kBase, "name: svc\n", "name: svc\nscheduler:\n  user: nobody\n");
  EXPECT_THAT(
      refusals(kBase, changed),
      ElementsAre(R"(scheduler.user: the user cannot change (the scheduler's own -> "nobody"))"));
  // A configuration stored before the user had a default of its own says "root" for a spec
  // that said nothing: the same spec again is no change. The other way is one.
  const std::string stored =
      replaced(kBase, "name: svc\n", "name: svc\nscheduler:\n  user: root\n");
  EXPECT_THAT(refusals(stored, kBase), ElementsAre());
  EXPECT_THAT(
      refusals(kBase, stored),
      ElementsAre(R"(scheduler.user: the user cannot change (the scheduler's own -> "root"))"));
}

const char* kTwoPods = R"(name: svc
pods:
  app:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: ./run
        cpus: 0.5
        memory: 256
  extra:
    count: 1
    tasks:
      helper:
        goal: RUNNING
        cmd: ./help
        cpus: 0.1
        memory: 32
)";

TEST(ConfigValidator, APodTypeCannotBeRemovedUnlessItsRunningConfigurationAllowsIt) {
  EXPECT_THAT(refusals(kTwoPods, kBase),
              ElementsAre("pods.extra: pod type extra cannot be removed: its running "
                          "configuration does not set allow-decommission: true"));
}

TEST(ConfigValidator, APodTypeWhoseRunningConfigurationAllowsDecommissionMayBeRemoved) {
  const std::string allowing = replaced(kTwoPods, "  extra:\n    count: 1\n",
                                        "  extra:\n    count: 1\n    allow-decommission: true\n");
  EXPECT_THAT(refusals(allowing, kBase), IsEmpty());
}

TEST(ConfigValidator, LoweringTheCountNeedsAllowDecommissionInTheNewPod) {
  const std::string lowered = replaced(kBase, "count: 2", "count: 1");
  EXPECT_THAT(refusals(kBase, lowered),
              ElementsAre("pods.app.count: lowering the count (2 -> 1) needs "
                          "allow-decommission: true in the pod"));
  // The running configuration allowing it is not enough: the candidate decides.
  const std::string old_allowing =
      replaced(kBase, "count: 2\n", "count: 2\n    allow-decommission: true\n");
  EXPECT_THAT(refusals(old_allowing, lowered),
              ElementsAre("pods.app.count: lowering the count (2 -> 1) needs "
                          "allow-decommission: true in the pod"));
}

TEST(ConfigValidator, LoweringTheCountIsAllowedWhenTheNewPodAllowsDecommission) {
  const std::string lowered =
      replaced(kBase, "count: 2\n", "count: 1\n    allow-decommission: true\n");
  EXPECT_THAT(refusals(kBase, lowered), IsEmpty());
}

TEST(ConfigValidator, ThePreReservedRoleCannotChange) {
  const std::string changed =
      replaced(kBase, "count: 2\n", "count: 2\n    pre-reserved-role: slave_public\n");
  EXPECT_THAT(
      refusals(kBase, changed),
      ElementsAre(R"(pods.app.pre-reserved-role: cannot change ((none) -> "slave_public"))"));
}

TEST(ConfigValidator, ThePodUserCannotChange) {
  const std::string changed = replaced(kBase, "count: 2\n", "count: 2\n    user: nobody\n");
  EXPECT_THAT(refusals(kBase, changed),
              ElementsAre(R"(pods.app.user: the user cannot change ((none) -> "nobody"))"));
}

TEST(ConfigValidator, PodVolumesCannotChange) {
  const std::string with_volume =
      replaced(kBase, "count: 2\n",
               "count: 2\n    volumes:\n      shared:\n        path: shared\n        type: ROOT\n"
               "        size: 100\n");
  const std::string bigger = replaced(with_volume, "size: 100", "size: 200");
  EXPECT_THAT(refusals(with_volume, bigger),
              ElementsAre("pods.app.volumes: volumes cannot change (shared ROOT 100 MB -> "
                          "shared ROOT 200 MB)"));
}

const char* kTaskVolume = R"(name: svc
pods:
  app:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: ./run
        cpus: 0.5
        memory: 256
        volume:
          path: data
          type: ROOT
          size: 100
)";

TEST(ConfigValidator, ATaskVolumeCannotChangeSize) {
  EXPECT_THAT(refusals(kTaskVolume, replaced(kTaskVolume, "size: 100", "size: 200")),
              ElementsAre("pods.app.tasks.server.volumes: volumes cannot change (data ROOT 100 "
                          "MB -> data ROOT 200 MB)"));
}

TEST(ConfigValidator, ATaskVolumeCannotChangePath) {
  EXPECT_THAT(refusals(kTaskVolume, replaced(kTaskVolume, "path: data", "path: store")),
              ElementsAre("pods.app.tasks.server.volumes: volumes cannot change (data ROOT 100 "
                          "MB -> store ROOT 100 MB)"));
}

TEST(ConfigValidator, ATaskAddedToAnExistingPodCannotBringVolumes) {
  const std::string added = std::string(kBase) + R"(      sidecar:
        goal: RUNNING
        cmd: ./side
        cpus: 0.1
        memory: 32
        volume:
          path: scratch
          type: ROOT
          size: 10
)";
  EXPECT_THAT(refusals(kBase, added),
              ElementsAre("pods.app.tasks.sidecar.volumes: a task added to an existing pod "
                          "cannot bring volumes (scratch ROOT 10 MB)"));
}

TEST(ConfigValidator, ATaskCannotBeRemovedFromAPodThatRuns) {
  const std::string two = std::string(kBase) + R"(      sidecar:
        goal: RUNNING
        cmd: ./side
        cpus: 0.1
        memory: 32
)";
  EXPECT_THAT(refusals(two, kBase),
              ElementsAre("pods.app.tasks.sidecar: a task cannot be removed from a pod that runs; "
                          "remove the pod type (with allow-decommission) instead"));
  // A task added without volumes is fine.
  EXPECT_THAT(refusals(kBase, two), IsEmpty());
}

const char* kZonePlacement = R"(    placement: '[["@zone", "GROUP_BY", "3"]]')";

TEST(ConfigValidator, ZoneAwarenessCannotBeSwitchedOn) {
  const std::string zoned =
      replaced(kBase, "count: 2\n", "count: 2\n" + std::string(kZonePlacement) + "\n");
  EXPECT_THAT(
      refusals(kBase, zoned),
      ElementsAre(
          R"(pods.app.placement: zone awareness cannot be switched on ((none) -> "[["@zone", "GROUP_BY", "3"]]"))"));
}

TEST(ConfigValidator, ZoneAwarenessCannotBeSwitchedOff) {
  const std::string zoned =
      replaced(kBase, "count: 2\n", "count: 2\n" + std::string(kZonePlacement) + "\n");
  EXPECT_THAT(
      refusals(zoned, kBase),
      ElementsAre(
          R"(pods.app.placement: zone awareness cannot be switched off ("[["@zone", "GROUP_BY", "3"]]" -> (none)))"));
}

class NoNewPodTypes : public ConfigValidator {
 public:
  std::vector<ConfigError> validate(const ServiceSpec& old_target,
                                    const ServiceSpec& candidate) const override {
    std::vector<ConfigError> out;
    for (const PodSpec& pod : candidate.pods)
      if (old_target.find_pod(pod.type) == nullptr)
        out.push_back({"pods." + pod.type, "this service cannot gain pod types"});
    return out;
  }
};

class Unconditional : public ConfigValidator {
 public:
  std::vector<ConfigError> validate(const ServiceSpec&, const ServiceSpec&) const override {
    return {{"", "the data center cannot change"}};
  }
};

TEST(ConfigValidator, CustomValidatorErrorsFollowTheBuiltInOnesInOrder) {
  const std::string renamed_and_grown = replaced(kTwoPods, "name: svc", "name: other");
  const std::vector<std::shared_ptr<const ConfigValidator>> custom = {
      std::make_shared<NoNewPodTypes>(), nullptr, std::make_shared<Unconditional>()};
  EXPECT_THAT(refusals(kBase, renamed_and_grown, custom),
              ElementsAre(R"(name: the service name cannot change ("svc" -> "other"))",
                          "pods.extra: this service cannot gain pod types",
                          "the data center cannot change"));
}

TEST(ConfigValidator, ResourcesCommandEnvironmentAndAHigherCountMayChange) {
  const std::string updated = R"(name: svc
pods:
  app:
    count: 3
    tasks:
      server:
        goal: RUNNING
        cmd: ./run --fast
        cpus: 1
        memory: 256
        env:
          LOG_LEVEL: debug
)";
  EXPECT_THAT(refusals(kBase, updated), IsEmpty());
}

}  // namespace
}  // namespace steward::spec
