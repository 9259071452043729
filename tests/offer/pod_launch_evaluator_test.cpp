#include "offer/pod_launch_evaluator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec_loader.hpp"

namespace steward::offer {
namespace {

using ::testing::HasSubstr;

spec::ServiceSpec hello_world(const std::map<std::string, std::string>& env = {}) {
  spec::LoadOptions o;
  o.env = env;
  auto result =
      spec::load_spec_file(std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/svc.yml", o);
  EXPECT_TRUE(result.spec);
  return result.spec ? *result.spec : spec::ServiceSpec{};
}

mesos::Resource scalar(const std::string& name, double value) {
  mesos::Resource r;
  r.name = name;
  r.scalar = value;
  r.allocation_role = "hello-world-role";
  return r;
}

mesos::Offer big_offer(const std::string& id, const std::string& agent,
                       const std::string& hostname) {
  mesos::Offer o;
  o.id = id;
  o.agent_id = agent;
  o.hostname = hostname;
  o.zone = "a";
  o.region = "local";
  o.allocation_role = "hello-world-role";
  o.resources = {scalar("cpus", 4), scalar("mem", 4096), scalar("disk", 10000)};
  mesos::Resource ports = scalar("ports", 0);
  ports.type = mesos::Resource::Type::ranges;
  ports.ranges = {{31000, 31099}};
  o.resources.push_back(ports);
  return o;
}

PodLaunchContext context() {
  auto n = std::make_shared<int>(0);
  PodLaunchContext c;
  c.service_name = "hello-world";
  c.framework_id = "F";
  c.config_id = "config-1";
  c.role = "hello-world-role";
  c.principal = "hello-world-principal";
  c.new_id = [n] { return "id" + std::to_string((*n)++); };
  return c;
}

// What the master offers back once a footprint is reserved and its tasks are gone: every
// reserved resource, and volumes as created.
mesos::Offer offer_back(const PodLaunch& launch, const std::string& id,
                        std::vector<std::string> executors = {}) {
  mesos::Offer o = big_offer(id, "S0", "host-a");
  o.resources.clear();
  for (const mesos::Operation& op : launch.operations) {
    if (op.type == mesos::Operation::Type::reserve)
      for (const mesos::Resource& r : op.resources)
        if (r.name != "disk" || !r.disk) o.resources.push_back(r);
    if (op.type == mesos::Operation::Type::create)
      o.resources.insert(o.resources.end(), op.resources.begin(), op.resources.end());
  }
  // Reserved disk that became volumes is offered only as the volume.
  std::vector<mesos::Resource> out;
  for (const mesos::Resource& r : o.resources) {
    bool volume_disk = false;
    if (r.name == "disk" && !r.disk)
      for (const mesos::Operation& op : launch.operations)
        if (op.type == mesos::Operation::Type::create)
          for (const mesos::Resource& v : op.resources)
            if (v.label("resource_id") == r.label("resource_id")) volume_disk = true;
    if (!volume_disk) out.push_back(r);
  }
  o.resources = out;
  o.executor_ids = std::move(executors);
  return o;
}

TEST(PodLaunchEvaluator, NewPodReservesTheWholeFootprintThenLaunchesTheStepsTasks) {
  spec::ServiceSpec s = hello_world();
  PodLaunchRequest req;
  req.pod = s.find_pod("world");
  req.index = 0;
  req.tasks = {"prepare"};
  PodLaunchEvaluation e = evaluate_pod_launch(req, big_offer("O1", "S0", "host-a"), context());
  ASSERT_TRUE(e.launch) << render(e.outcome);
  const PodLaunch& l = *e.launch;
  EXPECT_TRUE(l.new_footprint);
  ASSERT_EQ(l.operations.size(), 3u);
  EXPECT_EQ(l.operations[0].type, mesos::Operation::Type::reserve);
  EXPECT_EQ(l.operations[1].type, mesos::Operation::Type::create);
  EXPECT_EQ(l.operations[2].type, mesos::Operation::Type::launch_group);
  // Only prepare launches; every task of the pod is stored, with the executor.
  ASSERT_EQ(l.operations[2].tasks.size(), 1u);
  EXPECT_EQ(l.operations[2].tasks[0].name, "world-0-prepare");
  EXPECT_FALSE(l.operations[2].tasks[0].executor);  // it travels beside the group
  ASSERT_EQ(l.store.size(), 3u);
  for (const mesos::TaskInfo& t : l.store) {
    ASSERT_TRUE(t.executor) << t.name;
    EXPECT_EQ(t.executor->executor_id, l.operations[2].executor->executor_id);
    EXPECT_EQ(t.task_id.empty(), t.name != "world-0-prepare") << t.name;
    EXPECT_EQ(t.agent_id, "S0");
  }
  EXPECT_EQ(l.launched.at("world-0-prepare"), l.operations[2].tasks[0].task_id);
}

TEST(PodLaunchEvaluator, PlacementIsCheckedFirstAndSaysWhy) {
  spec::ServiceSpec s = hello_world();
  spec::PodSpec pod = *s.find_pod("hello");
  pod.placement_text = "[[\"hostname\", \"UNIQUE\"]]";
  pod.placement = placement::parse_placement(pod.placement_text).rule;
  PodLaunchRequest req;
  req.pod = &pod;
  req.index = 1;
  req.tasks = {"server"};
  req.placed = {{"hello-0-server", {"host-a", "a", "local", {}}}};
  PodLaunchEvaluation e = evaluate_pod_launch(req, big_offer("O1", "S0", "host-a"), context());
  EXPECT_FALSE(e.launch);
  EXPECT_THAT(e.outcome.reason, HasSubstr("hostname:UNIQUE"));
  EXPECT_THAT(e.outcome.reason, HasSubstr("hello-0-server"));
  // Another host passes.
  EXPECT_TRUE(evaluate_pod_launch(req, big_offer("O2", "S1", "host-b"), context()).launch);
}

TEST(PodLaunchEvaluator, AShortOfferNamesTheMissingResource) {
  spec::ServiceSpec s = hello_world();
  PodLaunchRequest req;
  req.pod = s.find_pod("hello");
  req.tasks = {"server"};
  mesos::Offer small = big_offer("O1", "S0", "host-a");
  small.resources[0].scalar = 0.05;  // cpus
  PodLaunchEvaluation e = evaluate_pod_launch(req, small, context());
  EXPECT_FALSE(e.launch);
  EXPECT_THAT(e.outcome.reason, HasSubstr("cpus"));
  EXPECT_THAT(render(e.outcome), HasSubstr("FAIL"));
}

TEST(PodLaunchEvaluator, ExistingFootprintRelaunchesInPlaceOnTheSameReservations) {
  spec::ServiceSpec s = hello_world();
  PodLaunchContext ctx = context();
  PodLaunchRequest first;
  first.pod = s.find_pod("world");
  first.tasks = {"prepare"};
  auto e1 = evaluate_pod_launch(first, big_offer("O1", "S0", "host-a"), ctx);
  ASSERT_TRUE(e1.launch);
  const std::string executor = e1.launch->operations.back().executor->executor_id;

  PodLaunchRequest again = first;
  again.tasks = {"server"};
  again.existing = e1.launch->store;
  // From another agent: refused, saying where the pod lives.
  auto other = evaluate_pod_launch(again, big_offer("O2", "S1", "host-b"), ctx);
  EXPECT_FALSE(other.launch);
  EXPECT_THAT(render(other.outcome), HasSubstr("holds its reservations on agent S0"));
  // Unreserved resources alone will not do.
  auto plain = evaluate_pod_launch(again, big_offer("O3", "S0", "host-a"), ctx);
  EXPECT_FALSE(plain.launch);
  EXPECT_THAT(render(plain.outcome), HasSubstr("not offered"));

  // The executor has exited: its reservations must be offered too, and it gets a new id.
  auto back = evaluate_pod_launch(again, offer_back(*e1.launch, "O4"), ctx);
  ASSERT_TRUE(back.launch) << render(back.outcome);
  ASSERT_EQ(back.launch->operations.size(), 1u);
  const mesos::Operation& group = back.launch->operations[0];
  EXPECT_EQ(group.type, mesos::Operation::Type::launch_group);
  EXPECT_NE(group.executor->executor_id, executor);
  ASSERT_EQ(group.tasks.size(), 1u);
  const mesos::TaskInfo* stored_server = nullptr;
  for (const mesos::TaskInfo& t : e1.launch->store)
    if (t.name == "world-0-server") stored_server = &t;
  ASSERT_NE(stored_server, nullptr);
  EXPECT_EQ(group.tasks[0].resources, stored_server->resources);  // same reservations, volume
  EXPECT_FALSE(group.tasks[0].task_id.empty());
  EXPECT_FALSE(back.launch->new_footprint);

  // The executor still runs (another task of the pod): the group joins it.
  mesos::Offer with_executor = offer_back(*e1.launch, "O5", {executor});
  auto join = evaluate_pod_launch(again, with_executor, ctx);
  ASSERT_TRUE(join.launch) << render(join.outcome);
  EXPECT_EQ(join.launch->operations[0].executor->executor_id, executor);
  // Listed, but none of its tasks is alive: it is exiting; a new executor is started instead.
  again.executor_live = false;
  auto exiting = evaluate_pod_launch(again, with_executor, ctx);
  ASSERT_TRUE(exiting.launch) << render(exiting.outcome);
  EXPECT_NE(exiting.launch->operations[0].executor->executor_id, executor);
}

TEST(PodLaunchEvaluator, AReplacedPodGetsANewFootprint) {
  spec::ServiceSpec s = hello_world();
  PodLaunchContext ctx = context();
  PodLaunchRequest first;
  first.pod = s.find_pod("hello");
  first.tasks = {"server"};
  auto e1 = evaluate_pod_launch(first, big_offer("O1", "S0", "host-a"), ctx);
  ASSERT_TRUE(e1.launch);
  PodLaunchRequest replace = first;
  replace.existing = e1.launch->store;
  replace.replace = true;
  auto e2 = evaluate_pod_launch(replace, big_offer("O2", "S1", "host-b"), ctx);
  ASSERT_TRUE(e2.launch) << render(e2.outcome);
  EXPECT_TRUE(e2.launch->new_footprint);
  EXPECT_EQ(e2.launch->store[0].agent_id, "S1");
  EXPECT_EQ(e2.launch->operations.front().type, mesos::Operation::Type::reserve);
}

}  // namespace
}  // namespace steward::offer
