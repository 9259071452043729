// `steward plan preview` run as a process.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

using ::testing::HasSubstr;

struct Output {
  int exit_code = -1;
  std::string text;
};

Output run(const std::string& args) {
  Output o;
  FILE* pipe = popen((std::string(STEWARD_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return o;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    o.text.append(buf.data(), n);
  int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

const std::string kHello = std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml";

TEST(PlanPreviewCommand, PrintsEveryPlanAsATree) {
  Output o = run("plan preview " + kHello);
  EXPECT_EQ(o.exit_code, 0) << o.text;
  EXPECT_EQ(o.text,
            "deploy (serial strategy) (PENDING)\n"
            "├─ hello (parallel strategy) (PENDING)\n"
            "│  ├─ hello-0:[server] (PENDING)\n"
            "│  └─ hello-1:[server] (PENDING)\n"
            "└─ world (serial strategy) (PENDING)\n"
            "   ├─ world-0:[prepare] (PENDING)\n"
            "   ├─ world-0:[server] (PENDING)\n"
            "   ├─ world-1:[prepare] (PENDING)\n"
            "   └─ world-1:[server] (PENDING)\n"
            "\n"
            "sidecar (serial strategy) (WAITING)\n"
            "└─ sidecar (parallel strategy) (PENDING)\n"
            "   ├─ world-0:[sidecar] (PENDING)\n"
            "   └─ world-1:[sidecar] (PENDING)\n");
}

TEST(PlanPreviewCommand, EnvShapesThePlans) {
  Output o = run("plan preview --env WORLD_COUNT=3 " + kHello);
  EXPECT_EQ(o.exit_code, 0) << o.text;
  EXPECT_THAT(o.text, HasSubstr("world-2:[server] (PENDING)"));
}

TEST(PlanPreviewCommand, JsonIsPlanInfoWithTimestamps) {
  Output o = run("plan preview --json " + kHello);
  EXPECT_EQ(o.exit_code, 0) << o.text;
  EXPECT_THAT(o.text, HasSubstr("\"name\": \"deploy\""));
  EXPECT_THAT(o.text, HasSubstr("\"strategy\": \"serial\""));
  EXPECT_THAT(o.text, HasSubstr("\"name\": \"world-0:[prepare]\""));
  EXPECT_THAT(o.text, HasSubstr("\"created\": \"20"));
  EXPECT_THAT(o.text, HasSubstr("\"completed\": null"));
}

TEST(PlanPreviewCommand, AfterDeployShowsTheUpdatePlan) {
  const std::string spec =
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/update-plan.yml";
  Output first = run("plan preview " + spec);
  EXPECT_EQ(first.exit_code, 0) << first.text;
  EXPECT_THAT(first.text, HasSubstr("node-0:[format] (PENDING)"));
  Output later = run("plan preview --after-deploy " + spec);
  EXPECT_EQ(later.exit_code, 0) << later.text;
  EXPECT_EQ(later.text,
            "deploy (serial strategy) (PENDING)\n"
            "└─ nodes (parallel strategy) (PENDING)\n"
            "   ├─ node-0:[server] (PENDING)\n"
            "   ├─ node-1:[server] (PENDING)\n"
            "   └─ node-2:[server] (PENDING)\n");
}

TEST(PlanPreviewCommand, InvalidSpecExitsTwo) {
  Output o = run("plan preview /nonexistent/svc.yml");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.text, HasSubstr("no such file"));
  EXPECT_EQ(run("plan").exit_code, 2);
}

}  // namespace
