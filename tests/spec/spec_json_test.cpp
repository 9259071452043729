#include "spec/spec_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "spec/spec_summary.hpp"
#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace steward::spec::testing;

struct NamedSpec {
  std::string name;
  ServiceSpec spec;
};

std::vector<NamedSpec> example_specs() {
  std::vector<NamedSpec> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(STEWARD_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yml") continue;
    auto r = load_spec_file(entry.path().string(), {});
    EXPECT_TRUE(r.ok()) << entry.path() << ::testing::PrintToString(messages(r));
    if (r.ok()) out.push_back({entry.path().filename().string(), *r.spec});
  }
  return out;
}

// The specs the other spec tests load, found in their sources so a new one is covered
// without a copy here. Those that do not load (the error tests' specs) are not specs.
std::vector<NamedSpec> test_specs(const TempDir& files) {
  std::vector<NamedSpec> out;
  out.push_back({"kMinimal", *load(kMinimal).spec});
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(STEWARD_SOURCE_DIR) + "/tests/spec")) {
    if (entry.path().extension() != ".cpp" || entry.path().filename() == "spec_json_test.cpp")
      continue;
    std::stringstream source;
    source << std::ifstream(entry.path()).rdbuf();
    const std::string text = source.str();
    // Raw strings that start a spec; the fragments other tests splice into one do not.
    const std::string open = "R\"(", close = ")\"";
    for (auto at = text.find(open); at != std::string::npos; at = text.find(open, at + 1)) {
      const auto begin = at + open.size();
      if (text.compare(begin, 5, "name:") != 0) continue;
      const auto end = text.find(close, begin);
      if (end == std::string::npos) break;
      auto r = load(text.substr(begin, end - begin), {}, false, files.path());
      if (r.ok()) {
        out.push_back(
            {entry.path().filename().string() + " at offset " + std::to_string(at), *r.spec});
      }
    }
  }
  return out;
}

