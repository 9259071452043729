// The examples double as the spec's tour: together they must use every field the loader
// knows, so a field nobody can see in an example is a failing test, not a silent gap.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "spec/spec_loader.hpp"

namespace steward::spec {
namespace {

// A recorded field path with names and indices replaced: pods.*.tasks.*.cpus.
std::string shape(const std::string& path) {
  std::string s = std::regex_replace(path, std::regex("\\[[0-9]+\\]"), "");
  return std::regex_replace(
      s,
      std::regex("\\b(pods|tasks|resource-sets|plans|phases|ports|configs|secrets|host-volumes|"
                 "rlimits|env|volumes)\\.[^.]+"),
      "$1.*");
}

TEST(Examples, TogetherUseEveryField) {
  std::set<std::string> used;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(STEWARD_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yml") continue;
    auto r = load_spec_file(entry.path().string(), {});
    ASSERT_TRUE(r.ok()) << entry.path();
    for (const auto& [path, where] : r.spec->locations)
      used.insert(shape(path));
  }
  const std::set<std::string> every_field = {
      "name",
      "plans",
      "plans.*",
      "plans.*.phases",
      "plans.*.phases.*",
      "plans.*.phases.*.pod",
      "plans.*.phases.*.steps",
      "plans.*.phases.*.steps.0",
      "plans.*.phases.*.steps.default",
      "plans.*.phases.*.strategy",
      "plans.*.strategy",
      "pods",
      "pods.*",
      "pods.*.allow-decommission",
      "pods.*.count",
      "pods.*.host-volumes",
      "pods.*.host-volumes.*",
      "pods.*.host-volumes.*.container-path",
      "pods.*.host-volumes.*.host-path",
      "pods.*.host-volumes.*.mode",
      "pods.*.placement",
      "pods.*.pre-reserved-role",
      "pods.*.resource-sets",
      "pods.*.resource-sets.*",
      "pods.*.resource-sets.*.cpus",
      "pods.*.resource-sets.*.gpus",
      "pods.*.resource-sets.*.memory",
      "pods.*.resource-sets.*.ports",
      "pods.*.resource-sets.*.ports.*",
      "pods.*.resource-sets.*.ports.*.advertise",
      "pods.*.resource-sets.*.ports.*.env-key",
      "pods.*.resource-sets.*.ports.*.port",
      "pods.*.resource-sets.*.resource-limits",
      "pods.*.resource-sets.*.resource-limits.cpus",
      "pods.*.resource-sets.*.resource-limits.memory",
      "pods.*.resource-sets.*.volume",
      "pods.*.resource-sets.*.volume.path",
      "pods.*.resource-sets.*.volume.profiles",
      "pods.*.resource-sets.*.volume.size",
      "pods.*.resource-sets.*.volume.type",
      "pods.*.rlimits",
      "pods.*.rlimits.*",
      "pods.*.rlimits.*.hard",
      "pods.*.rlimits.*.soft",
      "pods.*.secrets",
      "pods.*.secrets.*",
      "pods.*.secrets.*.env-key",
      "pods.*.secrets.*.file",
      "pods.*.secrets.*.secret",
      "pods.*.share-pid-namespace",
      "pods.*.tasks",
      "pods.*.tasks.*",
      "pods.*.tasks.*.cmd",
      "pods.*.tasks.*.configs",
      "pods.*.tasks.*.configs.*",
      "pods.*.tasks.*.configs.*.dest",
      "pods.*.tasks.*.configs.*.template",
      "pods.*.tasks.*.cpus",
      "pods.*.tasks.*.discovery",
      "pods.*.tasks.*.discovery.prefix",
      "pods.*.tasks.*.discovery.visibility",
      "pods.*.tasks.*.env",
      "pods.*.tasks.*.env.*",
      "pods.*.tasks.*.essential",
      "pods.*.tasks.*.goal",
      "pods.*.tasks.*.health-check",
      "pods.*.tasks.*.health-check.cmd",
      "pods.*.tasks.*.health-check.delay",
      "pods.*.tasks.*.health-check.grace-period",
      "pods.*.tasks.*.health-check.interval",
      "pods.*.tasks.*.health-check.max-consecutive-failures",
      "pods.*.tasks.*.health-check.timeout",
      "pods.*.tasks.*.kill-grace-period",
      "pods.*.tasks.*.labels",
      "pods.*.tasks.*.memory",
      "pods.*.tasks.*.ports",
      "pods.*.tasks.*.ports.*",
      "pods.*.tasks.*.ports.*.advertise",
      "pods.*.tasks.*.ports.*.env-key",
      "pods.*.tasks.*.ports.*.port",
      "pods.*.tasks.*.ports.*.ranges",
      "pods.*.tasks.*.ports.*.ranges.begin",
      "pods.*.tasks.*.ports.*.ranges.end",
      "pods.*.tasks.*.ports.*.vip",
      "pods.*.tasks.*.ports.*.vip.port",
      "pods.*.tasks.*.ports.*.vip.prefix",
      "pods.*.tasks.*.readiness-check",
      "pods.*.tasks.*.readiness-check.cmd",
      "pods.*.tasks.*.readiness-check.delay",
      "pods.*.tasks.*.readiness-check.interval",
      "pods.*.tasks.*.readiness-check.timeout",
      "pods.*.tasks.*.resource-set",
      "pods.*.tasks.*.volume",
      "pods.*.tasks.*.volume.path",
      "pods.*.tasks.*.volume.size",
      "pods.*.tasks.*.volume.type",
      "pods.*.uris",
      "pods.*.user",
      "pods.*.volumes",
      "pods.*.volumes.*",
      "pods.*.volumes.*.path",
      "pods.*.volumes.*.size",
      "pods.*.volumes.*.type",
      "replacement-failure-policy",
      "replacement-failure-policy.min-replace-delay-secs",
      "replacement-failure-policy.permanent-failure-timeout-secs",
      "scheduler",
      "scheduler.principal",
      "scheduler.user",
      "scheduler.zookeeper",
      "web-url"};
  for (const std::string& field : every_field) {
    EXPECT_TRUE(used.count(field)) << "no example uses " << field;
  }
}

}  // namespace
}  // namespace steward::spec
