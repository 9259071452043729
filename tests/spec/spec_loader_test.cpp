#include "spec/spec_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace steward::spec::testing;

TEST(SpecLoader, MinimalSpecGetsDefaults) {
  auto r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  const ServiceSpec& s = *r.spec;
  EXPECT_EQ(s.name, "svc");
  EXPECT_EQ(s.scheduler.principal, "svc-principal");
  EXPECT_EQ(s.scheduler.user, "");  // the user running the scheduler
  EXPECT_EQ(s.scheduler.zookeeper, "");
  EXPECT_FALSE(s.replacement_failure_policy);
  ASSERT_EQ(s.pods.size(), 1u);
  const PodSpec& pod = s.pods[0];
  EXPECT_EQ(pod.count, 1);
  EXPECT_FALSE(pod.allow_decommission);
  EXPECT_FALSE(pod.share_pid_namespace);
  EXPECT_TRUE(pod.placement.empty());
  ASSERT_EQ(pod.tasks.size(), 1u);
  const TaskSpec& t = pod.tasks[0];
  EXPECT_EQ(t.goal, GoalState::running);
  EXPECT_TRUE(t.essential);
  EXPECT_EQ(t.kill_grace_period_s, 0);
  EXPECT_EQ(t.resource_set, "server-resource-set");
  const ResourceSetSpec* set = pod.find_resource_set("server-resource-set");
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->implicit);
  EXPECT_EQ(set->cpus, 0.5);
  EXPECT_EQ(set->memory_mb, 256);
  EXPECT_EQ(set->gpus, 0);
  EXPECT_TRUE(s.plans.empty());
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(SpecLoader, ReadsEveryField) {
  TempDir dir;
  dir.write("templates/app.conf", "port={{PORT_HTTP}}\n");
  dir.write("secrets/password", "hunter2");
  const char* yaml = R"(name: /data/full
web-url: http://example.test/ui
scheduler:
  principal: full-user
  user: nobody
  zookeeper: 127.0.0.1:2181
replacement-failure-policy:
  permanent-failure-timeout-secs: 600
  min-replace-delay-secs: 5
pods:
  node:
    count: 3
    placement: '[["hostname", "UNIQUE"]]'
    allow-decommission: true
    pre-reserved-role: slave_public
    uris:
      - https://example.test/app.tgz
      - file:///opt/jdk.tgz
    volumes:
      shared:
        path: shared
        type: ROOT
        size: 100
    rlimits:
      RLIMIT_NOFILE:
        soft: 1024
        hard: 2048
      RLIMIT_CORE:
    secrets:
      pw:
        secret: secrets/password
        env-key: PASSWORD
      pwfile:
        secret: secrets/password
        file: conf/password
      plain:
        secret: secrets/password
    host-volumes:
      logs:
        host-path: /var/log
        container-path: host-logs
        mode: RO
    share-pid-namespace: true
    user: nobody
    resource-sets:
      server-resources:
        cpus: 2
        gpus: 1
        memory: 4096
        resource-limits:
          cpus: unlimited
          memory: 8192
        ports:
          http:
            port: 0
            env-key: PORT_HTTP
            advertise: true
            ranges:
              - begin: 9000
                end: 9100
              - begin: 10000
            vip:
              port: 80
              prefix: web
          admin:
            port: 8081
        volume:
          path: data
          type: MOUNT
          size: 10000
          profiles: [fast, ssd]
    tasks:
      server:
        goal: running
        essential: false
        cmd: ./server
        env:
          HEAP: 1G
          EMPTY:
        labels: "team:data, tier:db"
        configs:
          app:
            template: templates/app.conf
            dest: conf/app.conf
        resource-set: server-resources
        health-check:
          cmd: ./health
          interval: 5
          grace-period: 60
          max-consecutive-failures: 3
          delay: 1
          timeout: 2.5
        readiness-check:
          cmd: ./ready
          interval: 3
          timeout: 4
        discovery:
          prefix: db
          visibility: EXTERNAL
        kill-grace-period: 30
      format:
        goal: ONCE
        cmd: ./format
        cpus: 0.1
        memory: 32
        volumes:
          - path: scratch
            type: ROOT
            size: 10
plans:
  deploy:
    strategy: parallel
    phases:
      nodes:
        strategy: parallel-canary
        pod: node
        steps:
          - 0: [[format], [server]]
          - default: [[server]]
  repair:
    phases:
      repair:
        strategy: canary
        pod: node
        steps:
          - default: []
)";
  auto r = load(yaml, {}, false, dir.path());
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  const ServiceSpec& s = *r.spec;
  EXPECT_EQ(s.name, "/data/full");
  EXPECT_EQ(s.web_url, "http://example.test/ui");
  EXPECT_EQ(s.scheduler.principal, "full-user");
  EXPECT_EQ(s.scheduler.user, "nobody");
  EXPECT_EQ(s.scheduler.zookeeper, "127.0.0.1:2181");
  ASSERT_TRUE(s.replacement_failure_policy);
  EXPECT_EQ(s.replacement_failure_policy->permanent_failure_timeout_s, 600);
  EXPECT_EQ(s.replacement_failure_policy->min_replace_delay_s, 5);

  const PodSpec& pod = s.pods.at(0);
  EXPECT_EQ(pod.count, 3);
  EXPECT_EQ(placement::to_string(pod.placement), "hostname:UNIQUE");
  EXPECT_TRUE(pod.allow_decommission);
  EXPECT_EQ(pod.pre_reserved_role, "slave_public");
  EXPECT_THAT(pod.uris, ElementsAre("https://example.test/app.tgz", "file:///opt/jdk.tgz"));
  ASSERT_EQ(pod.volumes.size(), 1u);
  EXPECT_EQ(pod.volumes[0].path, "shared");
  ASSERT_EQ(pod.rlimits.size(), 2u);
  EXPECT_EQ(pod.rlimits[0].name, "RLIMIT_NOFILE");
  EXPECT_EQ(pod.rlimits[0].soft, 1024);
  EXPECT_EQ(pod.rlimits[0].hard, 2048);
  EXPECT_FALSE(pod.rlimits[1].soft);  // unlimited
  ASSERT_EQ(pod.secrets.size(), 3u);
  EXPECT_EQ(pod.secrets[0].env_key, "PASSWORD");
  EXPECT_EQ(pod.secrets[0].file, "");
  EXPECT_EQ(pod.secrets[1].file, "conf/password");
  EXPECT_EQ(pod.secrets[2].file, "password");  // neither env-key nor file: named after it
  ASSERT_EQ(pod.host_volumes.size(), 1u);
  EXPECT_EQ(pod.host_volumes[0].host_path, "/var/log");
  EXPECT_EQ(pod.host_volumes[0].container_path, "host-logs");
  EXPECT_EQ(pod.host_volumes[0].mode, HostVolumeMode::ro);
  EXPECT_TRUE(pod.share_pid_namespace);
  EXPECT_EQ(pod.user, "nobody");

  const ResourceSetSpec* set = pod.find_resource_set("server-resources");
  ASSERT_NE(set, nullptr);
  EXPECT_FALSE(set->implicit);
  EXPECT_EQ(set->cpus, 2);
  EXPECT_EQ(set->gpus, 1);
  EXPECT_EQ(set->memory_mb, 4096);
  ASSERT_TRUE(set->limits.cpus);
  EXPECT_TRUE(set->limits.cpus->unlimited);
  ASSERT_TRUE(set->limits.memory_mb);
  EXPECT_EQ(set->limits.memory_mb->value, 8192);
  ASSERT_EQ(set->ports.size(), 2u);
  const PortSpec& http = set->ports[0].second;
  EXPECT_EQ(http.name, "http");
  EXPECT_EQ(http.port, 0);
  EXPECT_EQ(http.env_key, "PORT_HTTP");
  EXPECT_TRUE(http.advertise);
  ASSERT_EQ(http.ranges.size(), 2u);
  EXPECT_EQ(http.ranges[0].begin, 9000);
  EXPECT_EQ(http.ranges[0].end, 9100);
  EXPECT_FALSE(http.ranges[1].end);
  ASSERT_TRUE(http.vip);
  EXPECT_EQ(http.vip->port, 80);
  EXPECT_EQ(http.vip->prefix, "web");
  EXPECT_EQ(set->ports[1].second.port, 8081);
  EXPECT_FALSE(set->ports[1].second.advertise);
  ASSERT_EQ(set->volumes.size(), 1u);
  EXPECT_EQ(set->volumes[0].type, VolumeType::mount);
  EXPECT_THAT(set->volumes[0].profiles, ElementsAre("fast", "ssd"));

  const TaskSpec* server = pod.find_task("server");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->goal, GoalState::running);
  EXPECT_FALSE(server->essential);
  EXPECT_EQ(server->cmd, "./server");
  EXPECT_THAT(server->env, ElementsAre(std::pair<std::string, std::string>("HEAP", "1G"),
                                       std::pair<std::string, std::string>("EMPTY", "")));
  EXPECT_THAT(server->labels, ElementsAre(std::pair<std::string, std::string>("team", "data"),
                                          std::pair<std::string, std::string>("tier", "db")));
  ASSERT_EQ(server->configs.size(), 1u);
  EXPECT_EQ(server->configs[0].dest, "conf/app.conf");
  EXPECT_EQ(server->configs[0].content, "port={{PORT_HTTP}}\n");
  EXPECT_EQ(server->resource_set, "server-resources");
  ASSERT_TRUE(server->health_check);
  EXPECT_EQ(server->health_check->max_consecutive_failures, 3);
  EXPECT_EQ(server->health_check->timeout_s, 2.5);
  EXPECT_EQ(server->health_check->delay_s, 1);
  EXPECT_EQ(server->health_check->grace_period_s, 60);
  ASSERT_TRUE(server->readiness_check);
  EXPECT_EQ(server->readiness_check->delay_s, 0);  // default
  EXPECT_EQ(server->readiness_check->interval_s, 3);
  ASSERT_TRUE(server->discovery);
  EXPECT_EQ(server->discovery->prefix, "db");
  EXPECT_EQ(server->discovery->visibility, DiscoveryVisibility::external);
  EXPECT_EQ(server->kill_grace_period_s, 30);

  const TaskSpec* format = pod.find_task("format");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->goal, GoalState::once);
  EXPECT_EQ(format->resource_set, "format-resource-set");
  ASSERT_EQ(pod.find_resource_set("format-resource-set")->volumes.size(), 1u);

  ASSERT_EQ(s.plans.size(), 2u);
  const PlanSpec& deploy = s.plans[0];
  EXPECT_EQ(deploy.strategy, Strategy::parallel);
  ASSERT_EQ(deploy.phases.size(), 1u);
  EXPECT_EQ(deploy.phases[0].strategy, Strategy::parallel_canary);
  ASSERT_TRUE(deploy.phases[0].steps);
  const auto& entries = *deploy.phases[0].steps;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].index, 0);
  EXPECT_EQ(entries[0].steps, (std::vector<std::vector<std::string>>{{"format"}, {"server"}}));
  EXPECT_FALSE(entries[1].index);
  const PlanSpec& repair = s.plans[1];
  EXPECT_EQ(repair.strategy, Strategy::serial);
  EXPECT_EQ(repair.phases[0].strategy, Strategy::serial_canary);  // `canary` is an alias
  EXPECT_TRUE((*repair.phases[0].steps)[0].steps.empty());
}

