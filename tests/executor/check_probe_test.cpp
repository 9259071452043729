#include "executor/check_probe.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace steward::executor {
namespace {

namespace fs = std::filesystem;

// What an HTTP probe printed is read back from the task's sandbox, where the task may have
// put something else in its place: a link is not followed, a FIFO not waited on.
TEST(HttpStatus, IsReadOnlyFromTheRegularFileTheProbeWrote) {
  char pattern[] = "/tmp/steward-probe-XXXXXX";
  const fs::path dir = mkdtemp(pattern);
  std::ofstream(dir / "status") << "204\n";
  std::ofstream(dir / "garbage") << "not a number\n";
  std::ofstream(dir / "huge") << "123456\n";
  fs::create_symlink(dir / "status", dir / "link");
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0644), 0);
  EXPECT_EQ(read_http_status((dir / "status").string()), 204);
  EXPECT_EQ(read_http_status((dir / "missing").string()), std::nullopt);
  EXPECT_EQ(read_http_status((dir / "garbage").string()), std::nullopt);
  EXPECT_EQ(read_http_status((dir / "huge").string()), std::nullopt);
  EXPECT_EQ(read_http_status((dir / "link").string()), std::nullopt);
  EXPECT_EQ(read_http_status((dir / "fifo").string()), std::nullopt);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace steward::executor
