// `steward plan|pod|debug` against a running hello-world: the real cluster, the real
// scheduler and the real CLI binary. Durations are masked in golden output.

#include <gtest/gtest.h>

#include <regex>

#include "../scheduler/scheduler_process.hpp"

namespace steward::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using scheduler::testing::ClusterProcess;
using scheduler::testing::eventually;
using scheduler::testing::kTwoAgents;
using scheduler::testing::run_steward;
using scheduler::testing::SchedulerProcess;

const std::string kHelloWorld = std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml";

std::string mask(std::string text) {
  return std::regex_replace(text, std::regex(R"(\d+\.\ds\))"), "T)");
}

class ServiceCommandsTest : public ::testing::Test {
 protected:
  ServiceCommandsTest()
      : cluster_(kTwoAgents),
        data_dir_((cluster_.dir() / "services").string()),
        service_(kHelloWorld, cluster_, data_dir_, "hello-world") {}

  // `steward ARGS... --data-dir <ours>`; exit code, output in `out`.
  int steward(std::vector<std::string> args, std::string& out) {
    // Before a `--` that ends the options (pod exec), or at the end.
    auto at = std::find(args.begin(), args.end(), "--");
    at = args.insert(at, data_dir_);
    args.insert(at, "--data-dir");
    return run_steward(args, out);
  }

  ClusterProcess cluster_;
  std::string data_dir_;
  SchedulerProcess service_;
};

TEST_F(ServiceCommandsTest, PlanListAndShowDrawTheTree) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  std::string out;
  ASSERT_EQ(steward({"plan", "list"}, out), 0) << out;
  EXPECT_EQ(out, "deploy\nrecovery\nsidecar\n");
  ASSERT_EQ(steward({"plan", "show"}, out), 0) << out;
  EXPECT_EQ(mask(out),
            "deploy (serial strategy) (COMPLETE)\n"
            "├─ hello (parallel strategy) (COMPLETE)\n"
            "│  ├─ hello-0:[server] (COMPLETE, T)\n"
            "│  └─ hello-1:[server] (COMPLETE, T)\n"
            "└─ world (serial strategy) (COMPLETE)\n"
            "   ├─ world-0:[prepare] (COMPLETE, T)\n"
            "   ├─ world-0:[server] (COMPLETE, T)\n"
            "   ├─ world-1:[prepare] (COMPLETE, T)\n"
            "   └─ world-1:[server] (COMPLETE, T)\n");
  ASSERT_EQ(steward({"plan", "show", "sidecar", "--json"}, out), 0) << out;
  json j = json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["status"], "WAITING");  // custom plans wait for `plan start`
  // --watch returns once the plan has settled, with a progress line.
  ASSERT_EQ(steward({"plan", "show", "deploy", "--watch"}, out), 0) << out;
  EXPECT_NE(out.find("6/6 steps complete"), std::string::npos) << out;
  // Unknown plan: the scheduler's 404 message, exit 1.
  EXPECT_EQ(steward({"plan", "show", "nope"}, out), 1);
  EXPECT_EQ(out, "error: 404: no plan \"nope\"\n");
}

// The talk's sidecar demo: a custom plan with a parameter runs inside the running world
// pods; the servers keep their task ids.
TEST_F(ServiceCommandsTest, SidecarPlanRunsInTheLivePodsWithItsParameter) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  const json server0 = service_.task("world-0", "world-0-server");
  const json server1 = service_.task("world-1", "world-1-server");
  std::string out;
  EXPECT_EQ(steward({"plan", "start", "sidecar", "-p", "bad"}, out), 2);
  ASSERT_EQ(steward({"plan", "start", "sidecar", "-p", "PLAN_PARAMETER=hi"}, out), 0) << out;
  ASSERT_TRUE(service_.plan_complete("sidecar")) << service_.log();
  const json sidecar = service_.task("world-0", "world-0-sidecar");
  EXPECT_EQ(sidecar["status"], "FINISHED");
  std::string stdout_text;
  for (const auto& e : fs::recursive_directory_iterator(cluster_.data_dir()))
    if (e.is_directory() && !e.is_symlink() &&
        e.path().filename() == sidecar["id"].get<std::string>()) {
      std::ifstream in(e.path() / "stdout");
      stdout_text.assign(std::istreambuf_iterator<char>(in), {});
    }
  EXPECT_EQ(stdout_text, "sidecar in world-0-sidecar, parameter hi\n");
  // The pod's volume holds what prepare, the server and the sidecar wrote.
  ASSERT_EQ(steward({"pod", "exec", "world-0", "server", "--",
                     "cat world-data/prepared "
                     "world-data/output"},
                    out),
            0)
      << out;
  EXPECT_EQ(out,
            "prepared by world-0-prepare\n"
            "world\n"
            "sidecar in world-0-sidecar, parameter hi\n")
      << service_.log();
  EXPECT_EQ(service_.task("world-0", "world-0-server")["id"], server0["id"]);
  EXPECT_EQ(service_.task("world-1", "world-1-server")["id"], server1["id"]);
  // pause and resume (interrupt and continue) of a whole plan or one phase.
  ASSERT_EQ(steward({"plan", "pause", "sidecar", "sidecar"}, out), 0) << out;
  ASSERT_EQ(steward({"plan", "show", "sidecar", "--json"}, out), 0);
  EXPECT_EQ(json::parse(out)["phases"][0]["status"], "COMPLETE") << out;
  EXPECT_EQ(steward({"plan", "resume", "sidecar", "nope"}, out), 1);
  EXPECT_EQ(out, "error: 404: plan sidecar has no phase \"nope\"\n");
  // Starting it again while complete restarts it; stop resets it.
  ASSERT_EQ(steward({"plan", "stop", "sidecar"}, out), 0) << out;
  ASSERT_EQ(steward({"plan", "show", "sidecar", "--json"}, out), 0);
  EXPECT_EQ(json::parse(out)["status"], "WAITING") << out;
}

