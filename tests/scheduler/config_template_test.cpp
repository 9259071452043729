// Config templates end to end: `steward run` on the real cluster. Each task's executor fetches
// its templates from the scheduler's API and renders them with the task's environment into
// its sandbox before the task starts; a new template is a new configuration, rolled out.

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "scheduler_process.hpp"

namespace steward::scheduler::testing {
namespace {

// Two pods whose server copies its rendered config to `out`/app-<index>.conf (whole, by a
// rename) and then runs.
std::string spec_text(const fs::path& out, int count = 2) {
  const std::string copy = "cp conf/app.conf " + out.string() + "/.app-$POD_INSTANCE_INDEX && mv " +
                           out.string() + "/.app-$POD_INSTANCE_INDEX " + out.string() +
                           "/app-$POD_INSTANCE_INDEX.conf && sleep 1000";
  return "name: tpl\n"
         "pods:\n"
         "  app:\n"
         "    count: " +
         std::to_string(count) +
         "\n"
         "    tasks:\n"
         "      server:\n"
         "        goal: RUNNING\n"
         "        cmd: " +
         copy +
         "\n"
         "        cpus: 0.1\n"
         "        memory: 32\n"
         "        env:\n"
         "          GREETING: hi & bye\n"
         "        configs:\n"
         "          app-conf:\n"
         "            template: app.conf.mustache\n"
         "            dest: conf/app.conf\n";
}

TEST(ConfigTemplate, EachTaskStartsWithItsTemplatesRenderedAndANewTemplateRollsOut) {
  ClusterProcess cluster(kTwoAgents);
  const fs::path specs = cluster.dir() / "specs";
  const fs::path out = cluster.dir() / "out";
  fs::create_directories(out);
  const std::string tmpl = "greeting = {{{GREETING}}}\ntask = {{TASK_NAME}}\nversion 1\n";
  const std::string spec = write_spec(specs, "svc.yml", spec_text(out));
  std::ofstream(specs / "app.conf.mustache") << tmpl;
  const std::string data = (cluster.dir() / "services").string();
  SchedulerProcess s(spec, cluster, data, "tpl", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  for (int i : {0, 1}) {
    const fs::path rendered = out / ("app-" + std::to_string(i) + ".conf");
    ASSERT_TRUE(eventually([&] { return fs::exists(rendered); })) << s.log();
    EXPECT_EQ(read_text(rendered),
              "greeting = hi & bye\ntask = app-" + std::to_string(i) + "-server\nversion 1\n");
  }

  // The scheduler serves the template as the configuration stores it, and nothing else.
  const std::string target = s.get("/v1/configurations/targetId").body.get<std::string>();
  const HttpAnswer served = s.get("/v1/artifacts/template/" + target + "/app/server/app-conf");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.text, tmpl);
  for (const std::string& wrong :
       {target + "/app/server/nope", target + "/app/nope/app-conf",
        target + "/nope/server/app-conf", std::string("nope/app/server/app-conf")}) {
    const HttpAnswer missing = s.get("/v1/artifacts/template/" + wrong);
    EXPECT_EQ(missing.status, 404) << wrong;
    EXPECT_NE(missing.text.find("no config template"), std::string::npos) << missing.text;
  }

  // A changed template is a changed pod: each restarts with its new rendering.
  for (int i : {0, 1})
    fs::remove(out / ("app-" + std::to_string(i) + ".conf"));
  std::ofstream(specs / "app.conf.mustache")
      << "greeting = {{{GREETING}}}\ntask = {{TASK_NAME}}\nversion 2\n";
  std::string said;
  ASSERT_EQ(run_steward({"update", "tpl", "--spec", spec, "--data-dir", data}, said), 0) << said;
  for (int i : {0, 1}) {
    const fs::path rendered = out / ("app-" + std::to_string(i) + ".conf");
    ASSERT_TRUE(eventually([&] { return fs::exists(rendered); }, 60)) << s.log();
    EXPECT_EQ(read_text(rendered),
              "greeting = hi & bye\ntask = app-" + std::to_string(i) + "-server\nversion 2\n");
  }
  EXPECT_NE(s.get("/v1/configurations/targetId").body.get<std::string>(), target);

  // Restarted, the scheduler answers on another port; and an update that leaves app-0 as it
  // was relabels it and drops the configuration it was launched from. Relaunched in place
  // from its stored TaskInfo, it fetches its template from there, under its new label.
  const int port = s.port();
  EXPECT_EQ(s.stop(SIGTERM), 0);
  s.start();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_NE(s.port(), port) << "a port picked again (rare): the relaunch below proves less";
  const std::string launched_from = s.get("/v1/configurations/targetId").body.get<std::string>();
  const std::string three = write_spec(specs, "svc3.yml", spec_text(out, 3));
  ASSERT_EQ(run_steward({"update", "tpl", "--spec", three, "--data-dir", data}, said), 0) << said;
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "app-2.conf"); }, 60)) << s.log();
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  EXPECT_EQ(s.get("/v1/configurations/" + launched_from).status, 404) << "no longer kept";
  fs::remove(out / "app-0.conf");
  const json before = s.task("app-0", "app-0-server");
  const pid_t group = task_process_group(before["id"].get<std::string>());
  ASSERT_GT(group, 0);
  ASSERT_EQ(::kill(-group, SIGKILL), 0);
  const json after = s.relaunched("app-0", "app-0-server", before["id"]);
  EXPECT_EQ(after["status"], "RUNNING") << after.dump() << s.log();
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "app-0.conf"); })) << s.log();
  EXPECT_EQ(read_text(out / "app-0.conf"), "greeting = hi & bye\ntask = app-0-server\nversion 2\n");
}

// A pod of another user whose template goes inside an archive its `uris` bring: what was
// fetched and extracted is the task's, as Mesos makes it, so the rendering (written as the
// task's user) can go there.
TEST(ConfigTemplate, ATaskOfAnotherUserGetsItsTemplateInsideAnArchiveItFetched) {
  if (geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  ClusterProcess cluster(kTwoAgents);
  const fs::path specs = cluster.dir() / "specs";
  const fs::path out = cluster.dir() / "out";
  fs::create_directories(out);
  fs::permissions(out, fs::perms::all);
  fs::create_directories(cluster.dir() / "pkg/app/conf");
  std::ofstream(cluster.dir() / "pkg/app/conf/default.conf") << "default\n";
  const std::string archive = (cluster.dir() / "app.tar").string();
  ASSERT_EQ(
      std::system(
          ("tar -cf " + archive + " -C " + (cluster.dir() / "pkg").string() + " app").c_str()),
      0);
  const std::string spec = write_spec(
      specs, "svc.yml",
      "name: pkg\npods:\n  app:\n    count: 1\n    user: nobody\n    uris: [" + archive +
          "]\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: cat "
          "app/conf/default.conf app/conf/app.conf > " +
          (out / ".app").string() + " && mv " + (out / ".app").string() + " " +
          (out / "app").string() +
          " && sleep 1000\n        cpus: 0.1\n        memory: 32\n        configs:\n"
          "          app-conf: {template: app.conf.mustache, dest: app/conf/app.conf}\n");
  std::ofstream(specs / "app.conf.mustache") << "task = {{TASK_NAME}}\n";
  SchedulerProcess s(spec, cluster, (cluster.dir() / "services").string(), "pkg", kFast);
  ASSERT_TRUE(s.plan_complete("deploy")) << s.log();
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "app"); })) << s.log();
  EXPECT_EQ(read_text(out / "app"), "default\ntask = app-0-server\n");
}

}  // namespace
}  // namespace steward::scheduler::testing
