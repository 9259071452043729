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
    fs::create_directories(sandbox_ / "config-templates");
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
  // Both phases, as the executor runs them.
  bool render(const Env& env, std::optional<FileOwner> as, std::vector<std::string>& created,
              std::string& error) const {
    std::vector<RenderedConfig> rendered;
    return render_config_templates(sandbox_.string(), env, rendered, error) &&
           write_config_templates(sandbox_.string(), rendered, as, created, error);
  }
  fs::path sandbox_;
};

std::optional<FileOwner> nobody() {
  struct passwd* pw = getpwnam("nobody");
  if (pw == nullptr) return std::nullopt;
  return FileOwner{pw->pw_uid, pw->pw_gid};
}

TEST_F(ConfigTemplates, EachIsRenderedWithTheTaskEnvironmentIntoItsDest) {
  write("config-templates/server-conf",
        "port = {{PORT}}\n{{#TLS}}tls = on\n{{/TLS}}{{^TLS}}tls = off\n{{/TLS}}"
        "name = {{NAME}}\nraw = {{{RAW}}}\nmissing = [{{NOT_SET}}]\n");
  write("config-templates/other", "{{PORT}}");
  write("other.txt", "an older, longer text");
  const Env env = {
      {"PORT", "8080"},
      {"TLS", "true"},
      {"NAME", "a&b"},
      {"RAW", "a&b"},
      {"CONFIG_TEMPLATE_SERVER_CONF", "config-templates/server-conf,conf/deep/server.conf"},
      {"CONFIG_TEMPLATE_OTHER", "config-templates/other,./other.txt"}};
  std::vector<std::string> created;
  std::string error;
  ASSERT_TRUE(render(env, std::nullopt, created, error)) << error;
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
  EXPECT_TRUE(render({{"PORT", "1"}}, std::nullopt, created, error));
  EXPECT_TRUE(created.empty());
}

TEST_F(ConfigTemplates, WhatCannotBeRenderedIsAnErrorNamingTheTemplate) {
  write("config-templates/broken", "{{#open}} never closed");
  std::string deep;
  for (int i = 0; i < 40; ++i)
    deep += "{{#S}}";
  write("config-templates/deep", deep);
  write("config-templates/good", "x");
  write("outside-the-folder", "x");
  fs::create_symlink(sandbox_ / "config-templates/good", sandbox_ / "config-templates/link");
  fs::create_directories(sandbox_ / "config-templates/folder");
  fs::create_directories(sandbox_ / "a-folder");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"config-templates/missing,out", "cannot read config-templates/missing: No such file"},
      {"config-templates/link,out", "cannot read config-templates/link: Too many levels"},
      {"config-templates/folder,out", "config-templates/folder is not a regular file"},
      {"config-templates/good", "want \"config-templates/<file>,<dest>\""},
      {"outside-the-folder,out", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/../outside-the-folder,out", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/good,../outside", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/good,/etc/outside", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/good,", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/good,conf/", "want \"config-templates/<file>,<dest>\""},
      {"config-templates/good,a-folder", "cannot write " + (sandbox_ / "a-folder").string()},
      {"config-templates/broken,out", "config template X (config-templates/broken,out): "},
      {"config-templates/deep,out", "nested more than 32 deep"},
  };
  for (const auto& [value, message] : cases) {
    std::vector<std::string> created;
    std::string error;
    EXPECT_FALSE(render({{"CONFIG_TEMPLATE_X", value}}, std::nullopt, created, error)) << value;
    EXPECT_NE(error.find(message), std::string::npos) << value << ": " << error;
    EXPECT_NE(error.find("config template X"), std::string::npos) << error;
    EXPECT_TRUE(created.empty()) << value;
  }
  EXPECT_FALSE(fs::exists(sandbox_ / "out"));
  EXPECT_FALSE(fs::exists(sandbox_.parent_path() / "outside"));
}