TEST_F(ServiceCommandsTest, PodCommandsAndDebugOffers) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  std::string out;
  ASSERT_EQ(steward({"pod", "list"}, out), 0) << out;
  EXPECT_EQ(out, "hello-0\nhello-1\nworld-0\nworld-1\n");
  ASSERT_EQ(steward({"pod", "status", "hello-0"}, out), 0) << out;
  EXPECT_EQ(out.rfind("hello-0\n  hello-0-server  RUNNING  hello-world__hello-0-server__", 0), 0u)
      << out;
  ASSERT_EQ(steward({"pod", "status", "--json"}, out), 0) << out;
  json all = json::parse(out, nullptr, false);
  ASSERT_TRUE(all.is_object()) << out;
  EXPECT_EQ(all["service"], "hello-world");
  EXPECT_EQ(all["pods"].size(), 2u);  // hello and world, each with its instances
  ASSERT_EQ(steward({"pod", "info", "world-0"}, out), 0) << out;
  json info = json::parse(out, nullptr, false);
  ASSERT_TRUE(info.is_array()) << out;
  EXPECT_EQ(info.size(), 3u);  // prepare, server, sidecar (footprint only)
  EXPECT_EQ(steward({"pod", "restart", "hello-9"}, out), 1);
  EXPECT_EQ(out, "error: 404: no pod \"hello-9\"\n");
  const json before = service_.task("hello-1", "hello-1-server");
  ASSERT_EQ(steward({"pod", "restart", "hello-1"}, out), 0) << out;
  EXPECT_EQ(out, "pod hello-1: restarting hello-1-server\n");
  EXPECT_EQ(service_.relaunched("hello-1", "hello-1-server", before["id"])["status"], "RUNNING");
  ASSERT_EQ(steward({"debug", "offers", "--plan", "deploy"}, out), 0) << out;
  EXPECT_NE(out.find("deploy/hello/hello-0:[server]: PASS launched on agent"), std::string::npos)
      << out;
}

TEST_F(ServiceCommandsTest, ConfigStateHealthAndEndpoints) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  std::string out, id;
  ASSERT_EQ(steward({"config", "target-id"}, id), 0) << id;
  ASSERT_EQ(id.size(), 37u) << id;  // a uuid and a newline
  ASSERT_EQ(steward({"config", "list"}, out), 0) << out;
  EXPECT_EQ(out, id.substr(0, 36) + " (target)\n");
  ASSERT_EQ(steward({"config", "show", id.substr(0, 36)}, out), 0) << out;
  EXPECT_EQ(json::parse(out)["name"], "hello-world");
  ASSERT_EQ(steward({"config", "target"}, out), 0) << out;
  EXPECT_EQ(json::parse(out)["name"], "hello-world");
  EXPECT_EQ(steward({"config", "show", "nope"}, out), 1);
  EXPECT_EQ(out, "error: 404: no configuration \"nope\"\n");
  ASSERT_EQ(steward({"state", "framework-id"}, out), 0) << out;
  EXPECT_EQ(out, service_.get("/v1/state/frameworkId").body.get<std::string>() + "\n");
  ASSERT_TRUE(eventually([&] {
    return steward({"state", "property", "deploy-completed"}, out) == 0;
  }));
  ASSERT_EQ(steward({"state", "properties"}, out), 0) << out;
  EXPECT_NE(out.find("deploy-completed\n"), std::string::npos) << out;
  ASSERT_EQ(steward({"health"}, out), 0) << out;
  EXPECT_EQ(out, "RUNNING (200)\n");
  ASSERT_EQ(steward({"endpoints"}, out), 0) << out;
  EXPECT_EQ(out, "");  // hello-world advertises no port
  EXPECT_EQ(steward({"endpoints", "http"}, out), 1);
}