TEST(SpecLoader, PodsAndPlansKeepDeclarationOrder) {
  auto r = load(R"(name: svc
pods:
  zeta: {count: 1, tasks: {t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}}}
  alpha: {count: 1, tasks: {t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}}}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.spec->pods[0].type, "zeta");
  EXPECT_EQ(r.spec->pods[1].type, "alpha");
}

TEST(SpecLoader, QuotedNumbersAndBooleansAreAccepted) {
  // Templated specs often quote values; "2" and "true" mean what they say.
  auto r = load(R"(name: svc
pods:
  app:
    count: "2"
    allow-decommission: "TRUE"
    tasks:
      server: {goal: RUNNING, cmd: x, cpus: "0.5", memory: "64"}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.spec->pods[0].count, 2);
  EXPECT_TRUE(r.spec->pods[0].allow_decommission);
}

TEST(SpecLoader, TaskCfgRoutesIntoTaskEnv) {
  auto r = load(R"(name: svc
pods:
  data-node:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: x
        cpus: 1
        memory: 1
        env:
          LEVEL: yaml
          KEEP: yes
  other:
    count: 1
    tasks:
      server: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}
)",
                {{"TASKCFG_ALL_LEVEL", "all"},
                 {"TASKCFG_DATA_NODE_LEVEL", "pod"},
                 {"TASKCFG_ALL_SHARED", "everyone"},
                 {"TASKCFG_OTHER_ONLY", "other"}});
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  using Env = std::pair<std::string, std::string>;
  EXPECT_THAT(r.spec->pods[0].tasks[0].env,
              ElementsAre(Env("LEVEL", "pod"), Env("KEEP", "yes"), Env("SHARED", "everyone")));
  EXPECT_THAT(r.spec->pods[1].tasks[0].env,
              ElementsAre(Env("LEVEL", "all"), Env("SHARED", "everyone"), Env("ONLY", "other")));
}

