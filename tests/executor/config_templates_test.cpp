#include "executor/config_templates.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace steward::executor {
namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::string>>;

class ConfigTemplates : public ::testing::Test {
 protected:
  ConfigTemplates() {
    char pattern[] = "/tmp/steward-templates-XXXXXX";
    sandbox_ = mkdtemp(pattern);
  }
  ~ConfigTemplates() override { fs::remove_all(sandbox_); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(sandbox_ / name) << text;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(sandbox_ / name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  fs::path sandbox_;
};

TEST_F(ConfigTemplates, EachIsRenderedWithTheTaskEnvironmentIntoItsDest) {
  write("server-conf",
        "port = {{PORT}}\n{{#TLS}}tls = on\n{{/TLS}}{{^TLS}}tls = off\n{{/TLS}}"
        "name = {{NAME}}\nraw = {{{RAW}}}\nmissing = [{{NOT_SET}}]\n");
  write("other", "{{PORT}}");
  const Env env = {{"PORT", "8080"},
                   {"TLS", "true"},
                   {"NAME", "a&b"},
                   {"RAW", "a&b"},
                   {"CONFIG_TEMPLATE_SERVER_CONF", "server-conf,conf/deep/server.conf"},
                   {"CONFIG_TEMPLATE_OTHER", "other,other.txt"}};
  std::vector<std::string> created;
  std::string error;
  ASSERT_TRUE(render_config_templates(sandbox_.string(), env, std::nullopt, created, error))
      << error;
  EXPECT_EQ(read("conf/deep/server.conf"),
            "port = 8080\ntls = on\nname = a&amp;b\nraw = a&b\nmissing = []\n");
  EXPECT_EQ(read("other.txt"), "8080");
  EXPECT_EQ(created,
            (std::vector<std::string>{
                (sandbox_ / "conf").string(), (sandbox_ / "conf/deep").string(),
                (sandbox_ / "conf/deep/server.conf").string(), (sandbox_ / "other.txt").string()}));
}

TEST_F(ConfigTemplates, NoneIsNothingToDo) {
  std::vector<std::string> created;
  std::string error;
  EXPECT_TRUE(
      render_config_templates(sandbox_.string(), {{"PORT", "1"}}, std::nullopt, created, error));
  EXPECT_TRUE(created.empty());
  EXPECT_TRUE(fs::is_empty(sandbox_));
}

TEST_F(ConfigTemplates, WhatCannotBeRenderedIsAnErrorNamingTheTemplate) {
  write("broken", "{{#open}} never closed");
  std::string deep;
  for (int i = 0; i < 40; ++i)
    deep += "{{#S}}";
  write("deep", deep);
  write("good", "x");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing,out", "cannot read missing: No such file or directory"},
      {"good", "want \"<file>,<dest>\""},
      {"good,../outside", "want \"<file>,<dest>\""},
      {"good,/etc/outside", "want \"<file>,<dest>\""},
      {"../good,out", "want \"<file>,<dest>\""},
      {"good,", "want \"<file>,<dest>\""},
      {"broken,out", "config template X (broken,out): "},
      {"deep,out", "nested more than 32 deep"},
  };
  for (const auto& [value, message] : cases) {
    std::vector<std::string> created;
    std::string error;
    EXPECT_FALSE(render_config_templates(sandbox_.string(), {{"CONFIG_TEMPLATE_X", value}},
                                         std::nullopt, created, error))
        << value;
    EXPECT_NE(error.find(message), std::string::npos) << value << ": " << error;
    EXPECT_NE(error.find("config template X"), std::string::npos) << error;
    EXPECT_TRUE(created.empty()) << value;
  }
  EXPECT_FALSE(fs::exists(sandbox_ / "out"));
  EXPECT_FALSE(fs::exists(sandbox_.parent_path() / "outside"));
}

// The scheduler's artifacts that CONFIG_TEMPLATE_* names go to config-templates/, apart from
// what the pod's `uris` bring; everything else to the sandbox.
TEST_F(ConfigTemplates, TheTaskTemplatesAreFetchedIntoAFolderOfTheirOwn) {
  const Env env = {{"CONFIG_TEMPLATE_APP", "config-templates/app,conf/app"}};
  const std::string s = sandbox_.string();
  EXPECT_EQ(fetch_folder(s, "http://h:1/v1/artifacts/template/c/p/t/app", env),
            (sandbox_ / "config-templates/").string());
  EXPECT_EQ(fetch_folder(s, "http://h:1/v1/artifacts/template/c/p/t/other", env), s);
  EXPECT_EQ(fetch_folder(s, "http://h:1/files/app", env), s);
  EXPECT_EQ(fetch_folder(s, "http://h:1/v1/artifacts/template/c/p/t/app", {}), s);
}

// Run by a root executor for a task of another user, rendering reads and writes as that user:
// a link the task left in its volume does not lead it to write a file the task could not.
TEST_F(ConfigTemplates, ARootExecutorRendersAsTheTasksUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  struct passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const FileOwner as{nobody->pw_uid, nobody->pw_gid};
  const int groups = getgroups(0, nullptr);
  ASSERT_EQ(chown(sandbox_.c_str(), as.uid, as.gid), 0);
  write("tmpl", "rendered");
  chmod((sandbox_ / "tmpl").c_str(), 0600);  // read by the executor, not by the task's user
  char pattern[] = "/tmp/steward-victim-XXXXXX";
  const fs::path victim_dir = mkdtemp(pattern);
  const std::shared_ptr<void> cleanup(nullptr, [&](void*) { fs::remove_all(victim_dir); });
  const fs::path victim = victim_dir / "root-only";
  std::ofstream(victim) << "kept";
  chmod(victim_dir.c_str(), 0755);
  chmod(victim.c_str(), 0644);
  fs::create_symlink(victim, sandbox_ / "planted");

  std::vector<std::string> created;
  std::string error;
  EXPECT_FALSE(render_config_templates(sandbox_.string(), {{"CONFIG_TEMPLATE_X", "tmpl,planted"}},
                                       as, created, error));
  EXPECT_NE(error.find("cannot write " + (sandbox_ / "planted").string() + ": Permission denied"),
            std::string::npos)
      << error;
  std::ifstream in(victim);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "kept");

