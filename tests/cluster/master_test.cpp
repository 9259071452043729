#include "cluster/master.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "master_harness.hpp"

namespace steward::cluster::testing {
namespace {

const std::string kRole = "svc-role";
const std::string kPrincipal = "svc-principal";

json reserved_stack(const std::string& id) {
  return json::array({dynamic(kRole, kPrincipal, id)});
}

// Reserves 1 cpu, 256 MB and 512 MB disk, makes a volume on the disk, and launches a group
// of one task with an executor, all in one ACCEPT (what dcos-commons sends for a new pod).
json deploy_ops(const std::string& fw_id, const std::string& task_id = "hello-0-server") {
  json cpus = scalar("cpus", 1, kRole, reserved_stack("r-cpus"));
  json mem = scalar("mem", 256, kRole, reserved_stack("r-mem"));
  json disk = scalar("disk", 512, kRole, reserved_stack("r-disk"));
  json exec_cpus = scalar("cpus", 0.1, kRole, reserved_stack("r-ecpus"));
  json exec_mem = scalar("mem", 32, kRole, reserved_stack("r-emem"));
  json exec_disk = scalar("disk", 256, kRole, reserved_stack("r-edisk"));
  json vol = volume(512, kRole, reserved_stack("r-disk"), "vol-1", "data");
  json reserve = {{"type", "RESERVE"},
                  {"reserve", {{"resources", {cpus, mem, disk, exec_cpus, exec_mem, exec_disk}}}}};
  json create = {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}};
  json launch = launch_group(fw_id, "hello__exec", {exec_cpus, exec_mem, exec_disk, vol},
                             {task(task_id, {cpus, mem})});
  return {reserve, create, launch};
}

class MasterTest : public ::testing::Test {
 protected:
  MasterHarness h{one_agent()};
};

TEST_F(MasterTest, SubscribeGetsIdAndOffersInAllocationRole) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  EXPECT_EQ(fw.id, "M-0000");
  auto subscribed = fw.take("SUBSCRIBED");
  ASSERT_EQ(subscribed.size(), 1u);
  EXPECT_EQ(subscribed[0]["subscribed"]["framework_id"]["value"], "M-0000");
  fw.seen = 0;
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["agent_id"]["value"], "M-S0");
  EXPECT_EQ(offers[0]["allocation_info"]["role"], kRole);
  for (const json& r : offers[0]["resources"]) {
    EXPECT_EQ(r["allocation_info"]["role"], kRole);
    EXPECT_FALSE(r.contains("role")) << "refinement format has no role key";
  }
  EXPECT_EQ(offers[0]["id"]["value"], "M-O0");
}

TEST_F(MasterTest, ReserveCreateLaunchGroupThenAcknowledgedUpdates) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  CallOutcome o = h.call(fw, accept(offer_ids(offers), deploy_ops(fw.id)));
  EXPECT_EQ(o.status, 202) << o.message;
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u) << "one update in flight per task until acknowledged";
  EXPECT_EQ(updates[0]["state"], "TASK_STARTING");
  EXPECT_EQ(updates[0]["source"], "SOURCE_EXECUTOR");
  EXPECT_TRUE(updates[0].contains("uuid"));
  h.acknowledge(fw, updates);
  updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_RUNNING");
  h.acknowledge(fw, updates);
  EXPECT_TRUE(fw.updates().empty());

  const AgentRecord& agent = h.master->agents().at("M-S0");
  ASSERT_EQ(agent.executors.size(), 1u);
  // The volume is in the ledger with its reservation.
  bool found = false;
  for (const auto& r : agent.total.resources())
    if (r.disk && r.disk->persistence && r.disk->persistence->id == "vol-1") found = true;
  EXPECT_TRUE(found);
  EXPECT_EQ(h.master->tasks().at(fw.id + "/hello-0-server").state, mesos::TaskState::running);
}

TEST_F(MasterTest, UnacknowledgedUpdateIsResentAfterRetryInterval) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  auto first = fw.updates();
  ASSERT_EQ(first.size(), 1u);
  h.advance(h.master->config().update_retry_seconds + 0.1);
  auto again = fw.updates();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["uuid"], first[0]["uuid"]);
  EXPECT_EQ(again[0]["state"], "TASK_STARTING");
}

// The update queued behind an acknowledged one goes out once, then waits out the retry
// interval like any other: it used to go out again on the very next tick.
TEST_F(MasterTest, TheNextUpdateAfterAnAcknowledgementIsNotSentTwice) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  h.acknowledge(fw, fw.updates());
  auto running = fw.updates();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0]["state"], "TASK_RUNNING");
  h.advance(0.1);
  EXPECT_TRUE(fw.updates().empty());
  h.advance(h.master->config().update_retry_seconds);
  auto again = fw.updates();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["uuid"], running[0]["uuid"]);
}

// A task's latest update is kept as checkpoint text: a checkpoint taken after a newer update
// holds the newer one.
TEST_F(MasterTest, ACheckpointAfterAnUpdateHoldsIt) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  auto latest = [&] {
    const json saved = h.master->checkpoint();
    for (const json& t : saved["tasks"])
      if (t["info"]["task_id"]["value"] == "hello-0-server")
        return t.value("latest", json::object()).value("state", json());
    return json();
  };
  EXPECT_EQ(latest(), "TASK_RUNNING");
  h.call(fw, {{"type", "KILL"}, {"kill", {{"task_id", {{"value", "hello-0-server"}}}}}});
  ASSERT_EQ(fw.updates().size(), 1u);  // TASK_KILLED, not acknowledged: the task stays
  EXPECT_EQ(latest(), "TASK_KILLED");
}

// The daemon writes its checkpoint to the file in pieces: together they are the whole text,
// and a failed write stops the rest.
TEST_F(MasterTest, ACheckpointWrittenInPiecesIsTheWholeText) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  h.acknowledge(fw, fw.updates());
  const std::string whole = h.master->checkpoint_text();
  std::vector<std::string> pieces;
  std::string out;
  const auto keep = [&](std::string& piece) {
    pieces.push_back(piece);
    piece.clear();
    return true;
  };
  ASSERT_TRUE(h.master->write_checkpoint(out, keep, 64));
  keep(out);
  ASSERT_EQ(pieces.size(), 3u);  // after the agent, after the task, and the end
  std::string joined;
  for (const std::string& p : pieces)
    joined += p;
  EXPECT_EQ(joined, whole);

  // The first piece fails to go out: nothing more is written.
  int calls = 0;
  out.clear();
  const auto fail = [&](std::string&) {
    ++calls;
    return false;
  };
  EXPECT_FALSE(h.master->write_checkpoint(out, fail, 64));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out.find("\"counters\""), std::string::npos);  // what follows the agents
}

// A journal entry holds what changed since the last marked checkpoint or entry, and names
// what went away.
TEST_F(MasterTest, AJournalEntryHoldsOnlyWhatChanged) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  std::string text;
  ASSERT_TRUE(h.master->write_checkpoint(text, nullptr, std::size_t{1} << 20, true));
  const auto entry = [&] {
    std::string out;
    EXPECT_TRUE(h.master->write_journal_entry(out, nullptr));
    return json::parse(out);
  };
  const std::string key = fw.id + "/hello-0-server";
  json e = entry();
  EXPECT_TRUE(e["tasks"].empty()) << e.dump();
  EXPECT_TRUE(e["agents"].empty()) << e.dump();
  EXPECT_TRUE(e["executors"].empty()) << e.dump();
  EXPECT_TRUE(e["head"].contains("frameworks"));

  // An acknowledgement changes the task only.
  h.acknowledge(fw, fw.updates());
  e = entry();
  ASSERT_EQ(e["tasks"].size(), 1u) << e.dump();
  EXPECT_EQ(e["tasks"][key]["state"], "TASK_RUNNING");
  EXPECT_EQ(e["tasks"][key]["info"]["task_id"]["value"], "hello-0-server");
  EXPECT_TRUE(e["agents"].empty());
  EXPECT_TRUE(entry()["tasks"].empty()) << "written once";

  // Killed and acknowledged, the task is gone, its resources with it: null, and the agent.
  h.acknowledge(fw, fw.updates());
  h.call(fw, {{"type", "KILL"}, {"kill", {{"task_id", {{"value", "hello-0-server"}}}}}});
  h.acknowledge(fw, fw.updates());
  e = entry();
  ASSERT_TRUE(e["tasks"].contains(key)) << e.dump();
  EXPECT_TRUE(e["tasks"][key].is_null());
  EXPECT_TRUE(entry()["tasks"].empty());

  // A new launch: the task, its executor and the agent's ledger (the reservations).
  h.advance(1);
  const auto offers = fw.offers();
  ASSERT_FALSE(offers.empty());
  h.call(fw, accept(offer_ids(offers),
                    {launch_group(fw.id, "other__exec",
                                  {scalar("cpus", 0.1, kRole), scalar("mem", 32, kRole),
                                   scalar("disk", 1, kRole)},
                                  {task("other-0", {scalar("cpus", 0.5, kRole)})}),
                     {{"type", "RESERVE"},
                      {"reserve",
                       {{"resources", {scalar("cpus", 0.5, kRole, reserved_stack("r-more"))}}}}}},
                    0));
  e = entry();
  EXPECT_TRUE(e["tasks"].contains(fw.id + "/other-0")) << e.dump();
  EXPECT_TRUE(e["executors"]["M-S0"].contains(fw.id + "/other__exec")) << e.dump();
  EXPECT_TRUE(e["agents"].contains("M-S0")) << e.dump();
}

