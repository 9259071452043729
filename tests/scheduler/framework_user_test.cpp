// The framework's user: `scheduler.user` in the spec is the user the framework registers as,
// and so the user its pods' tasks run as unless a pod names its own. (Before, the spec's user
// was validated and shown, and tasks ran as whoever started `steward run`.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "scheduler_process.hpp"

namespace steward::scheduler::testing {
namespace {

TEST(FrameworkUser, PodsRunAsTheSpecsSchedulerUserUnlessTheyNameTheirOwn) {
  if (geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  ClusterProcess cluster(kTwoAgents);
  const fs::path out = cluster.dir() / "out";
  fs::create_directories(out);
  fs::permissions(out, fs::perms::all);
  const auto pod = [&](const std::string& name, const std::string& user) {
    const std::string file = (out / name).string();
    return "  " + name + ":\n    count: 1\n" + user +
           "    tasks:\n      server:\n        goal: RUNNING\n        cmd: id -un > " + file +
           ".tmp && mv " + file + ".tmp " + file +
           " && sleep 1000\n        cpus: 0.1\n        memory: 32\n";
  };
  const std::string spec = write_spec(cluster.dir() / "specs", "svc.yml",
                                      "name: who\nscheduler:\n  user: nobody\npods:\n" +
                                          pod("framework", "") + pod("own", "    user: daemon\n"));
  SchedulerProcess s(spec, cluster, (cluster.dir() / "services").string(), "who", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "framework") && fs::exists(out / "own"); }))
      << s.log();
  EXPECT_EQ(read_text(out / "framework"), "nobody\n");
  EXPECT_EQ(read_text(out / "own"), "daemon\n");
}

}  // namespace
}  // namespace steward::scheduler::testing
