// The cluster daemon dies (SIGKILL) or stops and comes back on the same data directory:
// executors and tasks keep running, the ledger of reservations and volumes survives,
// unacknowledged updates and the ends of tasks that finished meanwhile are reported.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "cluster/checkpoint_journal.hpp"
#include "cluster_process.hpp"
#include "master_harness.hpp"

namespace steward::cluster::testing {
namespace {

const char* kConfig = R"(
heartbeat_interval_seconds: 1
update_retry_seconds: 1
agents:
  - name: real
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
  - name: sim
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 10000}
)";

const std::string kRole = "svc-role";

json exec_resources() {
  return {scalar("cpus", 0.1, kRole), scalar("mem", 32, kRole), scalar("disk", 16, kRole)};
}

bool alive(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

json task_state(const ClusterProcess& cluster, const std::string& task_id) {
  json state = cluster.operator_call("GET_STATE");
  for (const char* list : {"tasks", "completed_tasks"})
    for (const json& t : state["get_state"]["get_tasks"][list])
      if (t["task_id"]["value"] == task_id) return t["state"];
  return nullptr;
}

TEST(Recovery, SigkilledDaemonComesBackToRunningTasksAndTasksThatEndedMeanwhile) {
  ClusterProcess cluster(kConfig);
  fs::path marks = cluster.dir() / "marks";
  fs::create_directories(marks);
  fs::permissions(marks, fs::perms::all);  // tasks run as the framework's user, nobody
  json info = framework_info("svc", kRole, true, 3600);
  std::string id;
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info).status, 200);
    id = fw.id();
    json real_offer;
    json sim_offer;
    for (const json& o :
         fw.offers_until([](const std::vector<json>& all) { return all.size() >= 2; }))
      (o["hostname"] == "localhost" && real_offer.is_null() ? real_offer : sim_offer) = o;
    // Which offer is which agent: the state says.
    json agents = cluster.operator_call("GET_AGENTS");
    std::string real_id;
    for (const json& a : agents["get_agents"]["agents"])
      if (a["pid"].get<std::string>().find("slave(real)") == 0)
        real_id = a["agent_info"]["id"]["value"];
    if (real_offer["agent_id"]["value"] != real_id) std::swap(real_offer, sim_offer);
    ASSERT_EQ(real_offer["agent_id"]["value"], real_id);

    std::string long_cmd = "echo $$ > " + (marks / "long.pid").string() + " && exec sleep 1000";
    std::string waiter_cmd = "while [ ! -f " + (marks / "go").string() + " ]; do sleep 0.05; done";
    auto r =
        fw.call(accept(json::array({real_offer["id"]}),
                       {launch_group(id, "long__exec", exec_resources(),
                                     {task("long", {scalar("cpus", 0.5, kRole)}, long_cmd)}),
                        launch_group(id, "waiter__exec", exec_resources(),
                                     {task("waiter", {scalar("cpus", 0.5, kRole)}, waiter_cmd)})},
                       0));
    ASSERT_EQ(r.status, 202) << r.body;
    r = fw.call(accept(json::array({sim_offer["id"]}),
                       {launch_group(id, "simex", exec_resources(),
                                     {task("simulated", {scalar("cpus", 1, kRole)})})},
                       0));
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_FALSE(fw.wait_update("long", "TASK_RUNNING").is_null()) << cluster.log();
    ASSERT_FALSE(fw.wait_update("waiter", "TASK_RUNNING").is_null());
    ASSERT_FALSE(fw.wait_update("simulated", "TASK_RUNNING").is_null());
    ASSERT_TRUE(eventually([&] { return alive(read_pid(marks / "long.pid")); }));
    // The checkpoint is written within a tick of the change.
    ASSERT_TRUE(eventually([&] {
      const fs::path master = fs::path(cluster.data_dir()) / "master";
      json j;
      bool found = false;
      std::string error;
      if (!CheckpointJournal::load((master / "state.json").string(),
                                   (master / "journal.jsonl").string(), j, found, error) ||
          !found)
        return false;
      int running = 0;
      for (const json& t : j["master"]["tasks"])
        running += t["state"] == "TASK_RUNNING";
      return running == 3;
    }));
    cluster.stop(SIGKILL);
  }
  const pid_t long_pid = read_pid(marks / "long.pid");
  EXPECT_TRUE(alive(long_pid)) << "killing the daemon kills no task";
  // The waiter ends while the daemon is away.
  std::ofstream(marks / "go") << "go";

  cluster.start();
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(info, id).status, 200);
  EXPECT_EQ(fw.id(), id);
  // The executor reconnects and reports the task that finished meanwhile.
  json finished = fw.wait_update("waiter", "TASK_FINISHED", 30);
  ASSERT_FALSE(finished.is_null()) << fw.dump() << cluster.log();
  EXPECT_EQ(task_state(cluster, "long"), "TASK_RUNNING");
  EXPECT_EQ(task_state(cluster, "simulated"), "TASK_RUNNING");
  EXPECT_TRUE(alive(long_pid));
  fw.call(
      {{"type", "RECONCILE"}, {"reconcile", {{"tasks", {{{"task_id", {{"value", "long"}}}}}}}}});
  json reconciled = fw.wait_for([](const json& e) {
    return e.value("type", "") == "UPDATE" && e["update"]["status"]["task_id"]["value"] == "long" &&
           e["update"]["status"].value("reason", "") == "REASON_RECONCILIATION";
  });
  ASSERT_FALSE(reconciled.is_null());
  EXPECT_EQ(reconciled["update"]["status"]["state"], "TASK_RUNNING");

  // The re-adopted executor still obeys: a kill ends the task.
  fw.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "long"}}}}}});
  EXPECT_FALSE(fw.wait_update("long", "TASK_KILLED").is_null()) << fw.dump();
  EXPECT_TRUE(eventually([&] { return !alive(long_pid); }));
  fw.call({{"type", "TEARDOWN"}});
}

