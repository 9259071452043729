#include "common/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace steward {
namespace {

TEST(ProcessStat, ReadsStateSessionAndThreadsOfALiveProcess) {
  auto st = process_stat(getpid());
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->exited());
  EXPECT_EQ(st->session, getsid(0));
  EXPECT_GE(st->threads, 1);
  EXPECT_FALSE(process_stat(0));
  EXPECT_FALSE(process_stat(-1));
}

// A command name with spaces and parentheses does not shift the fields; a zombie counts as
// exited, and its session as empty.
TEST(ProcessStat, SeesAZombieWhateverItsName) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setsid();
    prctl(PR_SET_NAME, "a) b (c", 0, 0, 0);
    char c = 1;
    (void)!write(ready[1], &c, 1);
    for (;;)
      pause();
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  auto st = process_stat(child);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->exited());
  EXPECT_EQ(st->session, child);
  EXPECT_EQ(session_sizes({child})[child], 1u);

  ASSERT_EQ(kill(child, SIGKILL), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    st = process_stat(child);
    if (st && st->exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(st && st->exited()) << "not reaped yet, so a zombie";
  EXPECT_EQ(session_sizes({child})[child], 0u);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
}

}  // namespace
}  // namespace steward