TEST(SpecLoader, MissingFileIsAClearError) {
  auto r = load_spec_file("/nonexistent/svc.yml", {});
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(
      errors(r),
      ElementsAre("/nonexistent/svc.yml: error: no such file (fix: check the path to the spec)"));
}

// Every example must load; they are what users copy first.
TEST(SpecLoader, EveryExampleLoads) {
  namespace fs = std::filesystem;
  int loaded = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(std::string(STEWARD_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yml") continue;
    if (entry.path().parent_path().filename() == "templates") continue;
    auto r = load_spec_file(entry.path().string(), {});
    EXPECT_TRUE(r.ok()) << entry.path() << "\n" << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.diagnostics.error_count(), 0u) << entry.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(SpecLoader, HelloWorldIsTheServiceFromTheTalk) {
  auto r = load_spec_file(std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml", {});
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  const ServiceSpec& s = *r.spec;
  EXPECT_EQ(s.name, "hello-world");
  const PodSpec* hello = s.find_pod("hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->count, 2);
  ASSERT_NE(hello->find_task("server"), nullptr);
  EXPECT_TRUE(hello->find_task("server")->health_check);
  EXPECT_EQ(hello->find_resource_set("server-resource-set")->volumes.size(), 1u);
  const PodSpec* world = s.find_pod("world");
  ASSERT_NE(world, nullptr);
  EXPECT_EQ(world->find_task("prepare")->goal, GoalState::finish);
  EXPECT_EQ(world->find_task("server")->goal, GoalState::running);
  EXPECT_EQ(world->find_task("prepare")->resource_set, world->find_task("server")->resource_set);
  EXPECT_EQ(world->find_task("sidecar")->goal, GoalState::once);
  EXPECT_NE(world->find_task("sidecar")->resource_set, world->find_task("server")->resource_set);
  ASSERT_NE(s.find_plan("sidecar"), nullptr);
  EXPECT_THAT(world->find_task("sidecar")->cmd, HasSubstr("PLAN_PARAMETER"));

  // Counts are template values with defaults.
  auto scaled = load_spec_file(std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml",
                               {{{"HELLO_COUNT", "5"}}, true, {}});
  ASSERT_TRUE(scaled.ok()) << ::testing::PrintToString(messages(scaled));
  EXPECT_EQ(scaled.spec->find_pod("hello")->count, 5);
}

// Fields this version reads and keeps but does not carry out are said so at every load, with
// what happens instead; the spec stays valid.
TEST(SpecLoader, FieldsNotAppliedYetAreWarnedAboutAtEveryLoad) {
  const auto r = load_spec_file(
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/kitchen-sink.yml", {});
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  std::vector<std::string> paths;
  for (const auto& d : r.diagnostics.items())
    if (d.severity == Severity::warning &&
        d.message.find("is accepted but not applied by this version: ") != std::string::npos)
      paths.push_back(d.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"scheduler.zookeeper", "pods.db.secrets",
                                             "pods.db.host-volumes", "pods.db.share-pid-namespace",
                                             "pods.db.resource-sets.db-resources.resource-limits",
                                             "pods.db.tasks.server.discovery"}))
      << ::testing::PrintToString(messages(r));
  // None of them in a spec without those fields.
  for (const std::string& m : messages(load(kMinimal)))
    EXPECT_EQ(m.find("not applied"), std::string::npos) << m;
}

}  // namespace
}  // namespace steward::spec
