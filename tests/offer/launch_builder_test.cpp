// spec -> footprint -> evaluation -> LAUNCH_GROUP, run on the real cluster: the hello pod of
// hello-world starts, writes into its persistent volume, and is healthy.

#include "offer/launch_builder.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "../cluster/cluster_process.hpp"
#include "../cluster/master_harness.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_info_json.hpp"
#include "spec/spec_loader.hpp"

namespace steward::offer {
namespace {

using cluster::testing::ClusterProcess;
using cluster::testing::eventually;
using cluster::testing::Framework;
using nlohmann::json;
namespace fs = std::filesystem;

spec::ServiceSpec hello_world() {
  auto result = spec::load_spec_file(
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml", spec::LoadOptions{});
  EXPECT_TRUE(result.spec);
  return *result.spec;
}

LaunchContext context_for(const std::string& framework_id) {
  auto n = std::make_shared<int>(0);
  LaunchContext c;
  c.service_name = "hello-world";
  c.framework_id = framework_id;
  c.agent_id = "S0";
  c.hostname = "localhost";
  c.zone = "a";
  c.region = "local";
  c.config_id = "config-1";
  c.new_id = [n] { return "id" + std::to_string((*n)++); };
  return c;
}

// Each config template becomes a URI at the scheduler's artifact endpoint and the
// CONFIG_TEMPLATE_<NAME> the executor renders it by, as dcos-commons' bootstrap is given.
TEST(LaunchBuilder, ConfigTemplatesAreFetchedFromTheSchedulerAndNamedForTheExecutor) {
  auto loaded = spec::load_spec_file(
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/config-templates.yml",
      spec::LoadOptions{});
  ASSERT_TRUE(loaded.spec);
  const spec::PodSpec& hello = *loaded.spec->find_pod("hello");
  ASSERT_EQ(hello.tasks[0].configs.size(), 1u);
  LaunchContext ctx = context_for("F");
  ctx.artifact_url = "http://127.0.0.1:8080";
  const mesos::TaskInfo t = build_task(hello, 0, hello.tasks[0], {}, ctx, true);
  ASSERT_EQ(t.command->uris.size(), 1u);
  EXPECT_EQ(t.command->uris[0].value,
            "http://127.0.0.1:8080/v1/artifacts/template/config-1/hello/server/server-conf");
  EXPECT_FALSE(t.command->uris[0].extract);
  std::map<std::string, std::string> env(t.command->environment.begin(),
                                         t.command->environment.end());
  EXPECT_EQ(env["CONFIG_TEMPLATE_SERVER_CONF"], "config-templates/server-conf,conf/server.conf");
  // Relaunched as stored, by a scheduler whose API answers elsewhere now, under the
  // configuration the task is labelled with now; a pod's own URI that looks like one is left
  // as it is.
  mesos::CommandInfo stored = *t.command;
  stored.uris.push_back({"http://other:1/v1/artifacts/template/c/p/t/theirs", false, false});
  rebase_template_uris(stored, "http://127.0.0.1:9090", "config-2");
  EXPECT_EQ(stored.uris[0].value,
            "http://127.0.0.1:9090/v1/artifacts/template/config-2/hello/server/server-conf");
  EXPECT_EQ(stored.uris[1].value, "http://other:1/v1/artifacts/template/c/p/t/theirs");
  // A name that is not a URL's segment as it is.
  EXPECT_EQ(template_url("http://h:1", "c", "p", "t", "a b/.."),
            "http://h:1/v1/artifacts/template/c/p/t/a%20b%2F..");
}

TEST(LaunchBuilder, TaskInfoCarriesTheEnvironmentLabelsAndChecks) {
  spec::ServiceSpec s = hello_world();
  const spec::PodSpec& hello = *s.find_pod("hello");
  FootprintFit fit;
  LaunchContext ctx = context_for("F");
  ctx.parameters = {{"PLAN_PARAMETER", "hi"}};
  mesos::TaskInfo t = build_task(hello, 1, hello.tasks[0], fit, ctx, true);
  EXPECT_EQ(t.name, "hello-1-server");
  EXPECT_EQ(t.task_id, "hello-world__hello-1-server__id0");
  std::map<std::string, std::string> env(t.command->environment.begin(),
                                         t.command->environment.end());
  EXPECT_EQ(env["TASK_NAME"], "hello-1-server");
  EXPECT_EQ(env["hello-1-server"], "true");
  EXPECT_EQ(env["POD_INSTANCE_INDEX"], "1");
  EXPECT_EQ(env["FRAMEWORK_NAME"], "hello-world");
  EXPECT_EQ(env["ZONE"], "a");
  EXPECT_EQ(env["PLAN_PARAMETER"], "hi");
  ASSERT_TRUE(t.health_check);
  EXPECT_EQ(t.health_check->command, "test -s hello-data/output");
  EXPECT_EQ(t.health_check->consecutive_failures, 3u);
  std::map<std::string, std::string> labels;
  for (const auto& l : t.labels)
    labels[l.key] = l.value.value_or("");
  EXPECT_EQ(labels["target_configuration"], "config-1");
  EXPECT_EQ(labels["task_type"], "server");
  EXPECT_EQ(labels["index"], "1");
  EXPECT_EQ(labels["goal_state"], "RUNNING");
  // A footprint-only entry has no task id.
  EXPECT_TRUE(build_task(hello, 1, hello.tasks[0], fit, ctx, false).task_id.empty());
}

TEST(LaunchBuilder, HelloPodRunsOnTheRealClusterAndWritesIntoItsVolume) {
  ClusterProcess cluster(R"(
heartbeat_interval_seconds: 1
agents:
  - name: real
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)");
  Framework fw(cluster.port());
  json info = cluster::testing::framework_info("hello-world", "hello-world-role");
  info["principal"] = "hello-world-principal";
  ASSERT_EQ(fw.subscribe(info).status, 200);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  std::string error;
  auto offer = mesos::offer_from_json(offers[0], error);
  ASSERT_TRUE(offer) << error;

  spec::ServiceSpec s = hello_world();
  const spec::PodSpec& hello = *s.find_pod("hello");
  LaunchContext ctx = context_for(fw.id());
  ctx.agent_id = offer->agent_id;
  Evaluation e = evaluate_new_footprint(pod_footprint(hello, "hello-world-role"), *offer,
                                        {"hello-world-principal", ctx.new_id});
  ASSERT_TRUE(e.fit) << render(e.outcome);
  mesos::ExecutorInfo executor = build_executor(hello, 0, *e.fit, ctx);
  mesos::TaskInfo task = build_task(hello, 0, hello.tasks[0], *e.fit, ctx, true);

  mesos::AcceptCall accept;
  accept.framework_id = fw.id();
  accept.offer_ids = {offer->id};
  mesos::Operation reserve{mesos::Operation::Type::reserve, e.fit->reserve, std::nullopt, {}, ""};
  mesos::Operation create{mesos::Operation::Type::create, e.fit->create, std::nullopt, {}, ""};
  mesos::Operation launch{mesos::Operation::Type::launch_group, {}, executor, {task}, ""};
  accept.operations = {reserve, create, launch};
  auto r = fw.client().call(mesos::to_json(accept).dump());
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_FALSE(fw.wait_update(task.task_id, "TASK_RUNNING").is_null()) << fw.dump();
  json healthy = fw.wait_for([&](const json& ev) {
    return ev.value("type", "") == "UPDATE" &&
           ev["update"]["status"]["task_id"]["value"] == task.task_id &&
           ev["update"]["status"].value("healthy", false);
  });
  EXPECT_FALSE(healthy.is_null()) << fw.dump();
  // The output landed in the persistent volume, outside the sandbox.
  fs::path volumes =
      fs::path(cluster.data_dir()) / "agents" / "real" / "volumes" / "roles" / "hello-world-role";
  bool found = false;
  ASSERT_TRUE(eventually([&] {
    if (!fs::exists(volumes)) return false;
    for (const auto& v : fs::directory_iterator(volumes)) {
      std::ifstream in(v.path() / "output");
      std::string text(std::istreambuf_iterator<char>(in), {});
      if (text == "hello from hello-0-server\n") found = true;
    }
    return found;
  }));
  fw.call({{"type", "TEARDOWN"}});
}

}  // namespace
}  // namespace steward::offer
