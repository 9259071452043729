// The scheduler's ACCEPTs go out from a queue of their own, so that its loop goes on while the
// master launches; every other call it makes waits for the ACCEPTs queued before it. Shown
// against a scripted master that holds an ACCEPT unanswered: a KILL must not overtake it
// (the master would find no such task, and then launch it anyway). And the loop goes on to
// the next pass while the last pass's ACCEPTs are unanswered, but no further.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "mesos/offer_json.hpp"
#include "scheduler_process.hpp"
#include "scripted_master.hpp"

namespace steward::scheduler::testing {
namespace {

using namespace std::chrono_literals;
using cluster::testing::TempDir;

constexpr const char* kSpec = R"(name: svc
pods:
  node:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
)";

mesos::Resource scalar(const std::string& name, double amount) {
  mesos::Resource r;
  r.name = name;
  r.scalar = amount;
  r.allocation_role = "svc-role";
  return r;
}

// An offer of agent-N (host-N) to fw-1.
mesos::Offer offer_of(int n, std::vector<mesos::Resource> resources) {
  mesos::Offer offer;
  offer.id = "offer-" + std::to_string(n);
  offer.framework_id = "fw-1";
  offer.agent_id = "agent-" + std::to_string(n);
  offer.hostname = "host-" + std::to_string(n);
  offer.allocation_role = "svc-role";
  offer.resources = std::move(resources);
  return offer;
}

// Writes the spec into `dir` and tells the master to answer the SUBSCRIBE as fw-1.
std::string begin(ScriptedMaster& master, const TempDir& dir, const char* text) {
  const std::string spec = (dir.path() / "svc.yml").string();
  std::ofstream(spec) << text;
  mesos::Event subscribed;
  subscribed.type = mesos::Event::Type::subscribed;
  subscribed.framework_id = "fw-1";
  master.push(subscribed);
  return spec;
}

TEST(AcceptOrder, CallsMadeAfterAnAcceptWaitForItsAnswer) {
  ScriptedMaster master;
  TempDir dir;
  const std::string spec = begin(master, dir, kSpec);
  mesos::Event offers;
  offers.type = mesos::Event::Type::offers;
  offers.offers = {offer_of(1, {scalar("cpus", 4), scalar("mem", 4096), scalar("disk", 4096)})};
  master.push(offers);

  SchedulerProcess s(spec, master.port(), (dir.path() / "data").string(), "svc", kFast);
  ASSERT_TRUE(eventually([&] { return master.received("ACCEPT"); }, 30))
      << ::testing::PrintToString(master.calls()) << s.log();

  // A task the scheduler does not know reports RUNNING: it is to be killed.
  mesos::TaskStatus ghost;
  ghost.task_id = "ghost";
  ghost.state = mesos::TaskState::running;
  ghost.agent_id = "agent-1";
  ghost.source = mesos::TaskStatus::Source::executor;
  ghost.uuid = "AAECAwQFBgcICQoLDA0ODw==";
  mesos::Event update;
  update.type = mesos::Event::Type::update;
  update.status = ghost;
  master.push(update);
  // While the ACCEPT is unanswered no call made after it goes out (the scheduler has its
  // REVIVE or SUPPRESS to send, and the KILL): a call sent straight away would arrive
  // within the scheduler's 100 ms tick, so a second shows it does not. Acknowledgements
  // have their own queue: their order with launches does not matter.
  const auto made_after = [](const std::vector<std::string>& calls) {
    std::vector<std::string> after;
    for (auto it = std::find(calls.begin(), calls.end(), "ACCEPT"); it != calls.end(); ++it)
      if (*it != "ACCEPT" && *it != "ACKNOWLEDGE") after.push_back(*it);
    return after;
  };
  EXPECT_FALSE(eventually([&] { return !made_after(master.calls()).empty(); }, 1))
      << ::testing::PrintToString(master.calls());
  master.release_accepts();
  ASSERT_TRUE(eventually([&] { return master.received("KILL"); }, 30))
      << ::testing::PrintToString(master.calls()) << s.log();
  const std::vector<std::string> after = made_after(master.calls());
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front(), "ACCEPT answered") << ::testing::PrintToString(master.calls());
  EXPECT_NE(s.log().find("killing unknown task ghost"), std::string::npos) << s.log();
}

constexpr const char* kParallelSpec = R"(name: svc
pods:
  node:
    count: 5
    tasks:
      server:
        goal: RUNNING
        cmd: sleep 1000
        cpus: 0.1
        memory: 32
plans:
  deploy:
    phases:
      node:
        strategy: parallel
        pod: node
)";

// One pod a pass, five offers: while the master holds the first ACCEPT the loop queues the
// second pass's behind it and evaluates a third, whose ACCEPT waits for the first's answer.
TEST(AcceptOrder, TheLoopStaysAtMostTwoPassesAheadOfTheMaster) {
  ScriptedMaster master;
  TempDir dir;
  const std::string spec = begin(master, dir, kParallelSpec);
  mesos::Event offers;
  offers.type = mesos::Event::Type::offers;
  // Room for one pod (with its executor) each: each pass uses an offer of its own.
  for (int i = 1; i <= 5; ++i)
    offers.offers.push_back(
        offer_of(i, {scalar("cpus", 0.3), scalar("mem", 100), scalar("disk", 300)}));

  std::vector<std::string> flags = kFast;
  flags.insert(flags.end(), {"--launches-per-pass", "1"});
  SchedulerProcess s(spec, master.port(), (dir.path() / "data").string(), "svc", flags);
  const auto launched = [&] { return occurrences(s.log(), ": launched on agent"); };
  // The offers come after the REVIVE a subscription begins with (a call, which waits for every
  // ACCEPT queued before it): the passes that follow make no other call.
  ASSERT_TRUE(eventually([&] { return master.received("REVIVE"); }, 30))
      << ::testing::PrintToString(master.calls()) << s.log();
  master.push(offers);
  ASSERT_TRUE(eventually([&] { return master.received("ACCEPT"); }, 30))
      << ::testing::PrintToString(master.calls()) << s.log();
  // The third pass is evaluated (and logged) before its ACCEPT waits for the first's answer.
  // (A deadline well short of the 30 s after which the scripted master answers anyway.)
  ASSERT_TRUE(eventually([&] { return launched() >= 3; }, 10))
      << ::testing::PrintToString(master.calls()) << s.log();
  // No fourth while the first is unanswered: the loop waits. Within a second it would have
  // come (a pass follows the last at once while offers remain).
  EXPECT_FALSE(eventually([&] { return launched() > 3; }, 1))
      << ::testing::PrintToString(master.calls()) << s.log();
  master.release_accepts();
  ASSERT_TRUE(eventually([&] { return launched() == 5; }, 30)) << s.log();
}

}  // namespace
}  // namespace steward::scheduler::testing
