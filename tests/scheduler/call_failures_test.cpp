#include "scheduler/call_failures.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "scheduler_process.hpp"
#include "scripted_master.hpp"

namespace steward::scheduler {
namespace {

struct Lines {
  std::vector<std::string> said;
  CallFailures::Log log() {
    return [this](const std::string& line) { said.push_back(line); };
  }
};

// The ACKNOWLEDGEs in flight when a subscription ends fail together: one line, not one each.
// Another error is told; a call that goes through ends the run, once.
TEST(CallFailures, ABurstIsOneLineAndItsEndAnother) {
  Lines lines;
  CallFailures calls(lines.log());
  calls.succeeded("ACKNOWLEDGE", 99);  // nothing failing: nothing to say
  for (int i = 0; i < 50; ++i)
    calls.failed("ACKNOWLEDGE", "not subscribed", 100 + i * 0.01);
  calls.failed("ACKNOWLEDGE", "Connection reset", 101);
  calls.failed("ACKNOWLEDGE", "Connection reset", 101);
  calls.succeeded("ACKNOWLEDGE", 103.2);
  calls.succeeded("ACKNOWLEDGE", 103.3);
  EXPECT_EQ(lines.said, (std::vector<std::string>{
                            "ACKNOWLEDGE failed: not subscribed",
                            "ACKNOWLEDGE still failing after 51 tries over 1 s: Connection reset",
                            "ACKNOWLEDGE goes through again; it had failed 52 tries over 3 s",
                        }));
  lines.said.clear();
  calls.failed("ACKNOWLEDGE", "not subscribed", 500);
  EXPECT_EQ(lines.said, std::vector<std::string>{"ACKNOWLEDGE failed: not subscribed"})
      << "a new run of failures begins again";
}

// A SUPPRESS a master keeps refusing is tried at every tick: a line a minute, not ten a
// second. Each kind of call has a run of its own.
TEST(CallFailures, ARefusalTriedEveryTickIsToldOnceAMinuteAndKindsApart) {
  Lines lines;
  CallFailures calls(lines.log());
  for (int tick = 0; tick <= 1200; ++tick)  // two minutes of ticks of 0.1 s
    calls.failed("SUPPRESS", "403 Forbidden", 1000 + tick / 10.0);
  calls.failed("TEARDOWN", "403 Forbidden", 1120);
  calls.succeeded("TEARDOWN", 1121);
  EXPECT_EQ(lines.said, (std::vector<std::string>{
                            "SUPPRESS failed: 403 Forbidden",
                            "SUPPRESS still failing after 601 tries over 60 s: 403 Forbidden",
                            "SUPPRESS still failing after 1201 tries over 120 s: 403 Forbidden",
                            "TEARDOWN failed: 403 Forbidden",
                            "TEARDOWN goes through again; it had failed 1 try over 1 s",
                        }));
  lines.said.clear();
  calls.succeeded("SUPPRESS", 1130);
  EXPECT_EQ(lines.said, std::vector<std::string>{
                            "SUPPRESS goes through again; it had failed 1201 tries over 130 s"});
}

// The real scheduler, idle (no pod to deploy), against a master that refuses its SUPPRESS: it
// tries again at every tick, and its log says so once, then once when one goes through.
TEST(CallFailures, TheSchedulerTellsOfARefusedSuppressOnceAndOfItsEndOnce) {
  testing::ScriptedMaster master;
  master.refuse("SUPPRESS", 403, "not allowed here");
  cluster::testing::TempDir dir;
  const std::string spec = testing::write_spec(
      dir.path(), "svc.yml", testing::one_task_spec("svc", 0, "RUNNING", "sleep 1000"));
  mesos::Event subscribed;
  subscribed.type = mesos::Event::Type::subscribed;
  subscribed.framework_id = "fw-1";
  master.push(subscribed);
  testing::SchedulerProcess s(spec, master.port(), (dir.path() / "data").string(), "svc",
                              testing::kFast);
  ASSERT_TRUE(testing::eventually([&] { return master.count("SUPPRESS") >= 10; }, 30)) << s.log();
  const std::string refused = s.log();
  EXPECT_EQ(testing::occurrences(refused, "SUPPRESS failed: 403 not allowed here"), 1u) << refused;
  EXPECT_EQ(testing::occurrences(refused, "SUPPRESS"), 1u) << refused;

  master.refuse("SUPPRESS", 0);
  ASSERT_TRUE(testing::eventually([&] {
    return s.log().find("SUPPRESS goes through again; it had failed ") != std::string::npos;
  })) << s.log();
  EXPECT_EQ(testing::occurrences(s.log(), "SUPPRESS"), 2u) << s.log();
}

}  // namespace
}  // namespace steward::scheduler
