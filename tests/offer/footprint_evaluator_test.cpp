#include "offer/footprint_evaluator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "../cluster/master_harness.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/resource_json.hpp"
#include "spec/spec_loader.hpp"

namespace steward::offer {
namespace {

using ::testing::HasSubstr;

spec::ServiceSpec load(const std::string& name) {
  auto result = spec::load_spec_file(
      std::string(STEWARD_SOURCE_DIR) + "/examples/hello-world/" + name, spec::LoadOptions{});
  EXPECT_TRUE(result.spec) << name;
  return result.spec ? *result.spec : spec::ServiceSpec{};
}

ReservationContext counting_ids() {
  auto n = std::make_shared<int>(0);
  return {"hello-world-principal", [n] { return "id-" + std::to_string((*n)++); }};
}

mesos::Resource scalar(const std::string& name, double value,
                       std::vector<mesos::ReservationInfo> stack = {}) {
  mesos::Resource r;
  r.name = name;
  r.scalar = value;
  r.reservations = std::move(stack);
  r.allocation_role = "hello-world-role";
  return r;
}

mesos::Resource ports(std::uint64_t begin, std::uint64_t end,
                      std::vector<mesos::ReservationInfo> stack = {}) {
  mesos::Resource r = scalar("ports", 0, std::move(stack));
  r.type = mesos::Resource::Type::ranges;
  r.ranges = {{begin, end}};
  return r;
}

mesos::Offer offer_with(std::vector<mesos::Resource> resources) {
  mesos::Offer o;
  o.id = "O1";
  o.agent_id = "S0";
  o.allocation_role = "hello-world-role";
  o.resources = std::move(resources);
  return o;
}

TEST(FootprintEvaluator, TheWholeWorldPodFitsWithFreshResourceIds) {
  spec::ServiceSpec s = load("svc.yml");
  PodFootprint f = pod_footprint(*s.find_pod("world"), "hello-world-role");
  Evaluation e = evaluate_new_footprint(f,
                                        offer_with({scalar("cpus", 8), scalar("mem", 16384),
                                                    scalar("disk", 100000), ports(31000, 31999)}),
                                        counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_TRUE(e.outcome.pass);
  std::set<std::string> ids;
  double cpus = 0;
  for (const mesos::Resource& r : e.fit->reserve) {
    ASSERT_EQ(r.reservations.size(), 1u);
    EXPECT_EQ(r.reservations[0].role, "hello-world-role");
    EXPECT_EQ(r.reservations[0].principal, "hello-world-principal");
    ids.insert(*r.label("resource_id"));
    if (r.name == "cpus") cpus += r.scalar;
  }
  EXPECT_EQ(ids.size(), e.fit->reserve.size()) << "every reservation has its own resource_id";
  EXPECT_DOUBLE_EQ(cpus, f.cpus);
  std::size_t volumes = 0;
  for (const SetNeed& set : f.sets)
    volumes += set.volumes.size();
  volumes += f.executor.volumes.size();
  EXPECT_EQ(e.fit->create.size(), volumes);
  for (const mesos::Resource& v : e.fit->create) {
    ASSERT_TRUE(v.disk && v.disk->persistence && v.disk->volume);
    EXPECT_FALSE(v.disk->volume->container_path.empty());
  }
  EXPECT_TRUE(e.fit->held.count("executor"));
}

TEST(FootprintEvaluator, AShortOfferSaysWhatIsMissing) {
  spec::ServiceSpec s = load("svc.yml");
  PodFootprint f = pod_footprint(*s.find_pod("world"), "hello-world-role");
  Evaluation e = evaluate_new_footprint(
      f, offer_with({scalar("cpus", 0.2), scalar("mem", 16384), scalar("disk", 100000)}),
      counting_ids());
  EXPECT_FALSE(e.fit);
  EXPECT_FALSE(e.outcome.pass);
  std::string text = render(e.outcome);
  EXPECT_THAT(text, HasSubstr("FAIL offer O1 on agent S0 for pod world"));
  EXPECT_THAT(text, HasSubstr("insufficient cpus: need"));
  EXPECT_THAT(text, HasSubstr("PASS cpus: reserved 0.1")) << "the executor's share came first";
  EXPECT_THAT(text, HasSubstr(", offered 0")) << "then what was left was not enough";
}

TEST(FootprintEvaluator, AStaticPortMustBeOffered) {
  spec::ServiceSpec s = load("multiport.yml");
  PodFootprint f = pod_footprint(s.pods[0], "hello-world-role");
  Evaluation e = evaluate_new_footprint(f,
                                        offer_with({scalar("cpus", 8), scalar("mem", 16384),
                                                    scalar("disk", 100000), ports(31000, 31999)}),
                                        counting_ids());
  EXPECT_FALSE(e.fit);
  EXPECT_THAT(render(e.outcome), HasSubstr("port 17001 is not offered"));
  Evaluation ok = evaluate_new_footprint(
      f,
      offer_with({scalar("cpus", 8), scalar("mem", 16384), scalar("disk", 100000),
                  ports(17000, 17010), ports(31000, 31999)}),
      counting_ids());
  // Two separate ranges in one offer merge in the pool; the static port and dynamic ones fit.
  ASSERT_TRUE(ok.fit) << render(ok.outcome);
  std::set<int> chosen;
  for (const auto& [set, named] : ok.fit->ports)
    for (const auto& [name, port] : named)
      chosen.insert(port);
  EXPECT_TRUE(chosen.count(17001));
  EXPECT_EQ(chosen.size(), 3u) << "no port given twice";
}

TEST(FootprintEvaluator, PreReservedPodsOnlyRefineTheirStaticRole) {
  spec::ServiceSpec s = load("pre-reserved.yml");
  const spec::PodSpec* pod = nullptr;
  for (const spec::PodSpec& p : s.pods)
    if (!p.pre_reserved_role.empty()) pod = &p;
  ASSERT_NE(pod, nullptr);
  PodFootprint f = pod_footprint(*pod, "hello-world-role");
  mesos::ReservationInfo stat;
  stat.type = mesos::ReservationInfo::Type::static_reservation;
  stat.role = pod->pre_reserved_role;
  // Plenty unreserved, but the pod must use the static reservation.
  Evaluation none =
      evaluate_new_footprint(f,
                             offer_with({scalar("cpus", 8), scalar("mem", 16384),
                                         scalar("disk", 100000), ports(31000, 31999)}),
                             counting_ids());
  EXPECT_FALSE(none.fit);
  Evaluation e = evaluate_new_footprint(
      f,
      offer_with({scalar("cpus", 8, {stat}), scalar("mem", 16384, {stat}),
                  scalar("disk", 100000, {stat}), ports(31000, 31999, {stat})}),
      counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  for (const mesos::Resource& r : e.fit->reserve) {
    ASSERT_EQ(r.reservations.size(), 2u);
    EXPECT_EQ(r.reservations[0].role, pod->pre_reserved_role);
    EXPECT_EQ(r.reservations[1].role, pod->pre_reserved_role + "/hello-world-role");
  }
}

// The operations the evaluator produces are ones the embedded master accepts.
TEST(FootprintEvaluator, TheMasterAcceptsTheReservationsAndVolumes) {
  using namespace steward::cluster::testing;
  cluster::ClusterConfig config = one_agent();
  config.agents[0].resources.ports = {{31000, 31999}};
  MasterHarness h(config);
  json info = framework_info("hello-world", "hello-world-role");
  info["principal"] = "hello-world-principal";
  TestFramework fw = h.subscribe(info);
  auto offers = fw.offers();
  ASSERT_EQ(offers.size(), 1u);
  std::string error;
  auto offer = mesos::offer_from_json(offers[0], error);
  ASSERT_TRUE(offer) << error;
  spec::ServiceSpec s = load("svc.yml");
  Evaluation e = evaluate_new_footprint(pod_footprint(*s.find_pod("world"), "hello-world-role"),
                                        *offer, counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  json reserve = {{"type", "RESERVE"}, {"reserve", {{"resources", json::array()}}}};
  for (const auto& r : e.fit->reserve)
    reserve["reserve"]["resources"].push_back(mesos::to_json(r));
  json create = {{"type", "CREATE"}, {"create", {{"volumes", json::array()}}}};
  for (const auto& r : e.fit->create)
    create["create"]["volumes"].push_back(mesos::to_json(r));
  ASSERT_EQ(h.call(fw, accept(offer_ids(offers), {reserve, create}, 0)).status, 202);
  std::size_t reserved = 0, volumes = 0;
  for (const auto& r : h.master->agents().begin()->second.total.resources()) {
    if (r.reserved()) ++reserved;
    if (r.disk && r.disk->persistence) ++volumes;
  }
  EXPECT_EQ(volumes, e.fit->create.size());
  EXPECT_GE(reserved, e.fit->reserve.size() - e.fit->create.size());
}

}  // namespace
}  // namespace steward::offer

namespace steward::offer {
namespace {

Outcome evaluation(bool launched, std::size_t offers, std::size_t taken) {
  Outcome summary{"node-0:[server]", launched, launched ? "launched" : "no offer fits", {}};
  for (std::size_t i = 0; i < offers; ++i) {
    const bool pass = launched && i == taken;
    summary.children.push_back({"offer O" + std::to_string(i),
                                pass,
                                pass ? "fits" : "no cpus",
                                {{"cpus", pass, "detail", {}}, {"mem", true, "detail", {}}}});
  }
  return summary;
}

// A launch keeps each offer's verdict without the resources' detail; the offer that took the
// pod is kept even when it came late.
TEST(TrimEvaluation, ALaunchKeepsVerdictsAndTheOfferThatTookThePod) {
  Outcome e = evaluation(true, 40, 30);
  trim_evaluation(e, 16);
  ASSERT_EQ(e.children.size(), 17u);
  for (const Outcome& o : e.children)
    EXPECT_TRUE(o.children.empty()) << o.stage;
  EXPECT_EQ(e.children[15].stage, "offer O30");
  EXPECT_TRUE(e.children[15].pass);
  EXPECT_EQ(e.children[16].stage, "24 more offers");
  EXPECT_THAT(e.children[16].reason, HasSubstr("the first 16 offers"));
}

// A step still waiting keeps the detail of the offers it kept (why each refused), and a
// small evaluation is left whole.
TEST(TrimEvaluation, AWaitingStepKeepsTheDetailOfTheFirstOffers) {
  Outcome e = evaluation(false, 20, 0);
  trim_evaluation(e, 16);
  ASSERT_EQ(e.children.size(), 17u);
  EXPECT_EQ(e.children[0].children.size(), 2u);
  EXPECT_EQ(e.children[15].stage, "offer O15");
  EXPECT_EQ(e.children[16].stage, "4 more offers");
  Outcome small = evaluation(false, 3, 0);
  trim_evaluation(small, 16);
  EXPECT_EQ(small.children.size(), 3u);
  EXPECT_EQ(small.children[2].children.size(), 2u);
}

}  // namespace
}  // namespace steward::offer
