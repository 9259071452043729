// The scheduler's Mesos session against the real embedded cluster.

#include "scheduler/mesos_session.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "../cluster/cluster_process.hpp"
#include "state/locked_state_store.hpp"
#include "state/sqlite_state_store.hpp"

namespace steward::scheduler {
namespace {

using cluster::testing::ClusterProcess;
using cluster::testing::eventually;
using cluster::testing::TempDir;

const char* kConfig = R"(
heartbeat_interval_seconds: 0.5
agents:
  - name: sim
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)";

// Records what the session reports; checks the id is stored before `subscribed` is heard.
class Recorder : public MesosSession::Listener {
 public:
  explicit Recorder(state::StateStore& store) : store_(store) {}
  void subscribed(const std::string& id) override {
    std::lock_guard lock(mutex_);
    subscriptions.push_back(id);
    stored_before_use = stored_before_use && store_.framework_id() == id;
  }
  void event(mesos::Event&& e) override {
    std::lock_guard lock(mutex_);
    if (e.type != mesos::Event::Type::offers) return;
    ++offer_events;
    offers_read.push_back(e.offers.size());
    offers_unread.push_back(e.unread_offer_ids.size());
  }
  void disconnected(const std::string& why) override {
    std::lock_guard lock(mutex_);
    disconnections.push_back(why);
  }
  void removed(const std::string& message) override {
    std::lock_guard lock(mutex_);
    removals.push_back(message);
  }
  void superseded(const std::string& message) override {
    std::lock_guard lock(mutex_);
    supersessions.push_back(message);
  }
  template <typename F>
  auto with(F f) {
    std::lock_guard lock(mutex_);
    return f();
  }

  std::vector<std::string> subscriptions;
  std::vector<std::string> disconnections;
  std::vector<std::string> removals;
  std::vector<std::string> supersessions;
  int offer_events = 0;
  std::vector<std::size_t> offers_read, offers_unread;  // per OFFERS event
  bool stored_before_use = true;

 private:
  state::StateStore& store_;
  std::mutex mutex_;
};

mesos::FrameworkInfo hello_world() {
  mesos::FrameworkInfo f;
  f.user = "nobody";
  f.name = "hello-world";
  f.roles = {"hello-world-role"};
  f.principal = "hello-world-principal";
  f.failover_timeout = 1209600;
  f.checkpoint = true;
  f.capabilities = {"MULTI_ROLE", "RESERVATION_REFINEMENT", "PARTITION_AWARE",
                    "TASK_KILLING_STATE"};
  return f;
}

class MesosSessionTest : public ::testing::Test {
 protected:
  MesosSession::Options options() {
    MesosSession::Options o;
    o.port = cluster.port();
    o.framework = hello_world();
    o.initial_backoff_seconds = 0.1;
    o.max_backoff_seconds = 0.5;
    o.heartbeat_misses = 4;
    return o;
  }
  ClusterProcess cluster{kConfig};
  TempDir state_dir;
  state::SqliteStateStore store{state_dir.path().string()};
  Recorder recorder{store};
};

TEST_F(MesosSessionTest, SubscribesPersistsTheIdFirstAndReceivesOffers) {
  MesosSession session(options(), store, recorder);
  session.start();
  ASSERT_TRUE(eventually([&] { return recorder.with([&] { return recorder.offer_events > 0; }); }));
  ASSERT_EQ(recorder.with([&] { return recorder.subscriptions.size(); }), 1u);
  EXPECT_TRUE(recorder.stored_before_use);
  EXPECT_EQ(store.framework_id(), session.framework_id());
  EXPECT_TRUE(session.connected());
  // Calls carry the stream id.
  auto r = session.call(nlohmann::json({{"type", "REVIVE"},
                                        {"framework_id", {{"value", session.framework_id()}}},
                                        {"revive", nlohmann::json::object()}})
                            .dump());
  EXPECT_EQ(r.status, 202) << r.body << r.error;
}

// Offers past Options::offers_read reach the listener as ids only, in the same event.
TEST(MesosSessionOffers, OffersPastTheReadLimitArriveAsIds) {
  ClusterProcess cluster(R"(
heartbeat_interval_seconds: 0.5
agents:
  - name: sim
    count: 5
    simulated: true
    resources: {cpus: 4, mem: 4096, disk: 10000, ports: 31000-31099}
)");
  TempDir dir;
  state::SqliteStateStore store(dir.path().string());
  Recorder recorder(store);
  MesosSession::Options o;
  o.port = cluster.port();
  o.framework = hello_world();
  o.offers_read = 2;
  MesosSession session(o, store, recorder);
  session.start();
  // The first allocation offers every agent at once.
  ASSERT_TRUE(eventually([&] { return recorder.with([&] { return recorder.offer_events > 0; }); }));
  recorder.with([&] {
    EXPECT_EQ(recorder.offers_read.at(0), 2u);
    EXPECT_EQ(recorder.offers_unread.at(0), 3u);
    return 0;
  });
}

TEST_F(MesosSessionTest, AbortedCallsStayAbortedForALaterSubscription) {
  // Aborted before there is any connection (as during a backoff): the subscription made
  // after it, with a client of its own, still fails every call.
  MesosSession session(options(), store, recorder);
  session.abort_calls();
  session.start();
  ASSERT_TRUE(eventually([&] { return session.connected(); }));
  auto r = session.call(nlohmann::json({{"type", "REVIVE"},
                                        {"framework_id", {{"value", session.framework_id()}}},
                                        {"revive", nlohmann::json::object()}})
                            .dump());
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, mesos::SchedulerClient::kAborted);
}

