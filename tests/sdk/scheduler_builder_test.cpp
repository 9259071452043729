// The SDK's pieces in isolation: the spec editor service code gets, the spec written in code,
// and the builder refusing misuse before anything runs.

#include "steward/scheduler_builder.hpp"

#include <gtest/gtest.h>

#include "scheduler/spec_adapter.hpp"
#include "spec/spec_loader.hpp"
#include "spec/spec_summary.hpp"

namespace steward {
namespace {

spec::LoadResult load(const std::string& yaml, std::function<void(spec::ServiceSpec&)> t = {}) {
  spec::LoadOptions o;
  o.transform = std::move(t);
  return spec::load_spec_text(yaml, "svc.yml", ".", o);
}

const char* kSpec = R"(name: svc
pods:
  web:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: ./serve
        cpus: 0.5
        memory: 64
        env:
          A: "1"
      sidecar:
        goal: RUNNING
        cmd: ./side
        cpus: 0.1
        memory: 32
)";

TEST(SpecAdapter, ReadsTheSpecAsServiceCodeSeesIt) {
  auto r = load(kSpec);
  ASSERT_TRUE(r.ok());
  const scheduler::SpecAdapter view(static_cast<const spec::ServiceSpec&>(*r.spec));
  EXPECT_EQ(view.service_name(), "svc");
  EXPECT_EQ(view.pod_types(), std::vector<std::string>{"web"});
  EXPECT_EQ(view.count("web"), 2);
  EXPECT_EQ(view.count("nope"), 0);
  EXPECT_EQ(view.tasks("web"), (std::vector<std::string>{"server", "sidecar"}));
  EXPECT_EQ(view.cmd("web", "server"), "./serve");
  EXPECT_EQ(view.env("web", "server").at("A"), "1");
  EXPECT_DOUBLE_EQ(view.cpus("web", "server"), 0.5);
  EXPECT_DOUBLE_EQ(view.memory_mb("web", "sidecar"), 32);
  EXPECT_TRUE(view.ports("web", "server").empty());
}

TEST(SpecAdapter, ATransformEditsTheSpecBeforeItIsValidated) {
  auto r = load(kSpec, [](spec::ServiceSpec& s) {
    scheduler::SpecAdapter e(s);
    EXPECT_TRUE(e.set_env("web", "", "MODE", "fast"));  // every task of the pod
    EXPECT_TRUE(e.set_env("web", "server", "A", "2"));  // replaces
    EXPECT_TRUE(e.set_port("web", "server", "http", 0, "PORT_HTTP"));
    EXPECT_TRUE(e.set_count("web", 3));
    EXPECT_TRUE(e.set_cmd("web", "sidecar", "./side --fast"));
    EXPECT_FALSE(e.set_env("nope", "", "X", "1"));
    EXPECT_FALSE(e.set_port("web", "nope", "http", 1, ""));
  });
  ASSERT_TRUE(r.ok());
  const scheduler::SpecAdapter view(static_cast<const spec::ServiceSpec&>(*r.spec));
  EXPECT_EQ(view.env("web", "server").at("A"), "2");
  EXPECT_EQ(view.env("web", "server").at("MODE"), "fast");
  EXPECT_EQ(view.env("web", "sidecar").at("MODE"), "fast");
  EXPECT_EQ(view.ports("web", "server").at("http"), 0);
  EXPECT_EQ(view.count("web"), 3);
  EXPECT_EQ(view.cmd("web", "sidecar"), "./side --fast");
}

TEST(SpecAdapter, WhatATransformBreaksIsReportedLikeASpecError) {
  auto r = load(kSpec, [](spec::ServiceSpec& s) {
    scheduler::SpecAdapter(s).set_placement("web", "hostname:NO_SUCH_OPERATOR");
  });
  EXPECT_FALSE(r.ok());
  bool placement = false;
  for (const Diagnostic& d : r.diagnostics.items())
    placement = placement || d.path == "pods.web.placement";
  EXPECT_TRUE(placement);
}

TEST(SpecAdapter, AServiceValidatorSeesBothSpecs) {
  class NoShrink : public ConfigValidator {
   public:
    std::vector<ValidationError> validate(const SpecView& old_target,
                                          const SpecView& candidate) const override {
      if (candidate.count("web") >= old_target.count("web")) return {};
      return {{"pods.web.count", "never fewer web servers"}};
    }
  };
  auto old_spec = load(kSpec);
  std::string smaller = kSpec;
  smaller.replace(smaller.find("count: 2"), 8, "count: 1");
  auto new_spec = load(smaller);
  ASSERT_TRUE(old_spec.ok() && new_spec.ok());
  auto v = scheduler::adapt(std::make_shared<NoShrink>());
  auto errors = v->validate(*old_spec.spec, *new_spec.spec);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(), "pods.web.count: never fewer web servers");
  EXPECT_TRUE(v->validate(*new_spec.spec, *old_spec.spec).empty());
}

TEST(SpecAdapter, ServiceCodeThatThrowsIsAnErrorNotACrash) {
  auto r = load(kSpec, [](spec::ServiceSpec&) { throw std::runtime_error("no PORT given"); });
  EXPECT_FALSE(r.ok());
  ASSERT_FALSE(r.diagnostics.items().empty());
  EXPECT_EQ(r.diagnostics.items()[0].message, "a spec transform failed: no PORT given");

  class Throws : public ConfigValidator {
   public:
    std::vector<ValidationError> validate(const SpecView&, const SpecView&) const override {
      throw std::runtime_error("cannot reach the registry");
    }
  };
  auto spec = load(kSpec);
  ASSERT_TRUE(spec.ok());
  auto errors = scheduler::adapt(std::make_shared<Throws>())->validate(*spec.spec, *spec.spec);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(), "a service validator failed: cannot reach the registry");
}