void expect_round_trip(const NamedSpec& s) {
  SCOPED_TRACE(s.name);
  const std::string first = to_json(s.spec);
  std::string error;
  auto back = spec_from_json(first, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(error, "");
  EXPECT_EQ(to_json(*back), first);
  EXPECT_EQ(to_json(*back, -1), to_json(s.spec, -1));  // the form the scheduler stores

  // What to_json's text cannot show: the parsed rule, and values whose order it sorts.
  ASSERT_EQ(back->pods.size(), s.spec.pods.size());
  for (std::size_t p = 0; p < s.spec.pods.size(); ++p) {
    const PodSpec& original = s.spec.pods[p];
    const PodSpec& copy = back->pods[p];
    EXPECT_EQ(copy.placement, original.placement) << original.type;
    ASSERT_EQ(copy.tasks.size(), original.tasks.size());
    for (std::size_t t = 0; t < original.tasks.size(); ++t) {
      using Map = std::map<std::string, std::string>;
      const TaskSpec& a = original.tasks[t];
      const TaskSpec& b = copy.tasks[t];
      EXPECT_EQ(Map(b.env.begin(), b.env.end()), Map(a.env.begin(), a.env.end())) << a.name;
      Map contents_a, contents_b;
      for (const auto& c : a.configs)
        contents_a[c.name] = c.content;
      for (const auto& c : b.configs)
        contents_b[c.name] = c.content;
      EXPECT_EQ(contents_b, contents_a) << a.name;
    }
  }
}

TEST(SpecJson, EveryExampleRoundTrips) {
  auto specs = example_specs();
  ASSERT_GE(specs.size(), 10u);
  for (const auto& s : specs)
    expect_round_trip(s);
}

TEST(SpecJson, EveryTestSpecRoundTrips) {
  // The files the loader tests' specs refer to, so those specs load here too.
  TempDir files;
  files.write("templates/app.conf", "port={{PORT_HTTP}}\n");
  files.write("secrets/password", "hunter2");
  auto specs = test_specs(files);
  ASSERT_GE(specs.size(), 4u);
  for (const auto& s : specs)
    expect_round_trip(s);
}

const ServiceSpec& example(const std::vector<NamedSpec>& specs, const std::string& file) {
  for (const auto& s : specs) {
    if (s.name == file) return s.spec;
  }
  throw std::runtime_error("no example " + file);
}

ServiceSpec round_trip(const ServiceSpec& spec) {
  std::string error;
  auto back = spec_from_json(to_json(spec), error);
  if (!back) throw std::runtime_error(error);
  return *back;
}

TEST(SpecJson, PlacementIsParsedAgain) {
  auto specs = example_specs();
  const ServiceSpec spec = round_trip(example(specs, "placement.yml"));
  ASSERT_FALSE(spec.pods.empty());
  for (const PodSpec& pod : spec.pods) {
    EXPECT_FALSE(pod.placement_text.empty()) << pod.type;
    EXPECT_FALSE(pod.placement.empty()) << pod.type;
  }
  EXPECT_EQ(placement::to_string(spec.pods[0].placement), "hostname:MAX_PER:2,@zone:GROUP_BY:3");
}

TEST(SpecJson, ConfigContentAndEnvSurvive) {
  auto specs = example_specs();
  const ServiceSpec spec = round_trip(example(specs, "config-templates.yml"));
  const TaskSpec* server = spec.find_pod("hello")->find_task("server");
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(server->configs.size(), 1u);
  EXPECT_EQ(server->configs[0].name, "server-conf");
  EXPECT_EQ(server->configs[0].template_path, "templates/server.conf.mustache");
  EXPECT_EQ(server->configs[0].dest, "conf/server.conf");
  std::stringstream text;
  text << std::ifstream(std::string(STEWARD_SOURCE_DIR) +
                        "/examples/hello-world/templates/server.conf.mustache")
              .rdbuf();
  EXPECT_EQ(server->configs[0].content, text.str());
  EXPECT_THAT(server->env,
              ::testing::Contains(std::pair<std::string, std::string>("GREETING", "hello")));
}

TEST(SpecJson, TemplateTextIsPartOfTheConfiguration) {
  auto specs = example_specs();
  ServiceSpec spec = example(specs, "config-templates.yml");
  const std::string before = to_json(spec, -1);
  spec.pods[0].tasks[0].configs[0].content += "# edited\n";
  EXPECT_NE(to_json(spec, -1), before);
  EXPECT_THAT(to_json(spec), HasSubstr(R"("content": ")"));
}

TEST(SpecJson, EveryFieldOfTheFullSpec) {
  auto specs = example_specs();
  const ServiceSpec& original = example(specs, "kitchen-sink.yml");
  const ServiceSpec spec = round_trip(original);
  EXPECT_EQ(spec.name, original.name);
  EXPECT_EQ(spec.scheduler.principal, "kitchen-sink-principal");
  ASSERT_TRUE(spec.replacement_failure_policy);
  EXPECT_EQ(spec.replacement_failure_policy->min_replace_delay_s,
            original.replacement_failure_policy->min_replace_delay_s);
  ASSERT_EQ(spec.plans.size(), original.plans.size());
  for (std::size_t i = 0; i < spec.plans.size(); ++i) {
    ASSERT_EQ(spec.plans[i].phases.size(), original.plans[i].phases.size());
    for (std::size_t k = 0; k < spec.plans[i].phases.size(); ++k) {
      const PhaseSpec& a = original.plans[i].phases[k];
      const PhaseSpec& b = spec.plans[i].phases[k];
      EXPECT_EQ(b.steps.has_value(), a.steps.has_value()) << a.name;
      if (!a.steps || !b.steps) continue;
      ASSERT_EQ(b.steps->size(), a.steps->size());
      for (std::size_t e = 0; e < a.steps->size(); ++e) {
        EXPECT_EQ((*b.steps)[e].index, (*a.steps)[e].index);
        EXPECT_EQ((*b.steps)[e].steps, (*a.steps)[e].steps);
      }
    }
  }
}

std::string error_of(const std::string& text) {
  std::string error;
  auto spec = spec_from_json(text, error);
  EXPECT_FALSE(spec) << text;
  EXPECT_NE(error, "") << text;
  return error;
}

// A small stored configuration, with `task_b` spliced in as the pod's second task.
std::string with_second_task(const std::string& task_b) {
  return R"({"name": "svc", "pods": [{"type": "app", "tasks": [
             {"name": "a", "cmd": "./a", "env": {"X": "1"}}, )" +
         task_b + "]}]}";
}

TEST(SpecJson, NotJson) {
  EXPECT_THAT(error_of(""), StartsWith("not valid JSON: "));
  EXPECT_THAT(error_of("{\"name\": "), StartsWith("not valid JSON: "));
  EXPECT_THAT(error_of("name: svc"), StartsWith("not valid JSON: "));
  EXPECT_EQ(error_of("[1, 2]"), "expected an object at the top level");
}

TEST(SpecJson, WrongTypesNameTheirPath) {
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "cmd": 5})")),
            "pods[0].tasks[1].cmd: expected a string");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "env": {"HEAP": 1}})")),
            "pods[0].tasks[1].env.HEAP: expected a string");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "essential": "yes"})")),
            "pods[0].tasks[1].essential: expected true or false");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "goal": "WALKING"})")),
            "pods[0].tasks[1].goal: unknown value \"WALKING\" (expected RUNNING, FINISH or ONCE)");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "configs": {"c": {"content": []}}})")),
            "pods[0].tasks[1].configs.c.content: expected a string");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "kill-grace-period": 1.5})")),
            "pods[0].tasks[1].kill-grace-period: expected an integer");
  EXPECT_EQ(error_of(with_second_task(R"({"name": "b", "health-check": "./health"})")),
            "pods[0].tasks[1].health-check: expected an object");
  EXPECT_EQ(error_of(with_second_task("7")), "pods[0].tasks[1]: expected an object");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": {"app": {}}})"), "pods: expected an array");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"type": "app", "count": 10000000000}]})"),
            "pods[0].count: is out of range");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"type": "app", "count": -1}]})"),
            "pods[0].count: must be between 0 and 100000");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"type": "app", "resource-sets": [{"id": "r",
              "ports": {"http": {"ranges": [{"begin": "9000"}]}}}]}]})"),
            "pods[0].resource-sets[0].ports.http.ranges[0].begin: expected an integer");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"type": "app", "resource-sets": [{"id": "r",
              "resource-limits": {"cpus": "lots"}}]}]})"),
            "pods[0].resource-sets[0].resource-limits.cpus: expected a number, \"unlimited\" or "
            "null");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"type": "app", "rlimits": {"RLIMIT_CORE":
              {"soft": "1"}}}]})"),
            "pods[0].rlimits.RLIMIT_CORE.soft: expected an integer");
  EXPECT_EQ(error_of(R"({"name": "svc", "plans": [{"name": "deploy", "strategy": "sequential"}]})"),
            "plans[0].strategy: unknown value \"sequential\" (expected serial, parallel, "
            "serial-canary, parallel-canary or dependency)");
  EXPECT_EQ(error_of(R"({"name": "svc", "plans": [{"name": "deploy", "phases": [{"name": "p",
              "pod": "app", "steps": [{"default": [["a"], ["b", 3]]}]}]}]})"),
            "plans[0].phases[0].steps[0].default[1][1]: expected a string");
  EXPECT_EQ(error_of(R"({"name": "svc", "plans": [{"name": "deploy", "phases": [{"name": "p",
              "pod": "app", "steps": [{"first": []}]}]}]})"),
            "plans[0].phases[0].steps[0]: \"first\" is neither \"default\" nor a pod index");
  EXPECT_EQ(error_of(R"({"name": "svc", "plans": [{"name": "deploy", "phases": [{"name": "p",
              "pod": "app", "steps": [{"0": [], "1": []}]}]}]})"),
            "plans[0].phases[0].steps[0]: expected one member, \"default\" or a pod index");
}

