#include "scheduler/config_update.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "spec/spec_loader.hpp"
#include "spec/spec_summary.hpp"

namespace steward::scheduler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The stored configuration (spec::to_json, compact) of a spec written as YAML.
std::string config_of(const std::string& yaml) {
  spec::LoadResult r = spec::load_spec_text(yaml, "svc.yml", ".", spec::LoadOptions{});
  EXPECT_TRUE(r.ok()) << yaml;
  return r.spec ? spec::to_json(*r.spec, -1) : std::string();
}

// A service with a pod "hello" and a pod "world", each one task; the arguments vary it.
struct Shape {
  int hello_count = 2;
  std::string hello_cpus = "0.1";
  std::string hello_cmd = "./hello";
  std::string hello_extra;  // more pod fields, each line indented by four spaces
  std::string hello_env;    // env entries, each line indented by ten spaces
  bool with_world = true;
  int world_count = 1;
  std::string world_extra;
};

std::string yaml_of(const Shape& s) {
  std::string y = "name: svc\npods:\n";
  y += "  hello:\n    count: " + std::to_string(s.hello_count) + "\n" + s.hello_extra;
  y += "    tasks:\n      server:\n        goal: RUNNING\n        cmd: " + s.hello_cmd +
       "\n        cpus: " + s.hello_cpus + "\n        memory: 32\n";
  if (!s.hello_env.empty()) y += "        env:\n" + s.hello_env;
  if (s.with_world) {
    y += "  world:\n    count: " + std::to_string(s.world_count) + "\n" + s.world_extra;
    y += "    tasks:\n      server:\n        goal: RUNNING\n        cmd: ./world\n"
         "        cpus: 0.2\n        memory: 64\n";
  }
  return y;
}

std::string config_of(const Shape& s) {
  return config_of(yaml_of(s));
}

TEST(ConfigChanges, ACpusChangeIsOneLineNamedByPodAndResourceSet) {
  Shape after;
  after.hello_cpus = "0.2";
  EXPECT_THAT(config_changes(config_of(Shape{}), config_of(after)),
              ElementsAre("pods.hello.resource-sets.server-resource-set.cpus: 0.1 -> 0.2"));
}

TEST(ConfigChanges, AnAddedEnvironmentVariableShowsAsNoneToItsValue) {
  Shape before;
  before.hello_env = "          HEAP: 1G\n";
  Shape after = before;
  after.hello_env += "          LOG_LEVEL: debug\n";
  EXPECT_THAT(config_changes(config_of(before), config_of(after)),
              ElementsAre(R"(pods.hello.tasks.server.env.LOG_LEVEL: (none) -> "debug")"));
}

TEST(ConfigChanges, IdenticalConfigurationsHaveNoChanges) {
  EXPECT_THAT(config_changes(config_of(Shape{}), config_of(Shape{})), IsEmpty());
}

TEST(SamePodConfig, CountPlacementAndAllowDecommissionAreSetAside) {
  Shape after;
  after.hello_count = 5;
  after.hello_extra =
      "    placement: '[[\"hostname\", \"UNIQUE\"]]'\n    allow-decommission: true\n";
  const std::string before_json = config_of(Shape{});
  const std::string after_json = config_of(after);
  ASSERT_THAT(config_changes(before_json, after_json), ::testing::SizeIs(3))
      << "the three fields do differ";
  EXPECT_TRUE(same_pod_config(before_json, after_json, "hello"));
}

TEST(SamePodConfig, ADifferentCommandIsADifferentPodConfig) {
  Shape after;
  after.hello_cmd = "./hello --v2";
  const std::string before_json = config_of(Shape{});
  const std::string after_json = config_of(after);
  EXPECT_FALSE(same_pod_config(before_json, after_json, "hello"));
  EXPECT_TRUE(same_pod_config(before_json, after_json, "world")) << "the other pod is unchanged";
}

TEST(SamePodConfig, APodTypeMissingFromEitherConfigurationIsNotTheSame) {
  Shape without_world;
  without_world.with_world = false;
  const std::string with_json = config_of(Shape{});
  const std::string without_json = config_of(without_world);
  EXPECT_FALSE(same_pod_config(with_json, without_json, "world"));
  EXPECT_FALSE(same_pod_config(without_json, with_json, "world"));
  EXPECT_FALSE(same_pod_config(with_json, with_json, "nothing"));
}

TEST(PreviewUpdate, RestartsChangedInstancesAndDeploysTheNewIndices) {
  const std::string target = config_of(Shape{});  // hello x2, world x1
  Shape candidate_shape;
  candidate_shape.hello_count = 4;
  candidate_shape.hello_cpus = "0.3";
  const std::string candidate = config_of(candidate_shape);
  // hello-1 already runs the candidate's pod (a retried update); the others run the target.
  const std::map<std::string, std::string> instances = {
      {"hello-0", "c1"}, {"hello-1", "c2"}, {"world-0", "c1"}};
  const std::map<std::string, std::string> configs = {{"c1", target}, {"c2", candidate}};
  UpdatePreview p = preview_update(target, candidate, instances, configs);
  EXPECT_EQ(p.changes, config_changes(target, candidate));
  EXPECT_THAT(p.restart, ElementsAre("hello-0"));
  EXPECT_THAT(p.deploy, ElementsAre("hello-2", "hello-3"));
  EXPECT_THAT(p.decommission, IsEmpty());
}

TEST(PreviewUpdate, DecommissionsRemovedInstancesHighestIndexFirstRemovedTypesIncluded) {
  Shape target_shape;
  target_shape.hello_count = 3;
  target_shape.world_count = 2;
  target_shape.world_extra = "    allow-decommission: true\n";
  const std::string target = config_of(target_shape);
  Shape candidate_shape;
  candidate_shape.hello_count = 1;
  candidate_shape.hello_extra = "    allow-decommission: true\n";
  candidate_shape.with_world = false;
  const std::string candidate = config_of(candidate_shape);
  const std::map<std::string, std::string> instances = {{"hello-0", "c1"},
                                                        {"hello-1", "c1"},
                                                        {"hello-2", "c1"},
                                                        {"world-0", "c1"},
                                                        {"world-1", "c1"}};
  UpdatePreview p = preview_update(target, candidate, instances, {{"c1", target}});
  // Pod types in reverse order of the running configuration (world, then hello).
  EXPECT_THAT(p.decommission, ElementsAre("world-1", "world-0", "hello-2", "hello-1"));
  EXPECT_THAT(p.restart, IsEmpty()) << "hello-0 differs only in count and allow-decommission";
  EXPECT_THAT(p.deploy, IsEmpty());
}

TEST(PreviewUpdate, AnInstanceOnAnUnknownConfigurationRestarts) {
  const std::string target = config_of(Shape{});
  const std::map<std::string, std::string> instances = {
      {"hello-0", "lost"}, {"hello-1", "c1"}, {"world-0", "c1"}};
  UpdatePreview p = preview_update(target, target, instances, {{"c1", target}});
  EXPECT_THAT(p.changes, IsEmpty());
  EXPECT_THAT(p.restart, ElementsAre("hello-0"));
  EXPECT_THAT(p.deploy, IsEmpty());
  EXPECT_THAT(p.decommission, IsEmpty());
}

}  // namespace
}  // namespace steward::scheduler