TEST(SpecBuilder, WritesASpecTheLoaderReadsBack) {
  const std::string yaml = SpecBuilder("kv")
                               .pod("kv", 3)
                               .placement("kv", "hostname:UNIQUE")
                               .allow_decommission("kv")
                               .task("kv", "server", "./kv --port \"$PORT_API\"", 0.5, 1234567)
                               .env("kv", "server", "MODE", "a: b # not a comment")
                               .port("kv", "server", "api", 0, "PORT_API")
                               .volume("kv", "server", "data", 512)
                               .readiness("kv", "server", "test -f ready")
                               .task("kv", "init", "./init", 0.1, 32, "FINISH")
                               .yaml();
  auto r = load(yaml);
  ASSERT_TRUE(r.ok()) << yaml;
  const spec::ServiceSpec& s = *r.spec;
  ASSERT_EQ(s.pods.size(), 1u);
  const spec::PodSpec& pod = s.pods[0];
  EXPECT_EQ(pod.count, 3);
  EXPECT_TRUE(pod.allow_decommission);
  EXPECT_FALSE(pod.placement.empty());
  const spec::TaskSpec* server = pod.find_task("server");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->cmd, "./kv --port \"$PORT_API\"");
  EXPECT_TRUE(server->readiness_check.has_value());
  const spec::ResourceSetSpec* set = pod.find_resource_set(server->resource_set);
  ASSERT_NE(set, nullptr);
  EXPECT_DOUBLE_EQ(set->memory_mb, 1234567);  // written in full, not as 1.23457e+06
  ASSERT_EQ(set->volumes.size(), 1u);
  EXPECT_EQ(set->volumes[0].path, "data");
  ASSERT_EQ(set->ports.size(), 1u);
  EXPECT_EQ(set->ports[0].second.env_key, "PORT_API");
  bool mode = false;
  for (const auto& [k, v] : server->env)
    mode = mode || (k == "MODE" && v == "a: b # not a comment");
  EXPECT_TRUE(mode);
  EXPECT_EQ(pod.find_task("init")->goal, spec::GoalState::finish);
}

int run_builder(SchedulerBuilder b, std::vector<std::string> args) {
  std::vector<char*> argv;
  std::string program = "my-scheduler";
  argv.push_back(program.data());
  for (std::string& a : args)
    argv.push_back(a.data());
  return b.run(static_cast<int>(argv.size()), argv.data());
}

TEST(SchedulerBuilder, RefusesAnEndpointThatWouldShadowABuiltInOneBeforeRunning) {
  auto handler = [](const HttpRequest&, const ServiceView&, PropertyStore&) {
    return HttpResponse{};
  };
  EXPECT_EQ(
      run_builder(SchedulerBuilder::from_yaml(SpecBuilder("x").yaml()).endpoint("plans", handler),
                  {"--master", "http://127.0.0.1:1"}),
      2);
  EXPECT_EQ(run_builder(
                SchedulerBuilder::from_yaml(SpecBuilder("x").yaml()).endpoint("Bad Path", handler),
                {"--master", "http://127.0.0.1:1"}),
            2);
}

TEST(SchedulerBuilder, RefusesEndpointsThatWouldAnswerEachOthersRequests) {
  auto handler = [](const HttpRequest&, const ServiceView&, PropertyStore&) {
    return HttpResponse{};
  };
  const std::string spec = SpecBuilder("x").yaml();
  EXPECT_EQ(run_builder(SchedulerBuilder::from_yaml(spec)
                            .endpoint("admin", handler)
                            .endpoint("admin/compact", handler),
                        {"--master", "http://127.0.0.1:1"}),
            2);
  EXPECT_EQ(
      run_builder(
          SchedulerBuilder::from_yaml(spec).endpoint("topics", handler).endpoint("topics", handler),
          {"--master", "http://127.0.0.1:1"}),
      2);
}

TEST(ServiceView, TasksOfAPodTypeComeByIndexThenName) {
  ServiceView v;
  for (auto [name, index] : {std::pair{"app-10-server", 10},
                             {"app-2-sidecar", 2},
                             {"app-2-server", 2},
                             {"db-0-server", 0}}) {
    TaskView t;
    t.name = name;
    t.index = index;
    t.pod_type = std::string(name).substr(0, 2) == "db" ? "db" : "app";
    v.tasks.push_back(t);
  }
  std::vector<std::string> names;
  for (const TaskView* t : v.tasks_of("app"))
    names.push_back(t->name);
  EXPECT_EQ(names, (std::vector<std::string>{"app-2-server", "app-2-sidecar", "app-10-server"}));
}

TEST(SchedulerBuilder, AnInvalidSpecIsRefusedWithExitTwo) {
  // A pod without tasks: reported against the spec, nothing runs.
  EXPECT_EQ(run_builder(SchedulerBuilder::from_yaml(SpecBuilder("x").pod("p", 1).yaml()),
                        {"--master", "http://127.0.0.1:1"}),
            2);
  EXPECT_EQ(run_builder(SchedulerBuilder(), {"--master", "http://127.0.0.1:1"}), 2);  // no spec
  EXPECT_EQ(run_builder(SchedulerBuilder(), {"--no-such-flag"}), 2);
}

}  // namespace
}  // namespace steward
