#include "offer/pod_footprint.hpp"

#include <gtest/gtest.h>

#include "spec/spec_loader.hpp"

namespace steward::offer {
namespace {

spec::ServiceSpec load(const std::string& name) {
  spec::LoadOptions options;
  auto result = spec::load_spec_file(
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/" + name, options);
  EXPECT_TRUE(result.spec) << name;
  return result.spec ? *result.spec : spec::ServiceSpec{};
}

TEST(ServiceRole, SlashesBecomeDoubleUnderscores) {
  EXPECT_EQ(service_role("hello-world"), "hello-world-role");
  EXPECT_EQ(service_role("/path/to/svc"), "path__to__svc-role");
  EXPECT_EQ(service_role("team/kafka"), "team__kafka-role");
}

TEST(PodFootprint, HelloWorldWorldPodReservesEverySetAndTheExecutor) {
  spec::ServiceSpec s = load("svc.yml");
  const spec::PodSpec* world = s.find_pod("world");
  ASSERT_NE(world, nullptr);
  PodFootprint f = pod_footprint(*world, service_role(s.name));
  EXPECT_EQ(f.role, "hello-world-role");
  EXPECT_TRUE(f.pre_reserved_role.empty());
  // Executor overhead: 0.1 cpus, 32 MB, 256 MB disk.
  ASSERT_EQ(f.executor.scalars.size(), 3u);
  EXPECT_DOUBLE_EQ(f.executor.scalars[0].amount, 0.1);
  // Every task's set is in the footprint, even tasks a plan launches later (sidecar).
  std::size_t tasks = 0;
  for (const SetNeed& set : f.sets)
    tasks += set.tasks.size();
  EXPECT_EQ(tasks, world->tasks.size());
  double cpus = 0.1;
  for (const spec::ResourceSetSpec& rs : world->resource_sets)
    cpus += rs.cpus;
  EXPECT_DOUBLE_EQ(f.cpus, cpus);
  EXPECT_GT(f.disk_mb, 256) << "volumes count towards disk";
}

TEST(PodFootprint, PreReservedPodsRefineTheStaticRole) {
  spec::ServiceSpec s = load("pre-reserved.yml");
  const spec::PodSpec* pod = nullptr;
  for (const spec::PodSpec& p : s.pods)
    if (!p.pre_reserved_role.empty()) pod = &p;
  ASSERT_NE(pod, nullptr);
  PodFootprint f = pod_footprint(*pod, "svc-role");
  EXPECT_EQ(f.role, pod->pre_reserved_role + "/svc-role");
  EXPECT_EQ(f.pre_reserved_role, pod->pre_reserved_role);
}

TEST(PodFootprint, StaticAndDynamicPortsAreTold) {
  spec::ServiceSpec s = load("multiport.yml");
  std::size_t static_ports = 0, dynamic_ports = 0;
  for (const spec::PodSpec& pod : s.pods) {
    PodFootprint f = pod_footprint(pod, "r");
    for (const SetNeed& set : f.sets)
      for (const PortNeed& p : set.ports) {
        (p.port ? static_ports : dynamic_ports)++;
      }
  }
  EXPECT_EQ(static_ports, 1u) << "port 17001";
  EXPECT_EQ(dynamic_ports, 2u) << "the two port: 0 entries";
}

}  // namespace
}  // namespace steward::offer
