#include "spec/environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec_test_util.hpp"

namespace steward::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(Environment, AssignmentsNeedAKey) {
  std::map<std::string, std::string> env;
  EXPECT_TRUE(apply_assignment("A=1=2", env));
  EXPECT_TRUE(apply_assignment("EMPTY=", env));
  EXPECT_FALSE(apply_assignment("=x", env));
  EXPECT_FALSE(apply_assignment("NOEQUALS", env));
  EXPECT_THAT(env, ElementsAre(Pair("A", "1=2"), Pair("EMPTY", "")));
}

TEST(Environment, EnvFilesSkipCommentsUnquoteAndReportBadLines) {
  testing::TempDir dir;
  dir.write("prod.env",
            "# comment\n\nexport A=1\nB = 'two words'\nC=\"x\"\nbroken line\nD='unbalanced\n");
  std::map<std::string, std::string> env = {{"A", "old"}};
  Diagnostics d;
  read_env_file(dir.path() + "/prod.env", env, d);
  EXPECT_THAT(env, ElementsAre(Pair("A", "1"), Pair("B", "two words"), Pair("C", "x"),
                               Pair("D", "'unbalanced")));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].to_string(),
            dir.path() + "/prod.env:6:1: error: expected KEY=VALUE, got \"broken line\"");
}

TEST(Environment, MissingEnvFileIsAnError) {
  std::map<std::string, std::string> env;
  Diagnostics d;
  read_env_file("/nonexistent/prod.env", env, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].to_string(), "/nonexistent/prod.env: error: cannot read the env file");
}

TEST(Environment, ProcessEnvironmentIsRead) {
  setenv("STEWARD_ENV_TEST", "42", 1);
  EXPECT_EQ(process_environment().at("STEWARD_ENV_TEST"), "42");
}

}  // namespace
}  // namespace steward::spec