// A FIFO the task left at a dest (in its volume, say) is refused, not waited on; so is
// anything but a regular file.
TEST_F(ConfigTemplates, OnlyARegularFileIsWritten) {
  write("config-templates/good", "x");
  ASSERT_EQ(mkfifo((sandbox_ / "fifo").c_str(), 0644), 0);
  std::vector<std::string> created;
  std::string error;
  EXPECT_FALSE(
      render({{"CONFIG_TEMPLATE_X", "config-templates/good,fifo"}}, std::nullopt, created, error));
  EXPECT_NE(error.find("cannot write " + (sandbox_ / "fifo").string()), std::string::npos)
      << error;
  // Nor is a device, however it is reached.
  fs::create_symlink("/dev/null", sandbox_ / "device");
  EXPECT_FALSE(render({{"CONFIG_TEMPLATE_X", "config-templates/good,device"}}, std::nullopt,
                      created, error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
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

// Run by a root executor for a task of another user, the files are written as that user: a
// link the task left in its volume does not lead it to write a file the task could not, nor
// do the executor's groups go with it.
TEST_F(ConfigTemplates, ARootExecutorWritesAsTheTasksUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  const std::optional<FileOwner> as = nobody();
  ASSERT_TRUE(as);
  const int groups = getgroups(0, nullptr);
  std::vector<gid_t> saved(static_cast<std::size_t>(groups));
  if (groups > 0) getgroups(groups, saved.data());
  write("config-templates/tmpl", "rendered");
  chmod((sandbox_ / "config-templates/tmpl").c_str(), 0600);  // the executor's to read
  ASSERT_EQ(chown(sandbox_.c_str(), as->uid, as->gid), 0);
  char pattern[] = "/tmp/steward-victim-XXXXXX";
  const fs::path victim_dir = mkdtemp(pattern);
  const fs::path victim = victim_dir / "root-only";
  // This thread's groups back, and the root-owned files gone, however the test ends.
  const std::shared_ptr<void> cleanup(nullptr, [&](void*) {
    syscall(SYS_setgroups, saved.size(), saved.data());
    fs::remove_all(victim_dir);
  });
  std::ofstream(victim) << "kept";
  chmod(victim_dir.c_str(), 0755);
  chmod(victim.c_str(), 0644);
  fs::create_symlink(victim, sandbox_ / "planted");

  std::vector<std::string> created;
  std::string error;
  EXPECT_FALSE(
      render({{"CONFIG_TEMPLATE_X", "config-templates/tmpl,planted"}}, as, created, error));
  EXPECT_NE(error.find("cannot write " + (sandbox_ / "planted").string() + ": Permission denied"),
            std::string::npos)
      << error;
  std::ifstream in(victim);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "kept");

  // Where the task may write, the file is the task's.
  ASSERT_TRUE(render({{"CONFIG_TEMPLATE_X", "config-templates/tmpl,conf/out"}}, as, created, error))
      << error;
  struct stat st {};
  ASSERT_EQ(stat((sandbox_ / "conf/out").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, as->uid);
  EXPECT_EQ(read("conf/out"), "rendered");

  // A folder only group 0 may enter stays closed to it.
  const gid_t root_group = 0;
  ASSERT_EQ(syscall(SYS_setgroups, 1, &root_group), 0);  // this thread's alone
  fs::create_directories(sandbox_ / "group-only");
  ASSERT_EQ(chmod((sandbox_ / "group-only").c_str(), 0770), 0);
  EXPECT_FALSE(
      render({{"CONFIG_TEMPLATE_X", "config-templates/tmpl,group-only/out"}}, as, created, error));
  EXPECT_NE(error.find("Permission denied"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(sandbox_ / "group-only/out"));
  EXPECT_EQ(getgroups(0, nullptr), 1) << "the thread's groups are back";

  // And the thread is root again.
  EXPECT_EQ(setfsuid(static_cast<uid_t>(-1)), 0);
  EXPECT_EQ(setfsgid(static_cast<gid_t>(-1)), 0);
}

// The sandbox's ancestors may be closed to the task's user (a root cluster's data under
// /root): the files are written from the sandbox down, never looked up from /.
TEST_F(ConfigTemplates, ARootExecutorWritesUnderAClosedAncestor) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  const std::optional<FileOwner> as = nobody();
  ASSERT_TRUE(as);
  const fs::path inner = sandbox_ / "closed" / "sandbox";
  fs::create_directories(inner / "config-templates");
  std::ofstream(inner / "config-templates/tmpl") << "{{X}}";
  ASSERT_EQ(chmod((sandbox_ / "closed").c_str(), 0700), 0);
  std::vector<RenderedConfig> rendered;
  std::string error;
  ASSERT_TRUE(render_config_templates(
      inner.string(), {{"X", "ok"}, {"CONFIG_TEMPLATE_T", "config-templates/tmpl,conf/out"}},
      rendered, error))
      << error;
  ASSERT_EQ(chown(inner.c_str(), as->uid, as->gid), 0);
  std::vector<std::string> created;
  ASSERT_TRUE(write_config_templates(inner.string(), rendered, as, created, error)) << error;
  EXPECT_EQ(read("closed/sandbox/conf/out"), "ok");
}

}  // namespace
}  // namespace steward::executor