TEST_F(MasterTest, BadAcknowledgeUuidIs400) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  CallOutcome o = h.call(fw, {{"type", "ACKNOWLEDGE"},
                              {"acknowledge",
                               {{"agent_id", {{"value", "M-S0"}}},
                                {"task_id", {{"value", "t"}}},
                                {"uuid", "bm90LWEtdXVpZA=="}}}});
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.message.find("UUID"), std::string::npos);
}

TEST_F(MasterTest, ReservedResourcesComeBackToTheRoleAfterTheTaskEnds) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  CallOutcome o =
      h.call(fw, {{"type", "KILL"}, {"kill", {{"task_id", {{"value", "hello-0-server"}}}}}});
  EXPECT_EQ(o.status, 202);
  auto killed = fw.updates();
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0]["state"], "TASK_KILLED");
  h.acknowledge(fw, killed);
  h.advance(1);
  // Everything reserved (task, executor, volume) is offered again, with its labels.
  auto offers = fw.offers();
  ASSERT_FALSE(offers.empty());
  bool volume_offered = false;
  double reserved_cpus = 0;
  for (const json& offer : offers)
    for (const json& r : offer["resources"]) {
      if (r.contains("disk") && r["disk"].contains("persistence")) volume_offered = true;
      if (r["name"] == "cpus" && r.contains("reservations"))
        reserved_cpus += r["scalar"]["value"].get<double>();
    }
  EXPECT_TRUE(volume_offered);
  EXPECT_DOUBLE_EQ(reserved_cpus, 1.1);
  EXPECT_TRUE(h.master->agents().at("M-S0").executors.empty());
}

TEST_F(MasterTest, SecondLaunchGroupJoinsTheRunningExecutor) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json ops = deploy_ops(fw.id);
  h.call(fw, accept(offer_ids(fw.offers()), ops, 0));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  h.advance(1);
  auto offers = fw.offers();
  ASSERT_FALSE(offers.empty());
  EXPECT_EQ(offers[0]["executor_ids"][0]["value"], "hello__exec");
  json sidecar = launch_group(fw.id, "hello__exec", ops[2]["launch_group"]["executor"]["resources"],
                              {task("hello-0-sidecar", {scalar("cpus", 0.5, kRole)})});
  CallOutcome o = h.call(fw, accept(offer_ids(offers), {sidecar}));
  EXPECT_EQ(o.status, 202);
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["task_id"]["value"], "hello-0-sidecar");
  EXPECT_EQ(updates[0]["state"], "TASK_STARTING");
  EXPECT_EQ(h.master->agents().at("M-S0").executors.size(), 1u);
  EXPECT_EQ(h.master->agents().at("M-S0").executors.begin()->second.tasks.size(), 2u);
}

TEST_F(MasterTest, DifferentExecutorInfoForRunningExecutorIsTaskError) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  h.advance(1);
  json other = launch_group(
      fw.id, "hello__exec",
      {scalar("cpus", 0.2, kRole), scalar("mem", 32, kRole), scalar("disk", 10, kRole)},
      {task("x", {scalar("cpus", 0.1, kRole)})});
  h.call(fw, accept(offer_ids(fw.offers()), {other}));
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_ERROR");
  EXPECT_EQ(updates[0]["reason"], "REASON_TASK_GROUP_INVALID");
  EXPECT_FALSE(updates[0].contains("uuid"));
}

TEST_F(MasterTest, LaunchGroupValidation) {
  struct Case {
    const char* what;
    std::function<json(const std::string&)> op;
    const char* message;
  };
  auto exec = [] {
    return json::array(
        {scalar("cpus", 0.1, kRole), scalar("mem", 32, kRole), scalar("disk", 10, kRole)});
  };
  std::vector<Case> cases = {
      {"executor of another framework",
       [&](const std::string&) {
         return launch_group("M-9999", "e", exec(), {task("t", {scalar("cpus", 1, kRole)})});
       },
       "framework_id"},
      {"tiny executor",
       [&](const std::string& fw) {
         return launch_group(fw, "e", {scalar("cpus", 0.001, kRole), scalar("mem", 32, kRole)},
                             {task("t", {scalar("cpus", 1, kRole)})});
       },
       "0.01 cpus"},
      {"task without resources",
       [&](const std::string& fw) {
         return launch_group(fw, "e", exec(), {task("t", json::array())});
       },
       "no resources"},
      {"more than offered",
       [&](const std::string& fw) {
         return launch_group(fw, "e", exec(), {task("t", {scalar("cpus", 99, kRole)})});
       },
       "not in the offered"},
      {"duplicate task ids",
       [&](const std::string& fw) {
         return launch_group(
             fw, "e", exec(),
             {task("t", {scalar("cpus", 1, kRole)}), task("t", {scalar("cpus", 1, kRole)})});
       },
       "already in use"},
  };
  for (const Case& c : cases) {
    MasterHarness fresh(one_agent());
    TestFramework fw = fresh.subscribe(framework_info("svc", kRole));
    fresh.call(fw, accept(offer_ids(fw.offers()), {c.op(fw.id)}));
    auto updates = fw.updates();
    ASSERT_FALSE(updates.empty()) << c.what;
    EXPECT_EQ(updates[0]["state"], "TASK_ERROR") << c.what;
    EXPECT_EQ(updates[0]["reason"], "REASON_TASK_GROUP_INVALID") << c.what;
    EXPECT_NE(updates[0]["message"].get<std::string>().find(c.message), std::string::npos)
        << c.what << ": " << updates[0]["message"];
    EXPECT_TRUE(fresh.master->tasks().empty()) << c.what;
    // Nothing was consumed: the agent's whole share is free again (the executor's part,
    // taken before the task's was found missing, given back too).
    const auto& free = fresh.master->agents().at("M-S0").free;
    EXPECT_DOUBLE_EQ(free.scalar("cpus"), 4) << c.what;
    EXPECT_DOUBLE_EQ(free.scalar("mem"), 4096) << c.what;
    EXPECT_DOUBLE_EQ(free.scalar("disk"), 10000) << c.what;
  }
}

TEST_F(MasterTest, InvalidOfferDropsTasksForPartitionAwareAndLosesThemOtherwise) {
  TestFramework aware = h.subscribe(framework_info("a", kRole, true));
  aware.offers();
  json op = launch_group(aware.id, "e", json::array(), {task("t", {scalar("cpus", 1, kRole)})});
  h.call(aware, accept(json::array({{{"value", "no-such-offer"}}}), {op}));
  auto updates = aware.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_DROPPED");
  EXPECT_EQ(updates[0]["reason"], "REASON_INVALID_OFFERS");
  EXPECT_EQ(updates[0]["source"], "SOURCE_MASTER");

  MasterHarness other(one_agent());
  TestFramework legacy = other.subscribe(framework_info("b", kRole, false));
  legacy.offers();
  other.call(legacy, accept(json::array({{{"value", "gone"}}}), {op}));
  updates = legacy.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_LOST");
}

