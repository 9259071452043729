#include "scheduler/log.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace steward::scheduler {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

TEST(Log, ALineGoesOutAtOnceStampedAndNamed) {
  CaptureStderr();
  log("svc", "hello");
  const std::string out = GetCapturedStderr();
  EXPECT_TRUE(std::regex_match(out, std::regex(R"(\d\d:\d\d:\d\d\.\d\d\d \[svc\] hello\n)")))
      << out;
}

// Within a batch (a launch pass) nothing is written until the outermost batch ends, and then
// every line, in order, each with its own stamp.
TEST(Log, ABatchWritesItsLinesTogetherWhenTheOutermostEnds) {
  CaptureStderr();
  {
    LogBatch batch;
    log("svc", "one");
    {
      LogBatch inner;
      log("svc", "two");
    }
    EXPECT_EQ(GetCapturedStderr(), "");  // not even when the inner batch ended
    CaptureStderr();
    log("svc", "three");
  }
  const std::string out = GetCapturedStderr();
  EXPECT_TRUE(
      std::regex_match(out, std::regex(R"((\d\d:\d\d:\d\d\.\d\d\d \[svc\] (one|two|three)\n){3})")))
      << out;
  EXPECT_LT(out.find("one"), out.find("two"));
  EXPECT_LT(out.find("two"), out.find("three"));
  CaptureStderr();
  {
    LogBatch batch;
    log("svc", "before a wait");
    LogBatch::write_now();  // what a pass does before it may wait for the master
    EXPECT_NE(GetCapturedStderr().find("[svc] before a wait\n"), std::string::npos);
    CaptureStderr();
  }
  EXPECT_EQ(GetCapturedStderr(), "");  // written once only
  CaptureStderr();
  log("svc", "after");  // the batch is over: at once again
  EXPECT_NE(GetCapturedStderr().find("[svc] after\n"), std::string::npos);
}

}  // namespace
}  // namespace steward::scheduler
