// Random sequences of scheduler calls, runtime reports and faults against the master:
// nothing may crash, and the books must balance after every step (on each agent, what is
// free, offered and in use adds up to the agent's total), and the checkpoint journal's
// entries, applied to the snapshot before them, give the checkpoint.

#include <gtest/gtest.h>

#include <random>

#include "cluster/journal_merge.hpp"
#include "master_harness.hpp"

namespace steward::cluster::testing {
namespace {

struct Sums {
  double cpus = 0, mem = 0, disk = 0;
  std::uint64_t ports = 0;
};

Sums sums(const std::vector<mesos::Resource>& resources) {
  Sums s;
  for (const auto& r : resources) {
    if (r.name == "cpus") s.cpus += r.scalar;
    if (r.name == "mem") s.mem += r.scalar;
    if (r.name == "disk") s.disk += r.scalar;
    for (const auto& range : r.ranges)
      s.ports += range.end - range.begin + 1;
  }
  return s;
}

void expect_balanced(const Master& master, const std::string& context) {
  for (const auto& [id, agent] : master.agents()) {
    if (agent.state == AgentRecord::State::removed) continue;
    std::vector<mesos::Resource> accounted = agent.free.resources();
    for (const auto& r : master.used(agent).resources())
      accounted.push_back(r);
    for (const auto& [oid, offer] : master.offers())
      if (offer.agent_id == id)
        accounted.insert(accounted.end(), offer.resources.begin(), offer.resources.end());
    Sums got = sums(accounted);
    Sums want = sums(agent.total.resources());
    ASSERT_NEAR(got.cpus, want.cpus, 1e-6) << context;
    ASSERT_NEAR(got.mem, want.mem, 1e-6) << context;
    ASSERT_NEAR(got.disk, want.disk, 1e-6) << context;
    ASSERT_EQ(got.ports, want.ports) << context;
    // Fixed by the config: reservations move resources around but never create any.
    Sums configured = sums(agent.config.total_resources());
    ASSERT_NEAR(want.cpus, configured.cpus, 1e-6) << context;
    ASSERT_EQ(want.ports, configured.ports) << context;
  }
}

TEST(MasterRandom, BooksBalanceUnderRandomCallsAndFaults) {
  // What the random walks reached, so the test cannot pass by doing nothing.
  std::size_t running_seen = 0, volumes_seen = 0, refined_seen = 0, journal_checks = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    ClusterConfig config = one_agent();
    config.agents.push_back(config.agents[0]);
    config.agents[1].name = "agent-1";
    config.agents[1].reserved["slave_public"] = {2, 1024, 2000, 0, {{32000, 32009}}};
    MasterHarness h(config);
    std::vector<TestFramework> fws;
    fws.push_back(h.subscribe(framework_info("a", "role-a", true, 30)));
    fws.push_back(h.subscribe(framework_info("b", "slave_public/b", rng() % 2 == 0, 30)));
    int task_counter = 0;
    std::vector<std::string> launched;
    // The daemon's checkpoint files: a snapshot marked as the journal's base, then an entry
    // after every step (checkpoint_journal.hpp).
    json snapshot;
    std::vector<json> entries;
    for (int step = 0; step < 150; ++step) {
      if (step % 50 == 0) {
        std::string text;
        ASSERT_TRUE(h.master->write_checkpoint(text, nullptr, std::size_t{1} << 20, true));
        snapshot = json::parse(text);
        entries.clear();
      }
      TestFramework& fw = fws[rng() % fws.size()];
      const std::string role = fw.id == fws[0].id ? "role-a" : "slave_public/b";
      const std::string context = "seed " + std::to_string(seed) + " step " + std::to_string(step);
      std::vector<json> offers = fw.offers();
      switch (rng() % 12) {
        case 0:
        case 1:
        case 2: {  // accept an offer with random operations
          if (offers.empty()) break;
          const json& offer = offers[rng() % offers.size()];
          json ops = json::array();
          const std::string principal = fw.id == fws[0].id ? "a-principal" : "b-principal";
          json stack = json::array({dynamic(role, principal, "r" + std::to_string(rng() % 3))});
          if (role.rfind("slave_public/", 0) == 0)
            stack = json::array(
                {{{"type", "STATIC"}, {"role", "slave_public"}}, dynamic(role, principal, "r")});
          double cpus = 0.1 * static_cast<double>(1 + rng() % 20);
          int what = static_cast<int>(rng() % 5);
          if (what == 0)
            ops.push_back({{"type", "RESERVE"},
                           {"reserve", {{"resources", {scalar("cpus", cpus, role, stack)}}}}});
          if (what == 1)
            ops.push_back({{"type", "UNRESERVE"},
                           {"unreserve", {{"resources", {scalar("cpus", cpus, role, stack)}}}}});
          if (what == 2) {
            ops.push_back({{"type", "RESERVE"},
                           {"reserve", {{"resources", {scalar("disk", 10, role, stack)}}}}});
            ops.push_back(
                {{"type", "CREATE"},
                 {"create",
                  {{"volumes",
                    {volume(10, role, stack, "v" + std::to_string(rng() % 3), "data")}}}}});
          }
          if (what == 3)
            ops.push_back(
                {{"type", "DESTROY"},
                 {"destroy",
                  {{"volumes",
                    {volume(10, role, stack, "v" + std::to_string(rng() % 3), "data")}}}}});
          std::string id = "t" + std::to_string(task_counter++);
          json exec = {scalar("cpus", 0.1, role), scalar("mem", 32, role), scalar("disk", 1, role)};
          ops.push_back(launch_group(fw.id, "e" + std::to_string(rng() % 4), exec,
                                     {task(id, {scalar("cpus", cpus, role)})}));
          launched.push_back(id);
          h.call(fw, accept(json::array({offer["id"]}), ops, static_cast<double>(rng() % 3)));
          break;
        }
        case 3:
          if (!offers.empty())
            h.call(fw, {{"type", "DECLINE"}, {"decline", {{"offer_ids", offer_ids(offers)}}}});
          break;
        case 4:
          if (!launched.empty())
            h.call(fw, {{"type", "KILL"},
                        {"kill", {{"task_id", {{"value", launched[rng() % launched.size()]}}}}}});
          break;
        case 5:
          h.acknowledge(fw, fw.updates());
          break;
        case 6:
          if (!launched.empty())
            h.runtime().finish(launched[rng() % launched.size()], rng() % 2 == 0);
          h.run();
          break;
        case 7: {
          const char* agent = rng() % 2 ? "agent-0" : "agent-1";
          int fault = static_cast<int>(rng() % 6);
          if (fault < 3)
            h.master->stop_agent(agent, h.now);
          else if (fault < 5)
            h.master->start_agent(agent, h.now);
          else
            h.master->remove_agent(agent, h.now);
          break;
        }
        case 8:
          h.call(fw, {{"type", rng() % 2 ? "SUPPRESS" : "REVIVE"},
                      {rng() % 2 ? "suppress" : "revive", json::object()}});
          break;
        case 9:
          h.call(fw, {{"type", "RECONCILE"}, {"reconcile", {{"tasks", json::array()}}}});
          break;
        case 10:
          // The scheduler drops its connection and comes back (or not, for a while).
          h.master->stream_closed(fw.id, fw.stream->id(), h.now);
          if (rng() % 2) {
            json info = framework_info(fw.id == fws[0].id ? "a" : "b", role, true, 30);
            TestFramework back = h.subscribe(info, fw.id);
            if (back.stream) fw = back;
          }
          break;
        default:
          h.advance(static_cast<double>(rng() % 4));
          break;
      }
      h.run();
      ASSERT_NO_FATAL_FAILURE(expect_balanced(*h.master, context));
      for (const auto& [key, t] : h.master->tasks())
        running_seen += t.state == mesos::TaskState::running;
      for (const auto& [aid, agent] : h.master->agents())
        for (const auto& r : agent.total.resources()) {
          volumes_seen += r.disk && r.disk->persistence ? 1 : 0;
          refined_seen += r.reservations.size() > 1 ? 1 : 0;
        }
      std::string entry;
      ASSERT_TRUE(h.master->write_journal_entry(entry, nullptr));
      entries.push_back(json::parse(entry));
      // The snapshot with the entries since applied is the checkpoint as it is now.
      if (step % 5 == 4) {
        json merged = snapshot;
        JournalMerge merge(merged);
        for (const json& e : entries) {
          std::string error;
          ASSERT_TRUE(merge.apply(e, error)) << context << ": " << error;
        }
        merge.finish();
        ASSERT_EQ(merged, h.master->checkpoint()) << context;
        journal_checks += merged["tasks"].size();
      }
      // A checkpoint taken at any moment restores to the same checkpoint.
      if (step % 25 == 0) {
        MasterHarness copy(config);
        std::string error;
        json saved = h.master->checkpoint();
        ASSERT_TRUE(copy.master->restore(saved, copy.now, error)) << context << ": " << error;
        ASSERT_EQ(copy.master->checkpoint(), saved) << context;
        ASSERT_NO_FATAL_FAILURE(expect_balanced(*copy.master, context + " (restored)"));
      }
    }
  }
  EXPECT_GT(running_seen, 100u);
  EXPECT_GT(volumes_seen, 10u);
  EXPECT_GT(refined_seen, 10u);
  EXPECT_GT(journal_checks, 100u);  // tasks compared after merging
}

}  // namespace
}  // namespace steward::cluster::testing
