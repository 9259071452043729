// A scheduler killed after persisting a new footprint but before its ACCEPT reached the
// master: the state holds TaskInfos whose reservations never existed. Reconciliation answers
// for the task, and the scheduler must take a new footprint instead of waiting forever for
// the old one. The state is prepared by hand, exactly as such a crash leaves it.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/uuid.hpp"
#include "offer/pod_launch_evaluator.hpp"
#include "scheduler/service_scheduler.hpp"
#include "scheduler_process.hpp"
#include "spec/spec_loader.hpp"
#include "state/sqlite_state_store.hpp"
#include "steward/recovery_overrider.hpp"

namespace steward::scheduler::testing {
namespace {

constexpr const char* kCluster = R"(
heartbeat_interval_seconds: 1
offer_interval_seconds: 0.2
agents:
  - name: a
    resources: {cpus: 2, mem: 2048, disk: 4000, ports: 31000-31099}
)";

// hello-world with one `hello` pod, and the state a scheduler killed before its ACCEPT left:
// hello-0's footprint, on the real agent, from an offer that was never accepted.
struct Prepared {
  std::optional<spec::ServiceSpec> spec;
  std::string state_dir;
};

void prepare(ClusterProcess& cluster, Prepared& out) {
  spec::LoadOptions load;
  load.env = {{"HELLO_COUNT", "1"}, {"WORLD_COUNT", "0"}};
  auto loaded =
      spec::load_spec_file(std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml", load);
  ASSERT_TRUE(loaded.spec);
  out.spec = *loaded.spec;
  out.state_dir = (cluster.dir() / "state").string();
  // What the crashed scheduler left: hello-0's footprint on an offer that was never accepted.
  {
    mesos::Offer offer;
    offer.id = "O-never";
    // The real agent: reconciliation answers TASK_GONE for a task it never had.
    offer.agent_id = cluster_status(cluster)["agents"][0]["id"];
    offer.hostname = "localhost";
    for (auto [name, amount] : {std::pair{"cpus", 1.0}, {"mem", 1024.0}, {"disk", 1024.0}}) {
      mesos::Resource r;
      r.name = name;
      r.scalar = amount;
      offer.resources.push_back(r);
    }
    offer::PodLaunchRequest req;
    req.pod = loaded.spec->find_pod("hello");
    req.tasks = {"server"};
    offer::PodLaunchContext ctx;
    ctx.service_name = "hello-world";
    ctx.framework_id = "F-never";
    ctx.config_id = "C-never";
    ctx.role = "hello-world-role";
    ctx.principal = "hello-world-principal";
    ctx.new_id = [] { return steward::new_id(); };
    auto e = offer::evaluate_pod_launch(req, offer, ctx);
    ASSERT_TRUE(e.launch) << offer::render(e.outcome);
    state::SqliteStateStore store(out.state_dir);
    std::vector<state::StoredTask> tasks;
    for (const mesos::TaskInfo& t : e.launch->store)
      tasks.push_back({t.name, t, "C-never"});
    store.store_tasks(tasks);
    store.set_property("unconfirmed-footprints", nlohmann::json({"hello-0"}).dump());
  }
}

SchedulerOptions options_for(const ClusterProcess& cluster, const Prepared& p) {
  SchedulerOptions o;
  o.spec = *p.spec;
  o.state_dir = p.state_dir;
  o.master_port = cluster.port();
  o.backoff = {0.5, 2, 2, 10};
  o.reconcile.base_backoff_seconds = 0.5;
  return o;
}

std::string task_status(ServiceScheduler& s) {
  return json::parse(s.pod_status_json("hello-0"))["tasks"][0]["status"];
}

TEST(UnconfirmedFootprint, AFootprintThatWasNeverReservedIsReplacedByANewOne) {
  ClusterProcess cluster(kCluster);
  Prepared p;
  ASSERT_NO_FATAL_FAILURE(prepare(cluster, p));
  SchedulerOptions o = options_for(cluster, p);
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  // The recovery seen at reconciliation (hello-0's task GONE) waited for the deploy, which took
  // the pod first and launched it anew: it gives way instead of killing that launch to make
  // its own.
  plan::Status deploy = plan::Status::pending, recovery = plan::Status::pending;
  std::string first_id;
  EXPECT_TRUE(eventually(
      [&] {
        s.plan_json("deploy", &deploy);
        if (deploy == plan::Status::complete && first_id.empty())
          first_id = json::parse(s.pod_status_json("hello-0"))["tasks"][0]["id"];
        s.plan_json("recovery", &recovery);
        return deploy == plan::Status::complete && recovery == plan::Status::complete;
      },
      30))
      << *s.plan_json("deploy", nullptr) << *s.plan_json("recovery", nullptr)
      << s.debug_offers_json("", "", "");
  const json pod = json::parse(s.pod_status_json("hello-0"));
  EXPECT_EQ(pod["tasks"][0]["status"], "RUNNING");
  EXPECT_EQ(pod["tasks"][0]["id"], first_id);
  EXPECT_EQ(pod["tasks"][0]["agent"], cluster_status(cluster)["agents"][0]["id"]);
  EXPECT_EQ(json::parse(*s.plan_json("recovery", nullptr))["phases"].size(), 0u)
      << *s.plan_json("recovery", nullptr);
  s.stop();
}

// Relaunches a failed pod's tasks with an environment of its own, as a service's code may.
class MarkedRecovery : public RecoveryOverrider {
 public:
  std::optional<RecoveryPhaseSpec> override_recovery(const FailedPod& pod) override {
    RecoveryPhaseSpec phase;
    phase.name = "marked-" + pod.pod_type + "-" + std::to_string(pod.index);
    phase.steps.push_back({"relaunch", pod.failed_tasks, {{"RECOVERED_BY", "overrider"}}});
    return phase;
  }
};

TEST(UnconfirmedFootprint, ACustomRecoveryRunsEvenWhenTheDeployRelaunchedThePodFirst) {
  ClusterProcess cluster(kCluster);
  Prepared p;
  ASSERT_NO_FATAL_FAILURE(prepare(cluster, p));
  SchedulerOptions o = options_for(cluster, p);
  o.recovery_overrider = std::make_shared<MarkedRecovery>();
  ServiceScheduler s(o);
  std::string error;
  ASSERT_TRUE(s.start(error)) << error;
  // The service's own recovery may do more than a relaunch: it is not dropped for the
  // deploy's, and its relaunch is the one left running.
  plan::Status deploy = plan::Status::pending, recovery = plan::Status::pending;
  json phases;
  EXPECT_TRUE(eventually(
      [&] {
        s.plan_json("deploy", &deploy);
        phases = json::parse(*s.plan_json("recovery", &recovery))["phases"];
        return deploy == plan::Status::complete && recovery == plan::Status::complete &&
               !phases.empty();
      },
      30))
      << *s.plan_json("deploy", nullptr) << *s.plan_json("recovery", nullptr);
  ASSERT_EQ(phases.size(), 1u) << phases.dump();
  EXPECT_EQ(phases[0]["name"], "marked-hello-0");
  EXPECT_EQ(task_status(s), "RUNNING");
  const json info = json::parse(s.pod_info_json("hello-0"))[0]["info"];
  bool marked = false;
  for (const json& v : info["command"]["environment"]["variables"])
    marked = marked || (v["name"] == "RECOVERED_BY" && v["value"] == "overrider");
  EXPECT_TRUE(marked) << info.dump();
  s.stop();
}

}  // namespace
}  // namespace steward::scheduler::testing