TEST_F(MasterTest, OfferIdIsUsableOnce) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  auto offers = fw.offers();
  EXPECT_EQ(h.call(fw, accept(offer_ids(offers), json::array())).status, 202);
  json op = launch_group(fw.id, "e", json::array(), {task("t", {scalar("cpus", 1, kRole)})});
  h.call(fw, accept(offer_ids(offers), {op}));
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["reason"], "REASON_INVALID_OFFERS");
}

TEST_F(MasterTest, InvalidNonLaunchOperationIsDroppedAndLaterOnesStillRun) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json bad_reserve = {
      {"type", "RESERVE"},
      {"reserve",
       {{"resources",
         {scalar("cpus", 1, kRole, json::array({dynamic("other-role", kPrincipal, "x")}))}}}}};
  json good_reserve = {
      {"type", "RESERVE"},
      {"reserve", {{"resources", {scalar("mem", 128, kRole, reserved_stack("m"))}}}}};
  h.call(fw, accept(offer_ids(fw.offers()), {bad_reserve, good_reserve}, 0));
  const AgentRecord& agent = h.master->agents().at("M-S0");
  double reserved_mem = 0, reserved_cpus = 0;
  for (const auto& r : agent.total.resources()) {
    if (!r.reserved()) continue;
    if (r.name == "mem") reserved_mem += r.scalar;
    if (r.name == "cpus") reserved_cpus += r.scalar;
  }
  EXPECT_DOUBLE_EQ(reserved_mem, 128);
  EXPECT_DOUBLE_EQ(reserved_cpus, 0);
}

TEST_F(MasterTest, UnreserveRefusesVolumesAndDestroyDeletesThem) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json disk = scalar("disk", 100, kRole, reserved_stack("d"));
  json vol = volume(100, kRole, reserved_stack("d"), "v", "data");
  h.call(fw, accept(offer_ids(fw.offers()),
                    {{{"type", "RESERVE"}, {"reserve", {{"resources", {disk}}}}},
                     {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}}},
                    0));
  h.advance(1);
  // UNRESERVE of the volume is refused; DESTROY then UNRESERVE works.
  h.call(fw, accept(offer_ids(fw.offers()),
                    {{{"type", "UNRESERVE"}, {"unreserve", {{"resources", {vol}}}}}}, 0));
  auto has_volume = [&] {
    for (const auto& r : h.master->agents().at("M-S0").total.resources())
      if (r.disk && r.disk->persistence) return true;
    return false;
  };
  EXPECT_TRUE(has_volume());
  h.advance(1);
  h.call(fw, accept(offer_ids(fw.offers()),
                    {{{"type", "DESTROY"}, {"destroy", {{"volumes", {vol}}}}},
                     {{"type", "UNRESERVE"}, {"unreserve", {{"resources", {disk}}}}}},
                    0));
  EXPECT_FALSE(has_volume());
  for (const auto& r : h.master->agents().at("M-S0").total.resources())
    EXPECT_FALSE(r.reserved()) << r.name;
}

TEST_F(MasterTest, CreateRefusesDuplicatePersistenceIdAndBadPaths) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json d1 = scalar("disk", 100, kRole, reserved_stack("d1"));
  json d2 = scalar("disk", 100, kRole, reserved_stack("d2"));
  json v1 = volume(100, kRole, reserved_stack("d1"), "same", "a");
  json v2 = volume(100, kRole, reserved_stack("d2"), "same", "b");
  json v3 = volume(100, kRole, reserved_stack("d2"), "other", "../escape");
  h.call(fw, accept(offer_ids(fw.offers()),
                    {{{"type", "RESERVE"}, {"reserve", {{"resources", {d1, d2}}}}},
                     {{"type", "CREATE"}, {"create", {{"volumes", {v1}}}}},
                     {{"type", "CREATE"}, {"create", {{"volumes", {v2}}}}},
                     {{"type", "CREATE"}, {"create", {{"volumes", {v3}}}}}},
                    0));
  int volumes = 0;
  for (const auto& r : h.master->agents().at("M-S0").total.resources())
    if (r.disk && r.disk->persistence) ++volumes;
  EXPECT_EQ(volumes, 1);
}

TEST_F(MasterTest, DeclineFiltersTheAgentUntilRefuseSecondsOrRevive) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  auto offers = fw.offers();
  h.call(fw,
         {{"type", "DECLINE"},
          {"decline", {{"offer_ids", offer_ids(offers)}, {"filters", {{"refuse_seconds", 30}}}}}});
  h.advance(2);
  EXPECT_TRUE(fw.offers().empty());
  h.advance(30);
  EXPECT_EQ(fw.offers().size(), 1u);
  auto again = h.master->offers();
  h.call(fw, {{"type", "DECLINE"},
              {"decline",
               {{"offer_ids", json::array({{{"value", again.begin()->first}}})},
                {"filters", {{"refuse_seconds", 1000}}}}}});
  h.advance(2);
  EXPECT_TRUE(fw.offers().empty());
  h.call(fw, {{"type", "REVIVE"}, {"revive", {{"roles", {kRole}}}}});
  h.advance(0.1);
  EXPECT_EQ(fw.offers().size(), 1u);
}

// Filters are kept by agent (master_allocator.cpp): one agent's filter holds back that
// agent's resources alone, whichever order the agents and filters come in.
TEST(MasterFilters, ADeclineFiltersOnlyItsOwnAgent) {
  ClusterConfig config = one_agent();
  for (int i = 1; i < 4; ++i) {
    config.agents.push_back(config.agents[0]);
    config.agents.back().name = "agent-" + std::to_string(i);
  }
  MasterHarness h(config);
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 4u);
  // Agents 1 and 3 refused for 30 s, 0 and 2 for none.
  for (const json& offer : offers) {
    const std::string agent = offer["agent_id"]["value"];
    const bool refuse = agent == "M-S1" || agent == "M-S3";
    h.call(fw, {{"type", "DECLINE"},
                {"decline",
                 {{"offer_ids", json::array({offer["id"]})},
                  {"filters", {{"refuse_seconds", refuse ? 30 : 0}}}}}});
  }
  h.advance(2);
  std::set<std::string> agents;
  for (const json& offer : fw.offers())
    agents.insert(offer["agent_id"]["value"].get<std::string>());
  EXPECT_EQ(agents, (std::set<std::string>{"M-S0", "M-S2"}));
  h.advance(30);
  agents.clear();
  for (const json& offer : fw.offers())
    agents.insert(offer["agent_id"]["value"].get<std::string>());
  EXPECT_EQ(agents, (std::set<std::string>{"M-S1", "M-S3"}));
}

// A DECLINE returns what was offered; when more was freed on its agent while the offer was
// out (here a task's cpus, as its FINISHED update came in), the two together are not held back
// by the new filter, and the call asks for an allocation now (the daemon runs its tick at
// once) rather than at the next tick. A DECLINE that only returns what it was offered does not.
TEST_F(MasterTest, ADeclineJoinedByResourcesFreedMeanwhileAllocatesAtOnce) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json group =
      launch_group(fw.id, "e", small_executor(kRole), {task("a", {scalar("cpus", 0.5, kRole)})});
  h.call(fw, accept(offer_ids(fw.offers()), {group}, 0));
  for (int i = 0; i < 2; ++i)
    h.acknowledge(fw, fw.updates());
  h.advance(0.1);
  auto rest = fw.offers();
  ASSERT_EQ(rest.size(), 1u);
  CallOutcome quiet = h.call(
      fw, {{"type", "DECLINE"},
           {"decline", {{"offer_ids", offer_ids(rest)}, {"filters", {{"refuse_seconds", 0}}}}}});
  EXPECT_FALSE(quiet.allocate_now);
  h.advance(0.1);
  rest = fw.offers();
  ASSERT_EQ(rest.size(), 1u);

  ASSERT_TRUE(h.runtime().finish("a", false));
  h.run();  // TASK_FINISHED: the task's cpus are free, its executor still runs
  CallOutcome joined = h.call(
      fw, {{"type", "DECLINE"},
           {"decline", {{"offer_ids", offer_ids(rest)}, {"filters", {{"refuse_seconds", 30}}}}}});
  EXPECT_EQ(joined.status, 202);
  EXPECT_TRUE(joined.allocate_now);
  h.master->allocate(h.now);
  auto together = fw.offers();
  ASSERT_EQ(together.size(), 1u);
  double cpus = 0;
  for (const json& r : together[0]["resources"])
    if (r["name"] == "cpus") cpus += r["scalar"]["value"].get<double>();
  double rest_cpus = 0;
  for (const json& r : rest[0]["resources"])
    if (r["name"] == "cpus") rest_cpus += r["scalar"]["value"].get<double>();
  EXPECT_NEAR(cpus, rest_cpus + 0.5, 1e-9);
  // Nothing freed since that offer: declined without a filter, it waits for the tick.
  CallOutcome again = h.call(
      fw,
      {{"type", "DECLINE"},
       {"decline", {{"offer_ids", offer_ids(together)}, {"filters", {{"refuse_seconds", 0}}}}}});
  EXPECT_FALSE(again.allocate_now);
}