TEST(Recovery, ReservationsAndVolumesSurviveARestartAndAChangedAgentIsRefused) {
  ClusterProcess cluster(kConfig);
  json info = framework_info("svc", kRole, true, 3600);
  std::string id;
  json stack = json::array({dynamic(kRole, "svc-principal", "keep-me")});
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info).status, 200);
    id = fw.id();
    auto offers = fw.offers_until([](const std::vector<json>& all) { return all.size() >= 2; });
    json vol = volume(100, kRole, stack, "kept-volume", "data");
    // Reserve and create on whichever agent the first offer is for.
    auto r = fw.call(accept(
        json::array({offers[0]["id"]}),
        {{{"type", "RESERVE"}, {"reserve", {{"resources", {scalar("disk", 100, kRole, stack)}}}}},
         {{"type", "CREATE"}, {"create", {{"volumes", {vol}}}}}},
        0));
    ASSERT_EQ(r.status, 202);
    ASSERT_TRUE(eventually([&] {
      // In the snapshot or in an entry of its journal.
      std::string text;
      for (const char* file : {"state.json", "journal.jsonl"}) {
        std::ifstream in(fs::path(cluster.data_dir()) / "master" / file);
        text.append(std::istreambuf_iterator<char>(in), {});
      }
      return text.find("kept-volume") != std::string::npos;
    }));
  }
  cluster.stop(SIGTERM);
  cluster.start();
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info, id).status, 200);
    auto offers = fw.offers_until([](const std::vector<json>& all) {
      for (const json& o : all)
        for (const json& r : o["resources"])
          if (r.contains("disk") && r["disk"]["persistence"]["id"] == "kept-volume") return true;
      return false;
    });
    bool found = false;
    for (const json& o : offers)
      for (const json& r : o["resources"])
        if (r.contains("disk") && r["disk"].contains("persistence")) {
          found = true;
          EXPECT_EQ(r["reservations"][0]["labels"]["labels"][0]["value"], "keep-me");
        }
    EXPECT_TRUE(found) << fw.dump();
  }
  cluster.stop(SIGTERM);
  // The same data directory with an agent whose resources changed: refused, checkpoint kept.
  std::string changed = kConfig;
  changed.replace(changed.find("cpus: 4, mem: 4096, disk: 10000, ports"), 7, "cpus: 8");
  cluster.set_config(changed);
  EXPECT_FALSE(cluster.try_start());
  EXPECT_NE(cluster.log().find("resources of agent real changed"), std::string::npos)
      << cluster.log();
  cluster.set_config(kConfig);
  cluster.start();
  json state = cluster.operator_call("GET_AGENTS");
  bool volume_kept = false;
  for (const json& a : state["get_agents"]["agents"])
    for (const json& r : a["total_resources"])
      if (r.contains("disk") && r["disk"].contains("persistence")) volume_kept = true;
  EXPECT_TRUE(volume_kept);
}

