// Golden texts of the errors a spec author sees: where, which field, what, and the fix.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace steward::spec::testing;

// kMinimal with `extra` appended to the server task (8-space indent).
std::string with_task_fields(const std::string& extra) {
  return std::string(kMinimal) + extra;
}

TEST(SpecErrors, EmptySpec) {
  EXPECT_THAT(
      errors(load("")),
      ElementsAre(
          "svc.yml:1:1: error: the spec is empty (fix: a spec needs at least `name` and `pods`)"));
  EXPECT_THAT(errors(load("# only a comment\n")), ElementsAre(HasSubstr("the spec is empty")));
}

TEST(SpecErrors, TopLevelMustBeAMapping) {
  EXPECT_THAT(errors(load("- a\n- b\n")),
              ElementsAre("svc.yml:1:1: error: must be a mapping, got a list"));
}

TEST(SpecErrors, YamlSyntaxNamesTheLine) {
  auto e = errors(load("name: svc\npods:\n  app: [unclosed\n"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], ::testing::StartsWith("svc.yml:"));
  EXPECT_THAT(e[0], HasSubstr("YAML syntax"));
}

TEST(SpecErrors, RequiredTopLevelFields) {
  EXPECT_THAT(errors(load("web-url: http://x\n")),
              ElementsAre("svc.yml:1:1: error: name: is required (fix: add `name: my-service` at "
                          "the top of the file)",
                          "svc.yml:1:1: error: pods: is required (fix: add a `pods:` mapping with "
                          "at least one pod type)"));
}

TEST(SpecErrors, NegativeCpusNamesFileLineColumnAndPath) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("cpus: 0.5"), 9, "cpus: -1");
  EXPECT_THAT(
      errors(load(yaml)),
      ElementsAre(
          "svc.yml:9:15: error: pods.app.tasks.server.cpus: must be greater than 0, got -1"));
}

TEST(SpecErrors, UnknownFieldSuggestsTheClosest) {
  EXPECT_THAT(errors(load(with_task_fields("        memroy: 3\n"))),
              ElementsAre("svc.yml:11:9: error: pods.app.tasks.server.memroy: unknown field (fix: "
                          "did you mean memory?)"));
}

TEST(SpecErrors, DuplicateKeysAreRefused) {
  EXPECT_THAT(errors(load(with_task_fields("        cpus: 2\n"))),
              ElementsAre("svc.yml:11:9: error: pods.app.tasks.server.cpus: is given twice (fix: "
                          "remove one of the two; the first is at line 9)"));
}

TEST(SpecErrors, BooleansAreTrueOrFalseOnly) {
  EXPECT_THAT(
      errors(load(with_task_fields("        essential: yes\n"))),
      ElementsAre("svc.yml:11:20: error: pods.app.tasks.server.essential: must be true or false, "
                  "got \"yes\" (fix: write true or false (yes/no/on/off are not booleans here))"));
}

TEST(SpecErrors, GoalNames) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("goal: RUNNING"), 13, "goal: FINISHED");
  EXPECT_THAT(errors(load(yaml)), ElementsAre("svc.yml:7:15: error: pods.app.tasks.server.goal: "
                                              "FINISHED is not a goal state (fix: write FINISH)"));
  yaml.replace(yaml.find("goal: FINISHED"), 14, "goal: forever");
  EXPECT_THAT(errors(load(yaml)), ElementsAre("svc.yml:7:15: error: pods.app.tasks.server.goal: "
                                              "must be RUNNING, FINISH or ONCE, got \"forever\""));
}

TEST(SpecErrors, PortsAreChecked) {
  auto e = errors(load(with_task_fields(R"(        ports:
          a:
            port: 70000
          b:
            port: 8080
            ranges: [{begin: 10, end: 5}]
          c:
            port: 0
            env-key: 1BAD
)")));
  EXPECT_THAT(e, ElementsAre("svc.yml:13:19: error: pods.app.tasks.server.ports.a.port: must be "
                             "between 0 and 65535, got 70000",
                             "svc.yml:16:13: error: pods.app.tasks.server.ports.b.ranges: ranges "
                             "apply only to dynamic ports (fix: set `port: 0` or drop the ranges)",
                             "svc.yml:16:22: error: pods.app.tasks.server.ports.b.ranges[0]: begin "
                             "10 is above end 5 (fix: swap begin and end)",
                             "svc.yml:19:13: error: pods.app.tasks.server.ports.c.env-key: "
                             "\"1BAD\" is not a valid environment variable name"));
}

TEST(SpecErrors, FixedPortUsedTwiceInAPod) {
  auto r = load(R"(name: svc
pods:
  app:
    count: 1
    tasks:
      a: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, ports: {http: {port: 8080}}}
      b: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, ports: {web: {port: 8080}}}
)");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("pods.app.tasks.b.ports.web.port: port 8080 is also "
                                               "reserved by pods.app.tasks.a.ports.http")));
}