TEST(SpecJson, PlacementMustParse) {
  EXPECT_THAT(
      error_of(R"({"name": "svc", "pods": [{"type": "app", "placement": "hostname:NEAR"}]})"),
      StartsWith("pods[0].placement: "));
}

TEST(SpecJson, RequiredNames) {
  EXPECT_EQ(error_of("{}"), "name: is required");
  EXPECT_EQ(error_of(R"({"pods": []})"), "name: is required");
  EXPECT_EQ(error_of(R"({"name": null})"), "name: expected a string");
  EXPECT_EQ(error_of(with_second_task(R"({"cmd": "./b"})")), "pods[0].tasks[1].name: is required");
  EXPECT_EQ(error_of(R"({"name": "svc", "pods": [{"count": 1}]})"), "pods[0].type: is required");
  EXPECT_EQ(
      error_of(R"({"name": "svc", "plans": [{"name": "deploy", "phases": [{"name": "p"}]}]})"),
      "plans[0].phases[0].pod: is required");
}

TEST(SpecJson, AbsentFieldsKeepTheDefaults) {
  // Configurations stored before the template text was written have no "content".
  std::string error;
  auto spec = spec_from_json(R"({"name": "svc", "pods": [{"type": "app", "tasks": [{"name": "t",
      "configs": {"c": {"template": "t.conf", "dest": "conf/t.conf"}}}]}]})",
                             error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->scheduler.user, "");
  EXPECT_FALSE(spec->replacement_failure_policy);
  const TaskSpec& t = spec->pods[0].tasks[0];
  EXPECT_TRUE(t.essential);
  EXPECT_EQ(t.goal, GoalState::running);
  ASSERT_EQ(t.configs.size(), 1u);
  EXPECT_EQ(t.configs[0].dest, "conf/t.conf");
  EXPECT_EQ(t.configs[0].content, "");
}

TEST(SpecJson, TruncatedTextIsAnErrorNotACrash) {
  auto specs = example_specs();
  const std::string text = to_json(example(specs, "kitchen-sink.yml"), -1);
  for (std::size_t n = 0; n < text.size(); ++n) {
    std::string error;
    EXPECT_FALSE(spec_from_json(std::string_view(text).substr(0, n), error));
    EXPECT_NE(error, "");
  }
}

}  // namespace
}  // namespace steward::spec
