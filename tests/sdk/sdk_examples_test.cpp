// The SDK examples, built against the installed library by the sdk_examples fixture
// (build_examples.sh), run as service schedulers of their own on the embedded cluster.

#include <gtest/gtest.h>

#include "../scheduler/scheduler_process.hpp"

namespace steward::scheduler::testing {
namespace {

const std::string kExamples = STEWARD_SDK_EXAMPLES;

class SdkExampleTest : public ::testing::Test {
 protected:
  SdkExampleTest() : cluster_(kTwoAgents) {}
  std::string data_dir() const { return (cluster_.dir() / "services").string(); }
  // `steward ARGS...` with this test's data directory (before a `--`, if any).
  std::string steward(std::vector<std::string> args, int& code) const {
    auto at = std::find(args.begin(), args.end(), "--");
    at = args.insert(at, data_dir());
    args.insert(at, "--data-dir");
    std::string out;
    code = run_steward(args, out);
    return out;
  }
  ClusterProcess cluster_;
};

TEST_F(SdkExampleTest, WebGreeterServesItsEndpointsRunsItsCodeStepAndTransformsItsSpec) {
  SchedulerProcess s(SchedulerProcess::Program{kExamples + "/web-greeter/web-greeter"}, "",
                     cluster_, data_dir(), "web-greeter", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();

  // The plan customizer's code step ran once every server was ready, and recorded them.
  const json plan = s.get("/v1/plans/deploy").body;
  ASSERT_EQ(plan["phases"].size(), 2u) << plan.dump(2);
  EXPECT_EQ(plan["phases"][1]["name"], "announce");
  EXPECT_EQ(plan["phases"][1]["steps"][0]["name"], "record-servers");
  EXPECT_EQ(plan["phases"][1]["steps"][0]["status"], "COMPLETE");

  // The custom endpoint: the transform's greeting, the servers, what the code step stored.
  const HttpAnswer greeting = s.get("/v1/greeting");
  ASSERT_EQ(greeting.status, 200) << greeting.text;
  EXPECT_EQ(greeting.body["greeting"], "hello from web-greeter, one of 2");
  const std::string servers = greeting.body["servers"];
  EXPECT_EQ(std::count(servers.begin(), servers.end(), '\n'), 2) << servers;
  EXPECT_EQ(greeting.body["announced"], servers);
  EXPECT_EQ(s.get("/v1/greeting/anything/below").status, 200);  // the whole subtree is its
  EXPECT_EQ(s.get("/v1/state/properties/user:announced").text, servers);

  // The endpoint producer: listed with the advertised ports, served as text.
  const json names = s.get("/v1/endpoints").body;
  EXPECT_NE(std::find(names.begin(), names.end(), "servers.txt"), names.end()) << names;
  EXPECT_NE(std::find(names.begin(), names.end(), "http"), names.end()) << names;
  EXPECT_EQ(s.get("/v1/endpoints/servers.txt").text, servers);

  // The tasks got the transformed spec.
  int code = 0;
  std::string out = steward(
      {"pod", "exec", "web-0", "server", "--service", "web-greeter", "--", "cat greeting"}, code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "hello from web-greeter, one of 2\n");

  // A restart does not run the code step again for the same target.
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_EQ(occurrences(s.log(), "running code step deploy/announce/record-servers"), 1u)
      << s.log();

  // An update goes through the transform too: three servers, each greeting as one of three.
  out = steward(
      {"update", "web-greeter", "--spec",
       std::string(STEWARD_SOURCE_DIR) + "/examples/sdk/web-greeter/svc.yml", "-e", "WEB_COUNT=3"},
      code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("pods.web.tasks.server.env.GREETING: \"hello from web-greeter, one of 2\" "
                     "-> \"hello from web-greeter, one of 3\""),
            std::string::npos)
      << out;
  ASSERT_TRUE(eventually(
      [&] {
        const HttpAnswer g = s.get("/v1/greeting");
        return s.get("/v1/plans/deploy").status == 200 &&
               g.body["greeting"] == "hello from web-greeter, one of 3" &&
               s.task("web-2", "web-2-server")["status"] == "RUNNING";
      },
      60))
      << s.log();
}

TEST_F(SdkExampleTest, HdfsLikeRefusesAnotherNameNodeCountAndBootstrapsAReplacementFromItsPeer) {
  SchedulerProcess s(SchedulerProcess::Program{kExamples + "/hdfs-like/hdfs-like"}, "", cluster_,
                     data_dir(), "hdfs-like", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();

  int code = 0;
  std::string out = steward(
      {"update", "hdfs-like", "--spec",
       std::string(STEWARD_SOURCE_DIR) + "/examples/sdk/hdfs-like/svc.yml", "-e", "NAME_COUNT=3"},
      code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("pods.name.count: an hdfs-like service runs exactly two name nodes (2 -> 3)"),
            std::string::npos)
      << out;

  const json before = s.task("name-0", "name-0-node");
  ASSERT_EQ(s.post("/v1/pod/name-0/replace").status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        const json r = s.get("/v1/plans/recovery").body;
        for (const json& phase : r.value("phases", json::array()))
          if (phase["name"] == "permanent-name-failure-recovery" && phase["status"] == "COMPLETE")
            return true;
        return false;
      },
      40))
      << s.log();
  EXPECT_NE(s.task("name-0", "name-0-node")["id"], before["id"]);
  out = steward(
      {"pod", "exec", "name-0", "node", "--service", "hdfs-like", "--", "cat data/bootstrap"},
      code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "bootstrapped from name-1\n");
}

// build_examples.sh linked it with the flags `pkg-config --cflags --libs steward` gave.
TEST(SdkBuild, TheExampleBuiltThroughPkgConfigRuns) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen("/dev/null", "w", stdout);
    (void)f;
    exec_steward({"--help"}, kExamples + "/web-greeter-pkg-config");
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace steward::scheduler::testing