// The talk's future work: pause a pod (its task sleeps instead), get in with exec, resume.
TEST_F(ServiceCommandsTest, PauseExecResume) {
  ASSERT_TRUE(service_.plan_complete("deploy")) << service_.log();
  const json before = service_.task("hello-0", "hello-0-server");
  std::string out;
  ASSERT_EQ(steward({"pod", "pause", "hello-0"}, out), 0) << out;
  EXPECT_EQ(out, "pod hello-0: pausing hello-0-server\n");
  ASSERT_TRUE(eventually([&] {
    return service_.task("hello-0", "hello-0-server")["status"] == "PAUSED";
  })) << service_.pod("hello-0")
      << service_.log();
  const json paused = service_.task("hello-0", "hello-0-server");
  EXPECT_NE(paused["id"], before["id"]);
  // Inside the paused task: its sandbox, its volume, its environment.
  ASSERT_EQ(steward({"pod", "exec", "hello-0", "server", "--", "cat", "hello-data/output"}, out), 0)
      << out;
  EXPECT_EQ(out, "hello from hello-0-server\n");  // the server's echo did not run again
  ASSERT_EQ(steward({"pod", "exec", "hello-0", "hello-0-server", "--", "echo $TASK_NAME"}, out), 0);
  EXPECT_EQ(out, "hello-0-server\n");
  EXPECT_EQ(steward({"pod", "exec", "hello-0", "server", "--", "exit 3"}, out), 3);
  EXPECT_EQ(steward({"pod", "exec", "hello-0", "nope", "--", "true"}, out), 1);
  EXPECT_EQ(out, "error: pod hello-0 has no launched task nope\n");
  // Pausing again changes nothing; resuming relaunches the real command.
  ASSERT_EQ(steward({"pod", "pause", "hello-0", "-t", "server"}, out), 0) << out;
  EXPECT_EQ(service_.task("hello-0", "hello-0-server")["id"], paused["id"]);
  ASSERT_EQ(steward({"pod", "resume", "hello-0"}, out), 0) << out;
  EXPECT_EQ(out, "pod hello-0: resuming hello-0-server\n");
  const json resumed = service_.relaunched("hello-0", "hello-0-server", paused["id"]);
  EXPECT_EQ(resumed["status"], "RUNNING") << service_.log();
  ASSERT_TRUE(eventually([&] {
    steward({"pod", "exec", "hello-0", "server", "--", "cat", "hello-data/output"}, out);
    return out == "hello from hello-0-server\nhello from hello-0-server\n";
  })) << out;
}

TEST_F(ServiceCommandsTest, TheServiceIsFoundByNameOrAsTheOnlyOne) {
  std::string out;
  ASSERT_EQ(steward({"plan", "list", "--service", "hello-world"}, out), 0) << out;
  EXPECT_EQ(steward({"plan", "list", "--service", "nope"}, out), 1);
  EXPECT_NE(out.find("no scheduler of nope is running"), std::string::npos) << out;
  // A second service: now the CLI must be told which.
  const fs::path spec = cluster_.dir() / "other.yml";
  std::ofstream(spec) << "name: other\npods:\n  p:\n    count: 1\n    tasks:\n      t:\n"
                         "        goal: RUNNING\n        cmd: sleep 1000\n        cpus: 0.1\n"
                         "        memory: 32\n";
  SchedulerProcess other(spec.string(), cluster_, data_dir_, "other");
  EXPECT_EQ(steward({"plan", "list"}, out), 1);
  EXPECT_NE(out.find("several services are running"), std::string::npos) << out;
  ASSERT_EQ(steward({"pod", "list", "--service", "other"}, out), 0) << out;
  EXPECT_TRUE(eventually([&] {
    steward({"pod", "list", "--service", "other"}, out);
    return out == "p-0\n";
  })) << out;
  // STEWARD_API wins over everything.
  setenv("STEWARD_API", ("http://127.0.0.1:" + std::to_string(other.port())).c_str(), 1);
  EXPECT_EQ(steward({"plan", "list", "--service", "hello-world"}, out), 0);
  unsetenv("STEWARD_API");
  EXPECT_EQ(out, "deploy\nrecovery\n");
}

}  // namespace
}  // namespace steward::cli
