// Runs the real `steward` binary, as a user would.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, in order
};

RunResult steward(const std::string& args, const std::string& env = "") {
  std::string command = env + " " + STEWARD_BINARY + " " + args + " 2>&1";
  RunResult run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    run.out.append(buf.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string example(const std::string& name) {
  return std::string(STEWARD_SOURCE_DIR) + "/examples/" + name;
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() / ("steward-cli-" + std::to_string(::getpid()) +
                                                       "-" + std::to_string(counter_++) + ".yml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(ValidateCommand, ValidSpecPrintsTheSummaryAndExitsZero) {
  RunResult r = steward("validate " + example("hello-world/svc.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, StartsWith("hello-world: valid"));
  EXPECT_THAT(r.out, HasSubstr("hello x2"));
  EXPECT_THAT(r.out, HasSubstr("world x2"));
  EXPECT_THAT(r.out, HasSubstr("prepare (FINISH)"));
  EXPECT_THAT(r.out, HasSubstr("sidecar (ONCE)"));
  EXPECT_THAT(r.out,
              HasSubstr("deploy (serial): hello parallel [2 steps], world serial [4 steps]"));
  EXPECT_THAT(r.out, HasSubstr("sidecar (serial): sidecar parallel [2 steps]"));
}

TEST(ValidateCommand, EnvFlagsFeedTheTemplate) {
  TempFile env_file("# counts\nexport HELLO_COUNT=4\nWORLD_COUNT='3'\n");
  // Flags before the positional spec must not swallow it.
  RunResult r = steward("validate --env-file " + env_file.path() + " --env HELLO_COUNT=5 " +
                        example("hello-world/svc.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("hello x5"));  // --env wins over --env-file
  EXPECT_THAT(r.out, HasSubstr("world x3"));
}

TEST(ValidateCommand, ProcessEnvironmentFeedsTheTemplate) {
  RunResult r = steward("validate " + example("hello-world/svc.yml"), "HELLO_COUNT=7");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("hello x7"));
}

TEST(ValidateCommand, InvalidSpecListsEveryErrorAndExitsTwo) {
  TempFile spec(
      "name: svc\npods:\n  app:\n    count: 1\n    tasks:\n      server:\n        goal: RUN\n"
      "        cmd: x\n        cpus: 0\n        memory: 1\n");
  RunResult r = steward("validate " + spec.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr(spec.path() + ":7:15: error: pods.app.tasks.server.goal: must be "
                                             "RUNNING, FINISH or ONCE, got \"RUN\""));
  EXPECT_THAT(r.out,
              HasSubstr(spec.path() +
                        ":9:15: error: pods.app.tasks.server.cpus: must be greater than 0, got 0"));
  EXPECT_THAT(r.out, HasSubstr("2 errors in " + spec.path()));
}

TEST(ValidateCommand, StrictFailsOnMissingVariables) {
  TempFile spec(
      "name: svc\npods:\n  app:\n    count: {{COUNT}}\n    tasks:\n      t: {goal: RUNNING, cmd: "
      "x, cpus: 1, memory: 1}\n");
  RunResult lenient = steward("validate " + spec.path() + " --env COUNT=1");
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out;
  RunResult strict = steward("validate --strict " + spec.path());
  EXPECT_EQ(strict.exit_code, 2) << strict.out;
  EXPECT_THAT(strict.out, HasSubstr(spec.path() + ":4: error: template variable COUNT is not set"));
}

TEST(ValidateCommand, JsonOutput) {
  RunResult ok = steward("validate --json " + example("hello-world/svc.yml"));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("\"valid\": true"));
  EXPECT_THAT(ok.out, HasSubstr("\"name\": \"hello-world\""));
  TempFile spec("name: svc\n");
  RunResult bad = steward("validate --json " + spec.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("\"valid\": false"));
  EXPECT_THAT(bad.out, HasSubstr("\"path\": \"pods\""));
  EXPECT_THAT(bad.out, HasSubstr("\"message\": \"is required\""));
}

TEST(ValidateCommand, JsonSurvivesInvalidUtf8) {
  TempFile good(
      "name: svc\npods:\n  app:\n    count: 1\n    tasks:\n      t: {goal: RUNNING, cmd: \"echo "
      "\xff\xfe\", cpus: 1, memory: 1}\n");
  RunResult ok = steward("validate --json " + good.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("\"valid\": true"));
  TempFile bad(
      "name: svc\npods:\n  app:\n    count: 1\n    b\xff"
      "d: 1\n    tasks:\n      t: {goal: RUNNING, cmd: x, cpus: 1, memory: 1}\n");
  RunResult refused = steward("validate --json " + bad.path());
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("unknown field"));
}

TEST(ValidateCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(steward("validate").exit_code, 2);
  EXPECT_EQ(steward("no-such-command").exit_code, 2);
  EXPECT_EQ(steward("validate " + example("hello-world/svc.yml") + " --env NOEQUALS").exit_code, 2);
  RunResult missing = steward("validate /nonexistent/svc.yml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.out, HasSubstr("/nonexistent/svc.yml: error: no such file"));
}

TEST(ValidateCommand, HelpShowsAnExample) {
  RunResult r = steward("validate --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Example:"));
  EXPECT_THAT(steward("--version").out, StartsWith("steward "));
  // The allocator it runs on: glibc's under the sanitizers, jemalloc in a release build.
  EXPECT_THAT(steward("--version").out, ContainsRegex(R"(\((glibc malloc|jemalloc 5\.[^)]+)\))"));
}

}  // namespace