// Two frameworks declining their offers of one agent without filters, one holding a
// reservation there: each DECLINE returns what the other may be offered too, but nothing was
// freed, so neither asks for an allocation (or the two would pass the agent back and forth at
// once, forever).
TEST(MasterDecline, DeclinesWithoutFiltersAndNothingFreedDoNotAllocateAtOnce) {
  MasterHarness h(one_agent());
  TestFramework b = h.subscribe(framework_info("svc", kRole));
  json reserve = {{"type", "RESERVE"},
                  {"reserve", {{"resources", {scalar("cpus", 1, kRole, reserved_stack("r"))}}}}};
  // And a task, so that its share puts it after the other framework: that one is offered the
  // unreserved resources, this one the reservation.
  json group =
      launch_group(b.id, "e", small_executor(kRole), {task("t", {scalar("cpus", 1, kRole)})});
  h.call(b, accept(offer_ids(b.offers()), {reserve, group}, 0));
  for (int i = 0; i < 2; ++i)
    h.acknowledge(b, b.updates());
  TestFramework a = h.subscribe(framework_info("other", "other"));
  int declines = 0;
  for (int round = 0; round < 4; ++round) {
    h.advance(0.1);
    for (TestFramework* fw : {&a, &b})
      for (const json& offer : fw->offers()) {
        CallOutcome o = h.call(
            *fw,
            {{"type", "DECLINE"},
             {"decline",
              {{"offer_ids", json::array({offer["id"]})}, {"filters", {{"refuse_seconds", 0}}}}}});
        ++declines;
        EXPECT_FALSE(o.allocate_now) << "round " << round;
      }
  }
  EXPECT_GE(declines, 8);  // both were offered the agent in every round
}

TEST_F(MasterTest, SuppressStopsOffersAndReviveResumes) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  auto offers = fw.offers();
  h.call(fw, {{"type", "SUPPRESS"}, {"suppress", {{"roles", {kRole}}}}});
  h.call(fw,
         {{"type", "DECLINE"},
          {"decline", {{"offer_ids", offer_ids(offers)}, {"filters", {{"refuse_seconds", 0}}}}}});
  h.advance(5);
  EXPECT_TRUE(fw.offers().empty());
  h.call(fw, {{"type", "REVIVE"}, {"revive", json::object()}});
  h.advance(0.1);
  EXPECT_EQ(fw.offers().size(), 1u);
}

TEST_F(MasterTest, ExplicitAndImplicitReconciliationCarryNoUuid) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  h.call(fw, {{"type", "RECONCILE"},
              {"reconcile",
               {{"tasks",
                 {{{"task_id", {{"value", "hello-0-server"}}}},
                  {{"task_id", {{"value", "ghost"}}}, {"agent_id", {{"value", "M-S0"}}}},
                  {{"task_id", {{"value", "ghost2"}}}, {"agent_id", {{"value", "M-S9"}}}}}}}}});
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[0]["state"], "TASK_RUNNING");
  EXPECT_EQ(updates[0]["reason"], "REASON_RECONCILIATION");
  EXPECT_EQ(updates[1]["state"], "TASK_GONE");
  EXPECT_EQ(updates[2]["state"], "TASK_UNKNOWN");
  for (const json& u : updates)
    EXPECT_FALSE(u.contains("uuid"));
  h.call(fw, {{"type", "RECONCILE"}, {"reconcile", {{"tasks", json::array()}}}});
  updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["task_id"]["value"], "hello-0-server");
}

TEST_F(MasterTest, KillOfUnknownTaskAnswersLikeReconciliation) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, {{"type", "KILL"},
              {"kill", {{"task_id", {{"value", "nope"}}}, {"agent_id", {{"value", "M-S0"}}}}}});
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_GONE");
}

TEST_F(MasterTest, FailedTaskKillsItsGroupFinishedDoesNot) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json exec = small_executor(kRole);
  json group = launch_group(
      fw.id, "e", exec,
      {task("a", {scalar("cpus", 0.5, kRole)}), task("b", {scalar("cpus", 0.5, kRole)}),
       task("c", {scalar("cpus", 0.5, kRole)})});
  h.call(fw, accept(offer_ids(fw.offers()), {group}));
  for (int i = 0; i < 2; ++i)
    h.acknowledge(fw, fw.updates());
  ASSERT_TRUE(h.runtime().finish("a", false));
  h.run();
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_FINISHED");
  h.acknowledge(fw, updates);
  EXPECT_EQ(h.master->tasks().at(fw.id + "/b").state, mesos::TaskState::running);
  ASSERT_TRUE(h.runtime().finish("b", true));
  h.run();
  EXPECT_EQ(h.master->tasks().at(fw.id + "/b").state, mesos::TaskState::failed);
  EXPECT_EQ(h.master->tasks().at(fw.id + "/c").state, mesos::TaskState::killed);
}

TEST_F(MasterTest, AnUpdateThatWouldTakeAnEndedTaskBackIsDropped) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  json group =
      launch_group(fw.id, "e", small_executor(kRole), {task("a", {scalar("cpus", 0.5, kRole)})});
  h.call(fw, accept(offer_ids(fw.offers()), {group}));
  for (int i = 0; i < 2; ++i)
    h.acknowledge(fw, fw.updates());
  ASSERT_TRUE(h.runtime().finish("a", false));
  h.run();
  auto finished = fw.updates();
  ASSERT_EQ(finished.size(), 1u);
  // A RUNNING the executor failed to deliver earlier, sent again after the task's end.
  mesos::TaskStatus stale;
  stale.task_id = "a";
  stale.executor_id = "e";
  stale.state = mesos::TaskState::running;
  stale.source = mesos::TaskStatus::Source::executor;
  stale.uuid = "AAAAAAAAAAAAAAAAAAAAAA==";
  h.master->status_update("M-S0", stale, h.now, fw.id);
  h.run();
  EXPECT_EQ(h.master->tasks().at(fw.id + "/a").state, mesos::TaskState::finished);
  h.acknowledge(fw, finished);
  EXPECT_TRUE(fw.updates().empty()) << "nothing follows the task's end";
}

TEST_F(MasterTest, FailoverWithinTimeoutKeepsTasksAndResendsUpdates) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true, 60));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  auto starting = fw.updates();
  ASSERT_EQ(starting.size(), 1u);
  h.master->stream_closed(fw.id, fw.stream->id(), h.now);
  EXPECT_TRUE(h.master->offers().empty()) << "offers of a disconnected framework are recovered";
  h.advance(30);
  // While away, calls on the old stream get 403.
  CallOutcome o = h.call(fw, {{"type", "REVIVE"}, {"revive", json::object()}});
  EXPECT_EQ(o.status, 403);
  TestFramework back = h.subscribe(framework_info("svc", kRole, true, 60), fw.id);
  EXPECT_EQ(back.id, fw.id);
  auto resent = back.updates();
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0]["uuid"], starting[0]["uuid"]);
  EXPECT_EQ(h.master->tasks().size(), 1u);
}

// The retry pass runs only when an update is due: an update held back while its framework
// was away goes out on resubscription, and is retried an interval after that, not before.
TEST_F(MasterTest, AnUpdateResentOnResubscriptionIsRetriedAnIntervalLater) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true, 600));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  auto starting = fw.updates();
  ASSERT_EQ(starting.size(), 1u);
  h.master->stream_closed(fw.id, fw.stream->id(), h.now);
  const double retry = h.master->config().update_retry_seconds;
  h.advance(retry * 2.5);  // several intervals away: nothing can be sent
  TestFramework back = h.subscribe(framework_info("svc", kRole, true, 600), fw.id);
  ASSERT_EQ(back.updates().size(), 1u);
  h.advance(retry / 2);
  EXPECT_TRUE(back.updates().empty());
  h.advance(retry / 2 + 0.1);
  auto again = back.updates();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["uuid"], starting[0]["uuid"]);
}

