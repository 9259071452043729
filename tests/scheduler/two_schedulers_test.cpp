// Two real schedulers of one framework: the second runs on a copy of the first one's state
// directory (the lock file keeps two off one directory, not off a copy). The master hands the
// framework to the newer subscription and tells the older one why; that one stops, with an
// error saying so, instead of subscribing again and taking the framework back, which made the
// two take turns every backoff for good. The tasks stay where they run.

#include <gtest/gtest.h>

#include "scheduler_process.hpp"

namespace steward::scheduler::testing {
namespace {

using cluster::testing::TempDir;

TEST(TwoSchedulers, TheOneAnotherTookOverStopsAndTheOtherKeepsTheService) {
  ClusterProcess cluster(kTwoAgents);
  TempDir dir;
  const std::string spec =
      write_spec(dir.path(), "svc.yml", one_task_spec("svc", 1, "RUNNING", "sleep 1000"));
  const fs::path data = dir.path() / "first";
  const fs::path copied = dir.path() / "second";
  std::string task_id;
  {
    SchedulerProcess s(spec, cluster, data.string(), "svc", kFast);
    ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
    task_id = s.task("svc-0", "svc-0-server")["id"];
    ASSERT_EQ(s.stop(SIGTERM), 0) << s.log();
  }
  fs::copy(data, copied, fs::copy_options::recursive);
  // Each run's log on its own: "reconciled" below is this run's.
  fs::remove(data / "svc.log");
  fs::remove(copied / "svc.log");

  SchedulerProcess first(spec, cluster, data.string(), "svc", kFast);
  ASSERT_TRUE(eventually([&] { return first.log().find("reconciled") != std::string::npos; }))
      << first.log();
  SchedulerProcess second(spec, cluster, copied.string(), "svc", kFast);
  EXPECT_EQ(first.wait_exit(30), 1) << first.log();
  const std::string said = first.log();
  EXPECT_EQ(occurrences(said, "another scheduler subscribed as framework "), 1u) << said;
  EXPECT_NE(said.find("error: another scheduler took over framework "), std::string::npos) << said;

  ASSERT_TRUE(second.plan_complete("deploy")) << second.log();
  EXPECT_EQ(second.task("svc-0", "svc-0-server")["id"], task_id) << "the task was not relaunched";
  // The one left is not disturbed: it subscribed once and stays subscribed.
  ASSERT_TRUE(eventually([&] {
    const json status = cluster_status(cluster);
    for (const json& f : status["frameworks"])
      if (f["name"] == "svc") return f["connected"].get<bool>();
    return false;
  }));
  EXPECT_EQ(occurrences(second.log(), "subscribed as framework "), 1u) << second.log();
  EXPECT_EQ(occurrences(second.log(), "disconnected from the master"), 0u) << second.log();
  EXPECT_EQ(cluster_status(cluster)["tasks"].size(), 1u);
}

}  // namespace
}  // namespace steward::scheduler::testing