TEST(SpecErrors, AdvertisedPortNamesAreUniqueAcrossTheService) {
  auto r = load(R"(name: svc
pods:
  a:
    count: 1
    tasks:
      t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, ports: {http: {port: 0, advertise: true}}}
  b:
    count: 1
    tasks:
      t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, ports: {http: {port: 0, advertise: true}}}
)");
  EXPECT_THAT(errors(r),
              ElementsAre(HasSubstr(
                  "advertised port name \"http\" is also used at pods.a.tasks.t.ports.http")));
}

TEST(SpecErrors, VolumesMustStayInTheSandbox) {
  auto e = errors(load(with_task_fields(R"(        volumes:
          - {path: ../escape, type: ROOT, size: 1}
          - {path: /abs, type: ROOT, size: 1}
          - {path: ok, type: DISK, size: 0}
          - {path: p, type: ROOT, size: 1, profiles: [fast]}
)")));
  EXPECT_THAT(
      e, ElementsAre("svc.yml:12:20: error: pods.app.tasks.server.volumes[0].path: must stay "
                     "inside the task sandbox, got \"../escape\" (fix: remove the '..' components)",
                     "svc.yml:13:20: error: pods.app.tasks.server.volumes[1].path: must be "
                     "relative to the task sandbox, got \"/abs\" (fix: drop the leading '/')",
                     "svc.yml:14:30: error: pods.app.tasks.server.volumes[2].type: must be ROOT or "
                     "MOUNT, got \"DISK\"",
                     "svc.yml:14:42: error: pods.app.tasks.server.volumes[2].size: must be greater "
                     "than 0, got 0",
                     "svc.yml:15:44: error: pods.app.tasks.server.volumes[3].profiles: profiles "
                     "apply only to MOUNT volumes (fix: set `type: MOUNT` or drop the profiles)"));
}

TEST(SpecErrors, VolumeAndVolumesAreExclusive) {
  auto e = errors(load(with_task_fields(R"(        volume: {path: a, type: ROOT, size: 1}
        volumes: {b: {path: b, type: ROOT, size: 1}}
)")));
  EXPECT_THAT(e, ElementsAre(HasSubstr("volumes: cannot be given together with `volume`")));
}

TEST(SpecErrors, ProfilesOnlyOnMountVolumes) {
  auto e = errors(
      load(with_task_fields("        volume: {path: a, type: ROOT, size: 1, profiles: [fast]}\n")));
  EXPECT_THAT(e, ElementsAre(HasSubstr("profiles apply only to MOUNT volumes")));
}

TEST(SpecErrors, ResourceSetWithInlineResources) {
  auto r = load(R"(name: svc
pods:
  app:
    count: 1
    resource-sets:
      shared: {cpus: 1, memory: 64}
    tasks:
      server:
        goal: RUNNING
        cmd: x
        resource-set: shared
        cpus: 2
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre("svc.yml:11:23: error: pods.app.tasks.server.resource-set: cannot be combined "
                  "with cpus, gpus, memory, ports, volumes or resource-limits on the task (fix: "
                  "move the task's resources into resource set \"shared\")"));
}

TEST(SpecErrors, UnknownResourceSetSuggestsTheClosest) {
  auto r = load(R"(name: svc
pods:
  app:
    count: 1
    resource-sets:
      shared: {cpus: 1, memory: 64}
    tasks:
      server: {goal: RUNNING, cmd: x, resource-set: sharde}
)");
  EXPECT_THAT(errors(r),
              ElementsAre(HasSubstr("pods.app.tasks.server.resource-set: no resource set "
                                    "\"sharde\" in pod app (fix: did you mean shared?)")));
}

TEST(SpecErrors, TasksNeedCpusAndMemory) {
  auto r = load(
      "name: svc\npods:\n  app:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: "
      "x}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("svc.yml:6:7: error: pods.app.tasks.server.cpus: the task needs cpus "
                          "(fix: add `cpus: 0.1`, or run the task on a `resource-set`)",
                          "svc.yml:6:7: error: pods.app.tasks.server.memory: the task needs memory "
                          "(fix: add `memory: 256` (MB), or run the task on a `resource-set`)"));
}

TEST(SpecErrors, ResourceLimitsMustCoverTheRequest) {
  auto e =
      errors(load(with_task_fields("        resource-limits: {cpus: 0.25, memory: unlimited}\n")));
  EXPECT_THAT(e, ElementsAre(HasSubstr(
                     "pods.app.tasks.server.resource-limits.cpus: limit 0.25 is below the "
                     "request of 0.5 cpus (fix: raise the limit or write unlimited)")));
}

TEST(SpecErrors, ChecksNeedTheirFields) {
  auto e = errors(load(with_task_fields(R"(        health-check:
          cmd: ./health
          interval: 0
          max-consecutive-failures: 0
        readiness-check:
          cmd: ""
          interval: 1
          timeout: 1
)")));
  EXPECT_THAT(
      e, ElementsAre(
             "svc.yml:11:9: error: pods.app.tasks.server.health-check.grace-period: is required "
             "(fix: give a number of seconds)",
             "svc.yml:11:9: error: pods.app.tasks.server.health-check.timeout: is required (fix: "
             "give a number of seconds)",
             "svc.yml:13:21: error: pods.app.tasks.server.health-check.interval: must be greater "
             "than 0, got 0",
             "svc.yml:14:37: error: pods.app.tasks.server.health-check.max-consecutive-failures: "
             "must be between 1 and 1000000, got 0",
             "svc.yml:16:16: error: pods.app.tasks.server.readiness-check.cmd: must not be empty"));
}

TEST(SpecErrors, KillGracePeriodIsBounded) {
  EXPECT_THAT(errors(load(with_task_fields("        kill-grace-period: 4000\n"))),
              ElementsAre(HasSubstr("kill-grace-period: must be between 0 and 3600, got 4000")));
}

TEST(SpecErrors, DiscoveryPrefixesAreDistinctAcrossPods) {
  auto r = load(R"(name: svc
pods:
  a:
    count: 1
    tasks:
      t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, discovery: {prefix: node}}
  b:
    count: 1
    tasks:
      t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1, discovery: {prefix: node, visibility: PUBLIC}}
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre("svc.yml:10:66: error: pods.b.tasks.t.discovery.prefix: prefix \"node\" is also "
                  "used by pod a (fix: discovery prefixes must be distinct across pod types)",
                  "svc.yml:10:92: error: pods.b.tasks.t.discovery.visibility: must be FRAMEWORK, "
                  "CLUSTER or EXTERNAL, got \"PUBLIC\""));
}

TEST(SpecErrors, UnsupportedFieldsAreRefusedWithAReason) {
  auto r = load(R"(name: svc
pods:
  app:
    count: 1
    image: ubuntu:22.04
    networks: {dcos: {}}
    tasks:
      server:
        goal: RUNNING
        cmd: x
        cpus: 1
        memory: 1
        transport-encryption: [{name: server, type: TLS}]
)");
  auto e = errors(r);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_THAT(e[0], ::testing::StartsWith("svc.yml:5:5: error: pods.app.image: is not supported: "
                                          "container images need a container runtime"));
  EXPECT_THAT(e[1],
              ::testing::StartsWith(
                  "svc.yml:6:5: error: pods.app.networks: is not supported: virtual networks"));
  EXPECT_THAT(e[2], ::testing::StartsWith(
                        "svc.yml:13:9: error: pods.app.tasks.server.transport-encryption: is not "
                        "supported: TLS provisioning"));
}

TEST(SpecErrors, NamesAreChecked) {
  auto r = load(R"(name: My__Service
web-url: ftp://x
scheduler: {user: "Bad User"}
pods:
  App:
    count: -1
    tasks:
      server: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre(
          "svc.yml:1:1: error: name: must not contain \"__\", got \"My__Service\"",
          "svc.yml:2:1: error: web-url: must be an http:// or https:// URL, got \"ftp://x\"",
          "svc.yml:3:13: error: scheduler.user: \"Bad User\" is not a valid user name",
          "svc.yml:5:3: error: pods.App: pod type \"App\" is not a valid name (fix: use lower-case "
          "letters, digits and '-', starting and ending with a letter or digit)",
          "svc.yml:6:12: error: pods.App.count: must be between 0 and 100000, got -1"));
}

TEST(SpecErrors, RlimitsSecretsHostVolumesAndUris) {
  auto r = load(R"(name: svc
pods:
  app:
    count: 1
    uris: [ftp://x/y]
    rlimits:
      RLIMIT_NOFILES: {soft: 1, hard: 2}
      RLIMIT_CORE: {soft: 3}
      RLIMIT_STACK: {soft: 5, hard: 4}
    secrets:
      s: {secret: missing-file, env-key: "A-B"}
    host-volumes:
      h: {host-path: relative, container-path: /abs, mode: RX}
    tasks:
      server: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre(
          "svc.yml:5:5: error: pods.app.uris[0]: \"ftp://x/y\" is not a URI Steward can fetch "
          "(fix: use http://, https://, file:// or an absolute path)",
          "svc.yml:7:7: error: pods.app.rlimits.RLIMIT_NOFILES: unknown resource limit "
          "\"RLIMIT_NOFILES\" (fix: did you mean RLIMIT_NOFILE?)",
          "svc.yml:8:7: error: pods.app.rlimits.RLIMIT_CORE: soft and hard must be given together "
          "(fix: set both, or neither for unlimited)",
          "svc.yml:9:7: error: pods.app.rlimits.RLIMIT_STACK: soft limit 5 is above hard limit 4",
          "svc.yml:11:19: error: pods.app.secrets.s.secret: secret file \"missing-file\" does not "
          "exist (fix: secrets are local files; relative paths start at the spec's folder)",
          "svc.yml:11:33: error: pods.app.secrets.s.env-key: \"A-B\" is not a valid environment "
          "variable name",
          "svc.yml:13:22: error: pods.app.host-volumes.h.host-path: must be an absolute path on "
          "the host, got \"relative\"",
          "svc.yml:13:48: error: pods.app.host-volumes.h.container-path: must be relative to the "
          "task sandbox, got \"/abs\" (fix: drop the leading '/')",
          "svc.yml:13:60: error: pods.app.host-volumes.h.mode: must be RW or RO, got \"RX\""));
}

TEST(SpecErrors, ConfigTemplatesMustExist) {
  auto e = errors(load(with_task_fields(
      "        configs:\n          app: {template: nope.mustache, dest: ../x}\n")));
  EXPECT_THAT(
      e,
      ElementsAre(HasSubstr("configs.app.template: template file \"nope.mustache\" does not exist "
                            "(fix: paths are relative to the folder of the spec file)"),
                  HasSubstr("configs.app.dest: must stay inside the task sandbox, got \"../x\"")));
}

// A config's name is its template's file in the sandbox and its CONFIG_TEMPLATE_ variable.
TEST(SpecErrors, ConfigNamesAreFileNamesWithVariablesOfTheirOwn) {
  TempDir dir;
  dir.write("t.mustache", "x");
  auto e = errors(load(with_task_fields("        configs:\n"
                                        "          a-b: {template: t.mustache, dest: one}\n"
                                        "          A_b: {template: t.mustache, dest: two}\n"
                                        "          x/y: {template: t.mustache, dest: three}\n"
                                        "          ok: {template: t.mustache, dest: four}\n"),
                       {}, false, dir.path()));
  EXPECT_THAT(e, UnorderedElementsAre(
                     HasSubstr("configs.A_b: its variable CONFIG_TEMPLATE_A_B is also config "
                               "\"a-b\"'s"),
                     HasSubstr("configs.x/y: a config's name is a file name: not empty, no '/'")));
}

// The executor fetches config templates into config-templates/ as root: no volume there.
TEST(SpecErrors, NoVolumeIsMountedWhereConfigTemplatesAreFetched) {
  for (const std::string path : {"config-templates", "./config-templates/x"}) {
    EXPECT_THAT(errors(load(with_task_fields("        volume: {path: " + path +
                                             ", type: ROOT, size: 10}\n"))),
                ElementsAre(HasSubstr("volume.path: config-templates is where tasks' config "
                                      "templates are fetched, got \"" +
                                      path + "\" (fix: mount the volume elsewhere)")))
        << path;
  }
  EXPECT_TRUE(errors(load(with_task_fields("        volume: {path: config-templates-data, type: "
                                           "ROOT, size: 10}\n")))
                  .empty());
}

TEST(SpecErrors, LabelsAreKeyValuePairs) {
  EXPECT_THAT(errors(load(with_task_fields("        labels: \"a:b,broken\"\n"))),
              ElementsAre(HasSubstr("labels: label \"broken\" is not key:value (fix: write labels "
                                    "as `key1:value1,key2:value2`)")));
}

TEST(SpecErrors, PlacementInEverySyntaxIsParsedAndBadOnesAreReported) {
  for (const char* good : {R"('[["hostname","UNIQUE"]]')", R"('["@zone","GROUP_BY","3"]')",
                           R"('hostname:MAX_PER:2,rack:LIKE:us-.*')"}) {
    std::string yaml = std::string(kMinimal);
    yaml.replace(yaml.find("    tasks:"), 0, std::string("    placement: ") + good + "\n");
    auto r = load(yaml);
    EXPECT_TRUE(r.ok()) << good << ::testing::PrintToString(messages(r));
    if (r.ok()) {
      EXPECT_FALSE(r.spec->pods[0].placement.empty());
    }
  }
  std::string yaml = std::string(kMinimal);
  yaml.replace(yaml.find("    tasks:"), 0, "    placement: 'hostname:UNIQUEE'\n");
  auto e = errors(load(yaml));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], ::testing::StartsWith("svc.yml:5:5: error: pods.app.placement: "));
  EXPECT_THAT(e[0], HasSubstr("UNIQUEE"));
}

TEST(SpecErrors, PlansAreChecked) {
  auto r = load(std::string(kMinimal) + R"(      backup:
        goal: ONCE
        cmd: ./backup
        resource-set: server-resource-set
plans:
  deploy:
    strategy: serial-canary
    phases:
      app:
        strategy: sequential
        pod: ap
  recovery:
    phases:
      p: {pod: app}
  backup:
    phases:
      first:
        pod: app
        steps:
          - 0: [[server, backup]]
          - 0: [[sever]]
          - 1: [[]]
      second:
        pod: app
        steps:
          - 1: [[server]]
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre(
          "svc.yml:17:15: error: plans.deploy.strategy: canary strategies apply to phases, not to "
          "whole plans (fix: set the strategy on the phase and use serial or parallel for the "
          "plan)",
          "svc.yml:20:19: error: plans.deploy.phases.app.strategy: unknown strategy \"sequential\" "
          "(fix: use serial, parallel, serial-canary, canary or parallel-canary)",
          "svc.yml:21:9: error: plans.deploy.phases.app.pod: no pod type \"ap\" (fix: did you mean "
          "app?)",
          "svc.yml:22:3: error: plans.recovery: \"recovery\" is a built-in plan and cannot be "
          "defined in the spec (fix: choose another name)",
          "svc.yml:30:13: error: plans.backup.phases.first.steps[0][0]: tasks \"server\" and "
          "\"backup\" share resource set \"server-resource-set\" and cannot run in the same step "
          "(fix: put them in separate steps: [[server], [backup]])",
          "svc.yml:31:13: error: plans.backup.phases.first.steps[1]: pod index 0 has steps twice "
          "(fix: merge the two entries)",
          "svc.yml:31:13: error: plans.backup.phases.first.steps[1][0]: pod app has no task "
          "\"sever\" (fix: did you mean server?)",
          "svc.yml:32:17: error: plans.backup.phases.first.steps[2].1[0]: a step must launch at "
          "least one task (fix: name the tasks, e.g. [server])",
          "svc.yml:35:9: error: plans.backup.phases.second.steps: no steps for pod index 0 and no "
          "default (fix: add `- default: [[task]]`, or `- default: []` to run nothing on other "
          "instances)"));
}

TEST(SpecErrors, AllErrorsAreReportedAtOnce) {
  auto r = load(R"(name: svc
pods:
  app:
    count: two
    tasks:
      server:
        goal: sometimes
        cmd: x
        cpus: lots
        memory: -5
        bogus: 1
)");
  EXPECT_EQ(r.diagnostics.error_count(), 5u) << ::testing::PrintToString(messages(r));
  EXPECT_FALSE(r.ok());
}

TEST(SpecErrors, AliasBombsAreRefusedNotExpanded) {
  // 200 entries x 200 steps x 200 task names through aliases: a few KB of text that would
  // expand to 8 million names; the reader stops at its node budget.
  std::string names = "&g [server";
  for (int i = 1; i < 200; ++i)
    names += ", server";
  names += "]";
  std::string steps = "&f [" + names;
  for (int i = 1; i < 200; ++i)
    steps += ", *g";
  steps += "]";
  std::string yaml = std::string(kMinimal) +
                     "plans:\n  p:\n    phases:\n      x:\n        pod: app\n        steps:\n";
  yaml += "          - 0: " + steps + "\n";
  for (int i = 1; i < 200; ++i)
    yaml += "          - " + std::to_string(i) + ": *f\n";
  auto r = load(yaml);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(errors(r), Contains(HasSubstr("expands to more than 200000 YAML nodes")));
}

}  // namespace
}  // namespace steward::spec