// What a SIGKILL leaves is a snapshot and a journal of what changed since: the restart
// applies both. A damaged line before the journal's last refuses the start and names it,
// leaving the files; a last line cut short is a save that never completed.
TEST(Recovery, TheJournalIsAppliedAndADamagedLineIsRefusedWithItsNumber) {
  ClusterProcess cluster(R"(
agents:
  - name: sim
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 10000}
)");
  json info = framework_info("svc", kRole, true, 3600);
  std::string id;
  const fs::path journal = fs::path(cluster.data_dir()) / "master" / "journal.jsonl";
  const auto lines = [&] {
    std::ifstream in(journal);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
      ++n;
    return n;
  };
  {
    Framework fw(cluster.port());
    ASSERT_EQ(fw.subscribe(info).status, 200);
    id = fw.id();
    auto offers = fw.offers_until([](const std::vector<json>& all) { return !all.empty(); });
    ASSERT_FALSE(offers.empty()) << fw.dump();
    auto r = fw.call(accept(json::array({offers[0]["id"]}),
                            {launch_group(id, "first__exec", exec_resources(),
                                          {task("first", {scalar("cpus", 0.5, kRole)})}),
                             launch_group(id, "second__exec", exec_resources(),
                                          {task("second", {scalar("cpus", 0.5, kRole)})})},
                            0));
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_FALSE(fw.wait_update("first", "TASK_RUNNING").is_null()) << fw.dump();
    ASSERT_FALSE(fw.wait_update("second", "TASK_RUNNING").is_null()) << fw.dump();
    // Both tasks running are in the journal's entries (the snapshot came before them).
    ASSERT_TRUE(eventually([&] {
      std::ifstream in(journal);
      std::string text(std::istreambuf_iterator<char>(in), {});
      return lines() >= 3 && text.find("TASK_RUNNING") != std::string::npos &&
             text.find("\"second\"") != std::string::npos;
    })) << cluster.log();
    cluster.stop(SIGKILL);
  }
  std::string saved;
  {
    std::ifstream in(journal);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A damaged second line: refused, named, left as it was.
  std::string damaged = saved;
  damaged.insert(damaged.find('\n') + 1, "{\"master\": {\"tas\n");
  std::ofstream(journal) << damaged;
  EXPECT_FALSE(cluster.try_start());
  EXPECT_NE(cluster.log().find("journal.jsonl line 2 is damaged"), std::string::npos)
      << cluster.log();
  {
    std::ifstream in(journal);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), damaged);
  }
  // The journal as the crash left it, with a last save cut short: both tasks are back.
  std::ofstream(journal) << saved << "{\"master\":{\"tasks\":{\"" << id << "/second\":nu";
  cluster.start();
  EXPECT_EQ(task_state(cluster, "first"), "TASK_RUNNING");
  EXPECT_EQ(task_state(cluster, "second"), "TASK_RUNNING");
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(info, id).status, 200);
  fw.call({{"type", "TEARDOWN"}});
}