// An update for a task whose agent is stopped waits for the agent, goes out when it starts,
// and is retried from then on.
TEST_F(MasterTest, AnUpdateWaitingForItsAgentGoesOutWhenItStartsThenIsRetried) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  auto starting = fw.updates();  // left unacknowledged
  ASSERT_EQ(starting.size(), 1u);
  ASSERT_EQ(h.master->stop_agent("agent-0", h.now).status, 200);
  auto unreachable = fw.updates();  // the master's own, with no uuid to acknowledge
  ASSERT_EQ(unreachable.size(), 1u);
  EXPECT_EQ(unreachable[0]["state"], "TASK_UNREACHABLE");
  const double retry = h.master->config().update_retry_seconds;
  h.advance(retry * 2.5);
  EXPECT_TRUE(fw.updates().empty());
  ASSERT_EQ(h.master->start_agent("agent-0", h.now).status, 200);
  auto back = fw.updates();
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0]["uuid"], starting[0]["uuid"]);
  h.advance(retry / 2);
  EXPECT_TRUE(fw.updates().empty());
  h.advance(retry / 2 + 0.1);
  auto again = fw.updates();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["uuid"], starting[0]["uuid"]);
}

// A second scheduler subscribing with the id of a connected one (a copied state directory)
// takes the framework over; the first hears why before its stream closes, as from Mesos, so
// that it stops instead of subscribing again and taking it back.
TEST_F(MasterTest, AFailoverTellsTheSubscriptionItEndsWhy) {
  TestFramework first = h.subscribe(framework_info("svc", kRole, true, 60));
  first.take("SUBSCRIBED");
  TestFramework second = h.subscribe(framework_info("svc", kRole, true, 60), first.id);
  EXPECT_EQ(second.id, first.id);
  auto errors = first.take("ERROR");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"]["message"], "Framework failed over");
  EXPECT_TRUE(first.stream->finished());
  EXPECT_FALSE(second.stream->closed());
  EXPECT_TRUE(second.take("ERROR").empty());

  // A subscription that ended on its own is told nothing: no one reads it any more.
  h.master->stream_closed(second.id, second.stream->id(), h.now);
  TestFramework third = h.subscribe(framework_info("svc", kRole, true, 60), first.id);
  EXPECT_TRUE(second.take("ERROR").empty());
  EXPECT_EQ(third.id, first.id);
}

TEST_F(MasterTest, FailoverTimeoutTearsDownAndResubscribeGetsRemovedError) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true, 10));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  h.master->stream_closed(fw.id, fw.stream->id(), h.now);
  h.advance(11);
  EXPECT_TRUE(h.master->frameworks().empty());
  EXPECT_TRUE(h.master->tasks().empty());
  EXPECT_TRUE(h.master->agents().at("M-S0").executors.empty());
  TestFramework again;
  again.stream = std::make_shared<EventStream>("late");
  std::string error;
  json info = framework_info("svc", kRole);
  info["id"] = {{"value", fw.id}};
  auto call = mesos::call_from_json({{"type", "SUBSCRIBE"},
                                     {"framework_id", {{"value", fw.id}}},
                                     {"subscribe", {{"framework_info", info}}}},
                                    error);
  ASSERT_TRUE(call) << error;
  EXPECT_EQ(h.master->subscribe(*call, again.stream, h.now).status, 200);
  auto errors = again.take("ERROR");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"]["message"], "Framework has been removed");
  EXPECT_TRUE(again.stream->finished());
}

TEST_F(MasterTest, CallsWithWrongStreamIdOrUnknownFrameworkAreRefused) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  mesos::Call call;
  call.type = mesos::Call::Type::revive;
  call.framework_id = fw.id;
  EXPECT_EQ(h.master->handle(call, "", h.now).status, 400);
  EXPECT_EQ(h.master->handle(call, "wrong", h.now).status, 400);
  call.framework_id = "M-9999";
  CallOutcome o = h.master->handle(call, fw.stream->id(), h.now);
  EXPECT_EQ(o.status, 400);
  EXPECT_EQ(o.message, "Framework cannot be found");
}

TEST_F(MasterTest, HeartbeatsAtTheConfiguredInterval) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  fw.take("HEARTBEAT");
  h.advance(h.master->config().heartbeat_interval_seconds / 2);
  EXPECT_TRUE(fw.take("HEARTBEAT").empty());
  h.advance(h.master->config().heartbeat_interval_seconds / 2 + 0.01);
  EXPECT_EQ(fw.take("HEARTBEAT").size(), 1u);
}

// The types of the events `fw` got since it had `from`.
std::vector<std::string> event_types(TestFramework& fw, std::size_t from) {
  fw.drain();
  std::vector<std::string> types;
  for (std::size_t i = from; i < fw.events.size(); ++i)
    types.push_back(fw.events[i]["type"]);
  return types;
}

// Agent faults. As from Mesos, every framework hears of an agent lost (FAILURE naming the
// agent, no executor) when it becomes unreachable and when it is removed while active, not
// again when one already unreachable is removed.
TEST_F(MasterTest, AgentStopStartRemove) {
  TestFramework aware = h.subscribe(framework_info("svc", kRole, true));
  h.call(aware, accept(offer_ids(aware.offers()), deploy_ops(aware.id)));
  h.acknowledge(aware, aware.updates());
  h.acknowledge(aware, aware.updates());

  std::size_t mark = aware.events.size();
  EXPECT_EQ(h.master->stop_agent("agent-0", h.now).status, 200);
  EXPECT_EQ(event_types(aware, mark), (std::vector<std::string>{"UPDATE", "FAILURE"}));
  const json lost = aware.events.back()["failure"];
  EXPECT_EQ(lost["agent_id"]["value"], "M-S0");
  EXPECT_FALSE(lost.contains("executor_id"));
  auto updates = aware.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_UNREACHABLE");
  EXPECT_FALSE(updates[0].contains("uuid"));
  h.advance(2);
  EXPECT_TRUE(aware.offers().empty()) << "an unreachable agent is not offered";

  mark = aware.events.size();
  EXPECT_EQ(h.master->start_agent("agent-0", h.now).status, 200);
  EXPECT_EQ(event_types(aware, mark), std::vector<std::string>{"UPDATE"});
  updates = aware.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_RUNNING");

  TestFramework other = h.subscribe(framework_info("other", kRole, true));
  other.drain();
  aware.drain();
  const std::size_t other_mark = other.events.size();
  mark = aware.events.size();
  EXPECT_EQ(h.master->remove_agent("M-S0", h.now).status, 200);
  // The task is gone, and every framework hears the agent is, with or without tasks there.
  std::vector<std::string> types = event_types(aware, mark);
  types.erase(std::remove(types.begin(), types.end(), "OFFERS"), types.end());
  EXPECT_EQ(types, (std::vector<std::string>{"UPDATE", "FAILURE"}));
  types = event_types(other, other_mark);
  EXPECT_EQ(std::count(types.begin(), types.end(), "FAILURE"), 1)
      << ::testing::PrintToString(types);
  updates = aware.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_GONE_BY_OPERATOR");
  mark = aware.events.size();
  EXPECT_EQ(h.master->remove_agent("M-S0", h.now).status, 200);
  EXPECT_TRUE(event_types(aware, mark).empty()) << "removed once, said once";
  EXPECT_EQ(h.master->start_agent("agent-0", h.now).status, 409);
  EXPECT_EQ(h.master->stop_agent("nope", h.now).status, 404);
}

// One stopped first was told of when it stopped: its removal says nothing more of it.
TEST_F(MasterTest, AnAgentRemovedAfterItStoppedIsNotToldOfTwice) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true));
  fw.drain();
  std::size_t mark = fw.events.size();
  EXPECT_EQ(h.master->stop_agent("agent-0", h.now).status, 200);
  std::vector<std::string> types = event_types(fw, mark);
  EXPECT_EQ(std::count(types.begin(), types.end(), "FAILURE"), 1)
      << ::testing::PrintToString(types);
  mark = fw.events.size();
  EXPECT_EQ(h.master->remove_agent("agent-0", h.now).status, 200);
  types = event_types(fw, mark);
  EXPECT_EQ(std::count(types.begin(), types.end(), "FAILURE"), 0)
      << ::testing::PrintToString(types);
}

