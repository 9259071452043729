// `steward cluster up|status|down` as a user runs them: a daemon in the background.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
};

Outcome steward(const std::string& args) {
  std::string command = std::string(STEWARD_BINARY) + " " + args + " 2>&1";
  Outcome run;
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

class ClusterCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("steward-cluster-cli-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = (dir_ / "cluster.yml").string();
    std::ofstream(config_)
        << "agents:\n  - name: solo\n    simulated: true\n"
           "    resources: {cpus: 2, mem: 2048, disk: 4096, ports: 31000-31009}\n";
    data_ = "--data-dir " + (dir_ / "data").string();
  }
  void TearDown() override {
    steward("cluster down " + data_);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::string config_;
  std::string data_;
};

TEST_F(ClusterCommand, UpStatusDown) {
  Outcome up = steward("cluster up --listen 127.0.0.1:0 --config " + config_ + " " + data_);
  ASSERT_EQ(up.exit_code, 0) << up.out;
  EXPECT_THAT(up.out, HasSubstr("cluster up: http://127.0.0.1:"));
  Outcome again = steward("cluster up --listen 127.0.0.1:0 --config " + config_ + " " + data_);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.out, HasSubstr("already running"));
  Outcome status = steward("cluster status " + data_);
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_THAT(status.out, HasSubstr("solo"));
  EXPECT_THAT(status.out, HasSubstr("cpus 2  mem 2048  disk 4096  ports [31000-31009]"));
  EXPECT_THAT(status.out, HasSubstr("checkpoint written"));
  Outcome json = steward("cluster status --json " + data_);
  EXPECT_THAT(json.out, HasSubstr("\"agents\""));
  EXPECT_THAT(json.out, HasSubstr("\"checkpoint\""));
  Outcome down = steward("cluster down " + data_);
  EXPECT_EQ(down.exit_code, 0) << down.out;
  EXPECT_THAT(down.out, HasSubstr("cluster down"));
  Outcome gone = steward("cluster status " + data_);
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.out, HasSubstr("no cluster is running"));
}

TEST_F(ClusterCommand, BadConfigExitsTwoWithFileLineAndField) {
  std::ofstream(config_) << "agents:\n  - resources: {cpus: lots}\n";
  Outcome up = steward("cluster up --listen 127.0.0.1:0 --config " + config_ + " " + data_);
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_THAT(up.out, HasSubstr("cluster.yml:2:"));
  EXPECT_THAT(up.out, HasSubstr("agents[0].resources.cpus: must be a number"));
}

TEST_F(ClusterCommand, BadListenAddressAndUnknownAgent) {
  EXPECT_EQ(steward("cluster up --listen nowhere " + data_).exit_code, 2);
  ASSERT_EQ(steward("cluster up --listen 127.0.0.1:0 --config " + config_ + " " + data_).exit_code,
            0);
  Outcome agent = steward("cluster agent stop nosuch " + data_);
  EXPECT_EQ(agent.exit_code, 2);
  EXPECT_THAT(agent.out, HasSubstr("no agent nosuch"));
}

}  // namespace