TEST_F(MesosSessionTest, ResubscribesWithTheSameIdAfterTheMasterComesBack) {
  MesosSession session(options(), store, recorder);
  session.start();
  ASSERT_TRUE(eventually([&] { return session.connected(); }));
  const std::string id = session.framework_id();
  cluster.stop(SIGKILL);
  ASSERT_TRUE(
      eventually([&] { return !recorder.with([&] { return recorder.disconnections.empty(); }); }));
  cluster.start();
  // The cluster may come back on another port: a real deployment has a fixed one.
  session.stop();
  MesosSession again(options(), store, recorder);
  again.start();
  ASSERT_TRUE(eventually([&] { return again.connected(); }));
  EXPECT_EQ(again.framework_id(), id);
}

TEST_F(MesosSessionTest, SilentMasterIsDetectedByTheHeartbeatWatchdog) {
  MesosSession session(options(), store, recorder);
  session.start();
  ASSERT_TRUE(eventually([&] { return session.connected(); }));
  ::kill(cluster.pid(), SIGSTOP);  // the connection stays open, but nothing arrives
  const bool noticed = eventually([&] {
    return recorder.with([&] {
      for (const auto& why : recorder.disconnections)
        if (why.find("no event or heartbeat") != std::string::npos) return true;
      return false;
    });
  });
  ::kill(cluster.pid(), SIGCONT);
  ASSERT_TRUE(noticed);
  EXPECT_TRUE(eventually([&] { return session.connected(); })) << "it subscribes again";
  EXPECT_EQ(recorder.with([&] { return recorder.subscriptions.size(); }), 2u);
}

TEST_F(MesosSessionTest, RemovedFrameworkIsReportedOnceAndNotRetried) {
  {
    MesosSession session(options(), store, recorder);
    session.start();
    ASSERT_TRUE(eventually([&] { return session.connected(); }));
    auto r = cluster.post(
        "/api/v1",
        nlohmann::json({{"type", "TEARDOWN"},
                        {"teardown", {{"framework_id", {{"value", session.framework_id()}}}}}})
            .dump());
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(
        eventually([&] { return !recorder.with([&] { return recorder.removals.empty(); }); }));
    EXPECT_NE(recorder.removals[0].find("Framework has been removed"), std::string::npos);
    EXPECT_FALSE(session.connected());
  }
  EXPECT_EQ(recorder.with([&] { return recorder.removals.size(); }), 1u);
}

// A second scheduler with the first one's framework id (a copied state directory) takes the
// framework over. The first hears so from the master and stops subscribing: subscribing
// again, it would take the framework back, and the two would take turns for good.
TEST_F(MesosSessionTest, ASessionAnotherTookOverIsToldOnceAndDoesNotTakeItBack) {
  MesosSession first(options(), store, recorder);
  first.start();
  ASSERT_TRUE(eventually([&] { return first.connected(); }));
  const std::string id = first.framework_id();

  TempDir copy_dir;
  state::SqliteStateStore copy{copy_dir.path().string()};
  copy.set_framework_id(id);
  Recorder other{copy};
  MesosSession second(options(), copy, other);
  second.start();
  ASSERT_TRUE(
      eventually([&] { return !recorder.with([&] { return recorder.supersessions.empty(); }); }));
  EXPECT_EQ(recorder.supersessions[0], "Framework failed over");
  EXPECT_FALSE(first.connected());
  // The second hears its SUBSCRIBED on a reader thread of its own.
  ASSERT_TRUE(eventually([&] { return second.connected(); }));
  first.stop();  // its thread has ended: whatever it would have done, it has done
  EXPECT_EQ(recorder.with([&] { return recorder.subscriptions.size(); }), 1u);
  EXPECT_EQ(recorder.with([&] { return recorder.supersessions.size(); }), 1u);
  EXPECT_TRUE(second.connected());
  EXPECT_EQ(second.framework_id(), id);
  EXPECT_TRUE(other.with([&] { return other.disconnections.empty(); }));
  EXPECT_EQ(other.with([&] { return other.subscriptions.size(); }), 1u);
}

// A store that refuses the framework id a number of times (as on a full disk).
class IdRefusingStore : public state::LockedStateStore {
 public:
  using LockedStateStore::LockedStateStore;
  void set_framework_id(const std::string& id) override {
    if (refusals > 0) {
      --refusals;
      throw std::runtime_error("disk full (injected)");
    }
    LockedStateStore::set_framework_id(id);
  }
  std::atomic<int> refusals{0};
};

// Persist before use: a framework id the store does not take is not used. The subscription
// ends, says why, and the next one asks for the same id, so the master keeps one framework,
// not one per try.
TEST_F(MesosSessionTest, AFrameworkIdTheStoreDoesNotTakeIsNotUsedAndAskedForAgain) {
  IdRefusingStore refusing{store};
  refusing.refusals = 2;
  Recorder heard{refusing};
  MesosSession session(options(), refusing, heard);
  session.start();
  ASSERT_TRUE(eventually([&] { return session.connected(); }));
  EXPECT_EQ(refusing.refusals, 0);
  EXPECT_TRUE(heard.stored_before_use);
  EXPECT_EQ(heard.with([&] { return heard.subscriptions.size(); }), 1u);
  const std::vector<std::string> why = heard.with([&] { return heard.disconnections; });
  ASSERT_EQ(why.size(), 2u);
  for (const std::string& w : why)
    EXPECT_NE(w.find("cannot store the framework id " + session.framework_id() +
                     ": disk full (injected)"),
              std::string::npos)
        << w;
  EXPECT_EQ(store.framework_id(), session.framework_id());
  const nlohmann::json frameworks =
      cluster.operator_call("GET_STATE")["get_state"]["get_frameworks"]["frameworks"];
  EXPECT_EQ(frameworks.size(), 1u) << frameworks.dump();
}

}  // namespace
}  // namespace steward::scheduler