TEST_F(MasterTest, AgentStopGivesTaskLostWithoutPartitionAwareness) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole, false));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  h.master->stop_agent("agent-0", h.now);
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_LOST");
}

TEST_F(MasterTest, TeardownKillsEverythingAndFreesResources) {
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id)));
  EXPECT_EQ(h.call(fw, {{"type", "TEARDOWN"}}).status, 202);
  EXPECT_TRUE(h.master->frameworks().empty());
  EXPECT_TRUE(h.master->tasks().empty());
  const AgentRecord& agent = h.master->agents().at("M-S0");
  EXPECT_TRUE(agent.executors.empty());
  EXPECT_DOUBLE_EQ(agent.free.scalar("cpus"), 4);
}

TEST(MasterStatic, ReservedToSlavePublicOfferedOnlyToThatRoleAndItsChildren) {
  ClusterConfig config = one_agent();
  config.agents[0].reserved["slave_public"] = config.agents[0].resources;
  config.agents[0].resources = {};
  MasterHarness h(config);
  TestFramework outsider = h.subscribe(framework_info("o", "other-role"));
  EXPECT_TRUE(outsider.offers().empty());
  TestFramework a = h.subscribe(framework_info("a", "slave_public/a-role"));
  h.advance(0.1);
  auto offers = a.offers();
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["resources"][0]["reservations"][0]["type"], "STATIC");
  EXPECT_EQ(offers[0]["resources"][0]["reservations"][0]["role"], "slave_public");
}

TEST(MasterStatic, TwoFrameworksRefineSlavePublicWithoutConflict) {
  ClusterConfig config = one_agent();
  config.agents[0].reserved["slave_public"] = config.agents[0].resources;
  config.agents[0].resources = {};
  MasterHarness h(config);
  json stat = {{"type", "STATIC"}, {"role", "slave_public"}};
  auto refine = [&](TestFramework& fw, const std::string& role, double cpus) {
    h.advance(0.1);
    auto offers = fw.offers();
    ASSERT_EQ(offers.size(), 1u) << role;
    json r =
        scalar("cpus", cpus, role, json::array({stat, dynamic(role, role + "-principal", role)}));
    // The rest is declined for long, so the other framework gets the agent next.
    h.call(fw, accept(offer_ids(offers), {{{"type", "RESERVE"}, {"reserve", {{"resources", {r}}}}}},
                      1000));
  };
  TestFramework a = h.subscribe(framework_info("slave_public/a", "slave_public/a"));
  refine(a, "slave_public/a", 1);
  TestFramework b = h.subscribe(framework_info("slave_public/b", "slave_public/b"));
  refine(b, "slave_public/b", 2);
  double a_cpus = 0, b_cpus = 0, shared = 0;
  for (const auto& r : h.master->agents().at("M-S0").total.resources()) {
    if (r.name != "cpus") continue;
    if (r.role() == "slave_public/a") a_cpus += r.scalar;
    if (r.role() == "slave_public/b") b_cpus += r.scalar;
    if (r.role() == "slave_public") shared += r.scalar;
  }
  EXPECT_DOUBLE_EQ(a_cpus, 1);
  EXPECT_DOUBLE_EQ(b_cpus, 2);
  EXPECT_DOUBLE_EQ(shared, 1);
  // Each framework sees its own refinement, never the other's.
  h.call(a, {{"type", "REVIVE"}, {"revive", json::object()}});
  h.advance(0.1);
  auto offers = a.offers();
  ASSERT_EQ(offers.size(), 1u);
  std::set<std::string> roles;
  for (const json& r : offers[0]["resources"])
    if (r.contains("reservations"))
      roles.insert(r["reservations"].back()["role"].get<std::string>());
  EXPECT_TRUE(roles.count("slave_public/a"));
  EXPECT_FALSE(roles.count("slave_public/b"));
}

TEST(MasterDrf, TheFrameworkWithTheSmallerShareGetsTheNextAgent) {
  ClusterConfig config = one_agent();
  config.agents.push_back(config.agents[0]);
  config.agents[1].name = "agent-1";
  MasterHarness h(config);
  TestFramework big = h.subscribe(framework_info("big", "big"));
  auto offers = big.offers();
  ASSERT_EQ(offers.size(), 2u) << "alone, it gets both agents";
  // It uses one agent fully and declines the other.
  h.call(
      big,
      accept(json::array({offers[0]["id"]}),
             {launch_group(big.id, "e",
                           json::array({scalar("cpus", 0.01, "big"), scalar("mem", 32, "big"),
                                        scalar("disk", 1, "big")}),
                           {task("t", {scalar("cpus", 3.99, "big"), scalar("mem", 4000, "big")})})},
             0));
  h.call(big,
         {{"type", "DECLINE"},
          {"decline",
           {{"offer_ids", json::array({offers[1]["id"]})}, {"filters", {{"refuse_seconds", 0}}}}}});
  TestFramework small = h.subscribe(framework_info("small", "small"));
  h.advance(0.1);
  bool got_agent_1 = false;
  for (const json& offer : small.offers())
    if (offer["agent_id"]["value"] == "M-S1") got_agent_1 = true;
  EXPECT_TRUE(got_agent_1) << "the idle agent goes to the framework with the smaller share";
  EXPECT_TRUE(big.offers().empty());
}

}  // namespace
}  // namespace steward::cluster::testing

namespace steward::cluster::testing {
namespace {

TEST(MasterCheckpoint, RoundTripKeepsLedgerTasksAndUnacknowledgedUpdates) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "svc-role", true, 100));
  json stack = json::array({dynamic("svc-role", "svc-principal", "r1")});
  json exec = {scalar("cpus", 0.1, "svc-role", stack), scalar("mem", 32, "svc-role", stack),
               scalar("disk", 10, "svc-role", stack)};
  json reserve = {{"type", "RESERVE"},
                  {"reserve",
                   {{"resources",
                     {scalar("cpus", 1.1, "svc-role", stack), scalar("mem", 32, "svc-role", stack),
                      scalar("disk", 10, "svc-role", stack)}}}}};
  h.call(fw, accept(offer_ids(fw.offers()),
                    {reserve, launch_group(fw.id, "e", exec,
                                           {task("t", {scalar("cpus", 1, "svc-role", stack)})})}));
  auto first = fw.updates();  // STARTING, left unacknowledged
  ASSERT_EQ(first.size(), 1u);
  json saved = h.master->checkpoint();

  MasterHarness again(one_agent());
  std::string error;
  ASSERT_TRUE(again.master->restore(saved, again.now, error)) << error;
  EXPECT_EQ(again.master->frameworks().size(), 1u);
  EXPECT_FALSE(again.master->frameworks().begin()->second.connected);
  ASSERT_EQ(again.master->tasks().size(), 1u);
  const TaskRecord& t = again.master->tasks().begin()->second;
  EXPECT_EQ(t.unacknowledged.size(), 2u);  // STARTING and RUNNING, both still owed
  EXPECT_EQ(t.unacknowledged.front().uuid, first[0]["uuid"]);
  const AgentRecord& agent = again.master->agents().begin()->second;
  EXPECT_EQ(agent.executors.size(), 1u);
  // Free is what the ledger holds minus what the executor and task use.
  EXPECT_DOUBLE_EQ(agent.free.scalar("cpus"), 4 - 1.1);
  EXPECT_EQ(again.master->checkpoint(), saved);
  // The framework comes back and gets the update it never acknowledged.
  TestFramework back = again.subscribe(framework_info("svc", "svc-role", true, 100), fw.id);
  auto resent = back.updates();
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0]["uuid"], first[0]["uuid"]);
}