  // Where the task may write, the file is the task's.
  ASSERT_TRUE(render_config_templates(sandbox_.string(), {{"CONFIG_TEMPLATE_X", "tmpl,conf/out"}},
                                      as, created, error))
      << error;
  struct stat st {};
  ASSERT_EQ(stat((sandbox_ / "conf/out").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, as.uid);
  EXPECT_EQ(read("conf/out"), "rendered");
  // Nor does it keep the executor's supplementary groups: a folder only group 0 may enter.
  std::vector<gid_t> saved(static_cast<std::size_t>(groups));
  if (groups > 0) getgroups(groups, saved.data());
  const gid_t root_group = 0;
  ASSERT_EQ(syscall(SYS_setgroups, 1, &root_group), 0);  // this thread's alone
  fs::create_directories(sandbox_ / "group-only");
  ASSERT_EQ(chmod((sandbox_ / "group-only").c_str(), 0770), 0);
  EXPECT_FALSE(render_config_templates(
      sandbox_.string(), {{"CONFIG_TEMPLATE_X", "tmpl,group-only/out"}}, as, created, error));
  EXPECT_NE(error.find("Permission denied"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(sandbox_ / "group-only/out"));
  EXPECT_EQ(getgroups(0, nullptr), 1) << "the thread's groups are back";
  ASSERT_EQ(syscall(SYS_setgroups, saved.size(), saved.data()), 0);

  // The thread is root again, with its groups.
  EXPECT_EQ(setfsuid(static_cast<uid_t>(-1)), 0);
  EXPECT_EQ(setfsgid(static_cast<gid_t>(-1)), 0);
  EXPECT_EQ(getgroups(0, nullptr), groups);
}

// The sandbox's ancestors may be closed to the task's user (a root cluster's data under
// /root): the files are written from the sandbox down, never looked up from /.
TEST_F(ConfigTemplates, ARootExecutorWritesUnderAClosedAncestor) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  struct passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const FileOwner as{nobody->pw_uid, nobody->pw_gid};
  const fs::path inner = sandbox_ / "closed" / "sandbox";
  fs::create_directories(inner);
  ASSERT_EQ(chmod((sandbox_ / "closed").c_str(), 0700), 0);
  ASSERT_EQ(chown(inner.c_str(), as.uid, as.gid), 0);
  std::ofstream(inner / "tmpl") << "{{X}}";
  std::vector<std::string> created;
  std::string error;
  ASSERT_TRUE(render_config_templates(
      inner.string(), {{"X", "ok"}, {"CONFIG_TEMPLATE_T", "tmpl,conf/out"}}, as, created, error))
      << error;
  EXPECT_EQ(read("closed/sandbox/conf/out"), "ok");
}

}  // namespace
}  // namespace steward::executor