// An executor hears that its updates were acknowledged only once they are on disk: while
// the checkpoint cannot be written, the acknowledgements wait, and so does a finished
// executor (it ends on its last one), until a save goes through. The saves are tried again
// further and further apart, the failure is logged once and shown by `cluster status`.
TEST(Recovery, AFailedSaveHoldsBackAcknowledgementsUntilOneIsWritten) {
  ClusterProcess cluster(R"(
agents:
  - name: real
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)");
  cluster.stop(SIGTERM);
  // The snapshot is written to state.json.tmp first: as a directory, no save succeeds (the
  // first save after a start is a snapshot, and so is every one after a failure).
  const fs::path blocker = fs::path(cluster.data_dir()) / "master" / "state.json.tmp";
  fs::create_directories(blocker);
  cluster.start();
  const auto checkpoint = [&] {
    auto r = cluster.get("/cluster/v1/status");
    json s = json::parse(r.body, nullptr, false);
    return s.is_object() ? s.value("checkpoint", json::object()) : json::object();
  };
  const auto failed_tries = [&] { return checkpoint().value("failed_tries", 0); };
  const auto executors = [&] {
    return cluster.operator_call("GET_STATE")["get_state"]["get_executors"]["executors"].size();
  };
  Framework fw(cluster.port());
  ASSERT_EQ(fw.subscribe(framework_info("svc", kRole)).status, 200);
  auto offers = fw.offers_until([](const std::vector<json>& all) { return !all.empty(); });
  ASSERT_FALSE(offers.empty()) << fw.dump();
  auto r = fw.call(accept(json::array({offers[0]["id"]}),
                          {launch_group(fw.id(), "once__exec", exec_resources(),
                                        {task("once", {scalar("cpus", 0.5, kRole)}, "true")})},
                          0));
  ASSERT_EQ(r.status, 202) << r.body;
  // Acknowledged by the framework before wait_update returns.
  ASSERT_FALSE(fw.wait_update("once", "TASK_FINISHED").is_null()) << cluster.log();
  // Two more failed saves: one that went through would have passed the acknowledgement on,
  // and the executor ended at once.
  const int before = failed_tries();
  ASSERT_GT(before, 0) << checkpoint().dump();
  ASSERT_TRUE(eventually([&] { return failed_tries() >= before + 2; })) << checkpoint().dump();
  EXPECT_EQ(executors(), 1u) << "the executor heard of its acknowledgement before a save";
  const json failing = checkpoint();
  EXPECT_EQ(failing.value("ok", true), false);
  EXPECT_NE(failing.value("error", "").find("state.json.tmp: Is a directory"), std::string::npos)
      << failing.dump();
  std::string status_text;
  {
    const std::string command =
        std::string(STEWARD_BINARY) + " cluster status --data-dir " + cluster.data_dir() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
      status_text.append(buf, n);
    pclose(pipe);
  }
  EXPECT_NE(status_text.find("checkpoint FAILING"), std::string::npos) << status_text;
  // Logged when it began, not at every try (tried at once and logged each time, a
  // failing save wrote tens of thousands of lines a second).
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(cluster.log(), "\ncannot write the checkpoint: "), 1u) << cluster.log();

  fs::remove(blocker);
  EXPECT_TRUE(eventually([&] { return executors() == 0; })) << cluster.log();
  EXPECT_TRUE(checkpoint().value("ok", false)) << checkpoint().dump();
  EXPECT_EQ(count(cluster.log(), "checkpoint written again"), 1u) << cluster.log();
  EXPECT_TRUE(fs::exists(fs::path(cluster.data_dir()) / "master" / "state.json"));
  fw.call({{"type", "TEARDOWN"}});
}

}  // namespace
}  // namespace steward::cluster::testing