// Parts of the checkpoint are written once and kept (an agent's ledger until it changes): a
// reservation made after a checkpoint is in the next one.
TEST(MasterCheckpoint, ACheckpointAfterAReservationHoldsIt) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "svc-role", true, 100));
  const json before = h.master->checkpoint();
  json stack = json::array({dynamic("svc-role", "svc-principal", "r1")});
  json reserve = {{"type", "RESERVE"},
                  {"reserve", {{"resources", {scalar("cpus", 1, "svc-role", stack)}}}}};
  h.call(fw, accept(offer_ids(fw.offers()), {reserve}));
  const json after = h.master->checkpoint();
  const json& total = after["agents"][0]["total"];
  EXPECT_NE(total, before["agents"][0]["total"]);
  int reserved = 0;
  for (const json& r : total)
    reserved += r.contains("reservations") && !r["reservations"].empty() ? 1 : 0;
  EXPECT_EQ(reserved, 1) << total.dump();
  MasterHarness again(one_agent());
  std::string error;
  ASSERT_TRUE(again.master->restore(after, again.now, error)) << error;
  EXPECT_DOUBLE_EQ(again.master->agents().begin()->second.total.scalar("cpus"), 4);
  EXPECT_EQ(again.master->agents().begin()->second.total.resources().size(),
            h.master->agents().begin()->second.total.resources().size());
}

// A task's held resources are its TaskInfo's unless it lists a volume (held by its executor):
// the checkpoint writes them only then, and a restore gets each task's back either way.
TEST(MasterCheckpoint, HeldResourcesAreWrittenOnlyWhereTheyDifferFromTheTaskInfo) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", kRole, true, 100));
  json cpus = scalar("cpus", 1, kRole, reserved_stack("r-cpus"));
  json half = scalar("cpus", 0.5, kRole, reserved_stack("r-cpus"));
  json disk = scalar("disk", 100, kRole, reserved_stack("r-disk"));
  json exec = {scalar("cpus", 0.1, kRole, reserved_stack("r-ecpus")),
               scalar("mem", 32, kRole, reserved_stack("r-emem")),
               scalar("disk", 10, kRole, reserved_stack("r-edisk"))};
  json vol = volume(100, kRole, reserved_stack("r-disk"), "v", "data");
  json reserve = {{"type", "RESERVE"},
                  {"reserve", {{"resources", {cpus, disk, exec[0], exec[1], exec[2]}}}}};
  json create = {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}};
  h.call(fw, accept(offer_ids(fw.offers()),
                    {reserve, create,
                     launch_group(fw.id, "e", exec,
                                  {task("plain", {half}), task("holder", {half, vol})})}));
  ASSERT_EQ(h.master->tasks().size(), 2u);
  const json saved = h.master->checkpoint();
  std::map<std::string, json> entries;
  for (const json& t : saved["tasks"])
    entries[t["info"]["task_id"]["value"].get<std::string>()] = t;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(entries["plain"].contains("resources")) << entries["plain"].dump();
  ASSERT_TRUE(entries["holder"].contains("resources")) << entries["holder"].dump();
  EXPECT_EQ(entries["holder"]["resources"].size(), 1u);  // the cpus; the volume is the pod's

  MasterHarness again(one_agent());
  std::string error;
  ASSERT_TRUE(again.master->restore(saved, again.now, error)) << error;
  ASSERT_EQ(again.master->tasks().size(), 2u);
  for (const auto& [key, t] : h.master->tasks()) {
    const TaskRecord& back = again.master->tasks().at(key);
    EXPECT_EQ(back.resources, t.resources) << key;
    EXPECT_EQ(back.info.resources, t.info.resources) << key;
  }
  EXPECT_EQ(again.master->checkpoint(), saved);
  // Free is the same: what the restored tasks hold was counted as before.
  EXPECT_DOUBLE_EQ(again.master->agents().begin()->second.free.scalar("cpus"),
                   h.master->agents().begin()->second.free.scalar("cpus"));

  // Format 3 since (2 with a journal beside it, which reads as 2 does): a file of format 1
  // (every task's resources written) or 2 still reads the same, and a format this build does
  // not know is refused.
  EXPECT_EQ(saved["format"], 3);
  json two = saved;
  two["format"] = 2;
  MasterHarness from_two(one_agent());
  ASSERT_TRUE(from_two.master->restore(two, from_two.now, error)) << error;
  EXPECT_EQ(from_two.master->checkpoint(), saved);
  json old = saved;
  old["format"] = 1;
  for (json& t : old["tasks"])
    if (!t.contains("resources")) t["resources"] = t["info"]["resources"];
  MasterHarness from_old(one_agent());
  ASSERT_TRUE(from_old.master->restore(old, from_old.now, error)) << error;
  EXPECT_EQ(from_old.master->checkpoint(), saved);
  json future = saved;
  future["format"] = 4;
  MasterHarness from_future(one_agent());
  EXPECT_FALSE(from_future.master->restore(future, from_future.now, error));
}

// Found by cluster_checkpoint_fuzz: a count given as a float out of an integer's range was
// converted (undefined behaviour). Counts are refused unless they are non-negative integers.
TEST(MasterCheckpoint, ACountThatIsNotANonNegativeIntegerIsRefused) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", kRole));
  h.call(fw, accept(offer_ids(fw.offers()), deploy_ops(fw.id), 0));
  const json saved = h.master->checkpoint();
  const auto refused = [&](const json& damaged, const std::string& why) {
    MasterHarness other(one_agent());
    std::string error;
    EXPECT_FALSE(other.master->restore(damaged, other.now, error)) << damaged.dump();
    EXPECT_NE(error.find(why), std::string::npos) << error;
    EXPECT_TRUE(other.master->tasks().empty());
  };
  json bad = saved;
  bad["format"] = 3e115;
  refused(bad, "not a checkpoint this version understands");
  bad = saved;
  bad["counters"]["offer"] = -1;
  refused(bad, "a counter is not a count");
  bad = saved;
  bad["counters"]["group"] = 1.5;
  refused(bad, "a counter is not a count");
  bad = saved;
  bad["tasks"][0]["group"] = 1e300;
  refused(bad, "has a group that is not a count");
  MasterHarness other(one_agent());
  std::string error;
  EXPECT_TRUE(other.master->restore(saved, other.now, error)) << error;
}

TEST(MasterCheckpoint, RefusesACheckpointOfOtherAgentsAndLeavesStateAlone) {
  MasterHarness h(one_agent());
  json saved = h.master->checkpoint();
  ClusterConfig bigger = one_agent();
  bigger.agents[0].resources.cpus = 8;
  MasterHarness other(bigger);
  std::string error;
  EXPECT_FALSE(other.master->restore(saved, other.now, error));
  EXPECT_NE(error.find("resources of agent agent-0 changed"), std::string::npos) << error;
  EXPECT_DOUBLE_EQ(other.master->agents().begin()->second.free.scalar("cpus"), 8);
  ClusterConfig renamed = one_agent();
  renamed.agents[0].name = "elsewhere";
  MasterHarness third(renamed);
  EXPECT_FALSE(third.master->restore(saved, third.now, error));
  EXPECT_NE(error.find("not in the cluster config"), std::string::npos) << error;
  EXPECT_FALSE(third.master->restore(json::object(), third.now, error));
}

}  // namespace
}  // namespace steward::cluster::testing

namespace steward::cluster::testing {
namespace {

// A damaged checkpoint is refused with an error, never an exception, and changes nothing.
TEST(MasterCheckpoint, DamagedCheckpointsAreRefusedWithoutThrowing) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "svc-role"));
  json exec = small_executor("svc-role");
  h.call(fw,
         accept(offer_ids(fw.offers()),
                {launch_group(fw.id, "e", exec, {task("t", {scalar("cpus", 1, "svc-role")})})}));
  const json saved = h.master->checkpoint();
  std::mt19937 rng(3);
  const json junk[] = {json(), json(7), json("x"), json::array(), json::object(), json(true)};
  std::size_t refused = 0;
  for (int i = 0; i < 600; ++i) {
    json damaged = saved;
    // Replace one random node (walked by JSON pointer) with junk.
    std::vector<json::json_pointer> pointers;
    const json flat = damaged.flatten();
    for (const auto& [path, value] : flat.items())
      pointers.emplace_back(path);
    auto pointer = pointers[rng() % pointers.size()];
    for (int up = static_cast<int>(rng() % 3); up > 0 && !pointer.empty(); --up)
      pointer = pointer.parent_pointer();
    damaged[pointer] = junk[rng() % std::size(junk)];
    MasterHarness fresh(one_agent());
    std::string error;
    bool ok = true;
    ASSERT_NO_THROW(ok = fresh.master->restore(damaged, fresh.now, error)) << damaged.dump();
    if (!ok) {
      ++refused;
      EXPECT_FALSE(error.empty());
      EXPECT_TRUE(fresh.master->tasks().empty());
    }
  }
  EXPECT_GT(refused, 30u);
}

}  // namespace
}  // namespace steward::cluster::testing

namespace steward::cluster::testing {
namespace {

TEST(MasterIds, NewFrameworkIdsSkipIdsBroughtAlongByOthers) {
  MasterHarness h(one_agent());
  // A scheduler from before a master failover subscribes with an id the master never gave.
  TestFramework old = h.subscribe(framework_info("old", "r"), "M-0000");
  EXPECT_EQ(old.id, "M-0000");
  TestFramework fresh = h.subscribe(framework_info("new", "r"));
  EXPECT_EQ(fresh.id, "M-0001");
  EXPECT_EQ(h.master->frameworks().size(), 2u);
}

TEST(MasterTeardown, UpdatesFromExecutorsOfARemovedFrameworkAreAcknowledged) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "svc-role"));
  json exec = small_executor("svc-role");
  h.call(fw,
         accept(offer_ids(fw.offers()),
                {launch_group(fw.id, "e", exec, {task("t", {scalar("cpus", 1, "svc-role")})})}));
  h.call(fw, {{"type", "TEARDOWN"}});
  // The simulated executor was shut down and reported KILLED; with the framework gone the
  // master acknowledged it, so the executor could finish.
  EXPECT_FALSE(h.runtime().has_task("t"));
  EXPECT_EQ(h.runtime().executors(), 0u);
  EXPECT_TRUE(h.master->agents().begin()->second.executors.empty());
}

}  // namespace
}  // namespace steward::cluster::testing

namespace steward::cluster::testing {
namespace {

TEST(MasterReview, TwoFrameworksWithTheSameTaskIdOnSimulatedAgentsStayApart) {
  MasterHarness h(one_agent());
  TestFramework a = h.subscribe(framework_info("a", "ra"));
  auto offers_a = a.offers();
  TestFramework b = h.subscribe(framework_info("b", "rb"));
  // Split the agent: a takes half and leaves the rest for b.
  h.call(a, accept(offer_ids(offers_a),
                   {launch_group(a.id, "e", small_executor("ra"),
                                 {task("t", {scalar("cpus", 1, "ra")})})},
                   0));
  h.advance(0.1);
  h.call(b, accept(offer_ids(b.offers()),
                   {launch_group(b.id, "e", small_executor("rb"),
                                 {task("t", {scalar("cpus", 1, "rb")})})},
                   0));
  h.acknowledge(a, a.updates());
  h.acknowledge(a, a.updates());
  h.acknowledge(b, b.updates());
  h.acknowledge(b, b.updates());
  h.call(b, {{"type", "KILL"}, {"kill", {{"task_id", {{"value", "t"}}}}}});
  h.acknowledge(b, b.updates());
  EXPECT_EQ(h.master->tasks().at(a.id + "/t").state, mesos::TaskState::running)
      << "b's kill is b's";
  EXPECT_NO_THROW(h.call(a, {{"type", "TEARDOWN"}}));
  EXPECT_NO_THROW(h.advance(100));
  EXPECT_EQ(h.runtime().executors(), 0u);
}

TEST(MasterReview, IdsThatWouldEscapeTheirDirectoriesAreRefused) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "r"));
  json stack = json::array({dynamic("r", "svc-principal", "d")});
  h.call(
      fw,
      accept(
          offer_ids(fw.offers()),
          {{{"type", "RESERVE"}, {"reserve", {{"resources", {scalar("disk", 10, "r", stack)}}}}},
           {{"type", "CREATE"},
            {"create", {{"volumes", {volume(10, "r", stack, "../../victim", "data")}}}}},
           launch_group(fw.id, "e", small_executor("r"), {task("/etc", {scalar("cpus", 1, "r")})})},
          0));
  for (const auto& r : h.master->agents().begin()->second.total.resources())
    EXPECT_FALSE(r.disk && r.disk->persistence) << "no volume with a traversing id";
  auto updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_ERROR");
  EXPECT_NE(updates[0]["message"].get<std::string>().find("not a valid id"), std::string::npos);
  h.advance(0.1);
  h.call(fw, accept(offer_ids(fw.offers()), {launch_group(fw.id, "../e", small_executor("r"),
                                                          {task("t", {scalar("cpus", 1, "r")})})}));
  updates = fw.updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["state"], "TASK_ERROR");
}

TEST(MasterReview, NegativeResourcesAreRefusedAtTheDoor) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "r"));
  CallOutcome o = h.call(fw, accept(offer_ids(fw.offers()),
                                    {launch_group(fw.id, "e", small_executor("r"),
                                                  {task("t", {scalar("cpus", -1000, "r")})})}));
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.message.find(">= 0"), std::string::npos) << o.message;
}

TEST(MasterReview, AVolumeSharedByTasksStaysHeldUntilTheExecutorEnds) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "r"));
  json stack = json::array({dynamic("r", "svc-principal", "d")});
  json vol = volume(10, "r", stack, "shared", "data");
  h.call(
      fw,
      accept(offer_ids(fw.offers()),
             {{{"type", "RESERVE"}, {"reserve", {{"resources", {scalar("disk", 10, "r", stack)}}}}},
              {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}},
              launch_group(fw.id, "e", small_executor("r"),
                           {task("a", {scalar("cpus", 1, "r"), vol}),
                            task("b", {scalar("cpus", 1, "r"), vol})})},
             0));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  ASSERT_TRUE(h.runtime().finish(fw.id + "/a", false));
  h.run();
  h.acknowledge(fw, fw.updates());
  auto free_volume = [&] {
    for (const auto& r : h.master->agents().begin()->second.free.resources())
      if (r.disk && r.disk->persistence) return true;
    return false;
  };
  EXPECT_FALSE(free_volume()) << "b still uses it";
  h.call(fw, {{"type", "KILL"}, {"kill", {{"task_id", {{"value", "b"}}}}}});
  h.acknowledge(fw, fw.updates());
  EXPECT_TRUE(free_volume()) << "the executor is gone: the volume can be offered again";
}

TEST(MasterReview, ParentRoleReservationsCannotBeUnreservedByAChildRole) {
  ClusterConfig config = one_agent();
  config.agents[0].reserved["slave_public"] = config.agents[0].resources;
  config.agents[0].resources = {};
  MasterHarness h(config);
  TestFramework fw = h.subscribe(framework_info("svc", "slave_public/svc"));
  // The framework asks to pop the STATIC slave_public reservation: it is not its own.
  json stat = json::array({{{"type", "STATIC"}, {"role", "slave_public"}}});
  h.call(fw,
         accept(offer_ids(fw.offers()),
                {{{"type", "UNRESERVE"},
                  {"unreserve", {{"resources", {scalar("cpus", 1, "slave_public/svc", stat)}}}}}}));
  for (const auto& r : h.master->agents().begin()->second.total.resources())
    EXPECT_TRUE(r.reserved());
}

TEST(MasterReview, StoppedThenRemovedAgentShutsItsExecutorsDown) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "r"));
  h.call(fw, accept(offer_ids(fw.offers()), {launch_group(fw.id, "e", small_executor("r"),
                                                          {task("t", {scalar("cpus", 1, "r")})})}));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  h.master->stop_agent("agent-0", h.now);
  h.master->remove_agent("agent-0", h.now);
  h.run();
  EXPECT_EQ(h.runtime().executors(), 0u) << "its executor was shut down and let go";
}

TEST(MasterReview, AcknowledgementsWhileAnAgentIsStoppedStillReachItsExecutor) {
  MasterHarness h(one_agent());
  TestFramework fw = h.subscribe(framework_info("svc", "r"));
  h.call(fw, accept(offer_ids(fw.offers()), {launch_group(fw.id, "e", small_executor("r"),
                                                          {task("t", {scalar("cpus", 1, "r")})})}));
  h.acknowledge(fw, fw.updates());
  h.acknowledge(fw, fw.updates());
  ASSERT_TRUE(h.runtime().finish("t", false));
  h.run();
  auto finished = fw.updates();
  ASSERT_EQ(finished.size(), 1u);
  h.master->stop_agent("agent-0", h.now);
  h.acknowledge(fw, finished);
  h.master->start_agent("agent-0", h.now);
  h.run();
  EXPECT_EQ(h.runtime().executors(), 0u);
  EXPECT_TRUE(h.master->agents().begin()->second.executors.empty());
}

}  // namespace
}  // namespace steward::cluster::testing
