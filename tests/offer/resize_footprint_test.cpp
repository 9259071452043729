#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "offer/footprint_evaluator.hpp"
#include "offer/pod_launch_evaluator.hpp"
#include "spec/spec_loader.hpp"

namespace steward::offer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const char* kRole = "svc-role";
const char* kPrincipal = "svc-principal";

ReservationContext counting_ids() {
  auto n = std::make_shared<int>(0);
  return {kPrincipal, [n] { return "new-" + std::to_string((*n)++); }};
}

mesos::ReservationInfo reservation(const std::string& resource_id) {
  mesos::ReservationInfo r;
  r.type = mesos::ReservationInfo::Type::dynamic;
  r.role = kRole;
  r.principal = kPrincipal;
  r.labels = {{"resource_id", resource_id}};
  return r;
}

mesos::Resource unreserved_scalar(const std::string& name, double value) {
  mesos::Resource r;
  r.name = name;
  r.scalar = value;
  r.allocation_role = kRole;
  return r;
}

mesos::Resource unreserved_ports(std::uint64_t begin, std::uint64_t end) {
  mesos::Resource r = unreserved_scalar("ports", 0);
  r.type = mesos::Resource::Type::ranges;
  r.ranges = {{begin, end}};
  return r;
}

mesos::Resource held_scalar(const std::string& name, double value, const std::string& resource_id) {
  mesos::Resource r = unreserved_scalar(name, value);
  r.reservations = {reservation(resource_id)};
  return r;
}

mesos::Resource held_port(std::uint64_t port, const std::string& resource_id) {
  mesos::Resource r = unreserved_ports(port, port);
  r.reservations = {reservation(resource_id)};
  return r;
}

mesos::Resource held_volume(const std::string& path, double size_mb,
                            const std::string& resource_id) {
  mesos::Resource r = held_scalar("disk", size_mb, resource_id);
  r.disk = mesos::DiskInfo{};
  r.disk->persistence = mesos::DiskInfo::Persistence{"persistence-" + path, kPrincipal};
  r.disk->volume = mesos::DiskInfo::Volume{};
  r.disk->volume->container_path = path;
  return r;
}

mesos::Offer offer_with(std::vector<mesos::Resource> resources) {
  mesos::Offer o;
  o.id = "O1";
  o.agent_id = "S0";
  o.hostname = "host-a";
  o.allocation_role = kRole;
  o.resources = std::move(resources);
  return o;
}

mesos::Offer plenty() {
  return offer_with({unreserved_scalar("cpus", 4), unreserved_scalar("mem", 4096),
                     unreserved_scalar("disk", 10000), unreserved_ports(31000, 31099)});
}

SetNeed set_need(const std::string& id, std::vector<ScalarNeed> scalars,
                 std::vector<PortNeed> ports = {}, std::vector<VolumeNeed> volumes = {}) {
  SetNeed s;
  s.id = id;
  s.scalars = std::move(scalars);
  s.ports = std::move(ports);
  s.volumes = std::move(volumes);
  s.tasks = {id};
  return s;
}

PodFootprint footprint_of(std::vector<SetNeed> sets) {
  PodFootprint f;
  f.pod_type = "hello";
  f.role = kRole;
  f.executor.id = "executor";
  f.sets = std::move(sets);
  return f;
}

PortNeed dynamic_port(const std::string& name) {
  PortNeed p;
  p.name = name;
  return p;
}

PortNeed static_port(const std::string& name, int port) {
  PortNeed p;
  p.name = name;
  p.port = port;
  return p;
}

VolumeNeed root_volume(const std::string& path, double size_mb) {
  VolumeNeed v;
  v.spec.path = path;
  v.spec.type = spec::VolumeType::root;
  v.spec.size_mb = size_mb;
  return v;
}

using Held = std::map<std::string, std::vector<mesos::Resource>>;
using HeldPorts = std::map<std::string, std::map<std::string, int>>;

TEST(ResizedFootprint, GrowingCpusReservesTheDifferenceUnderTheSameReservation) {
  const mesos::Resource cpus = held_scalar("cpus", 0.1, "rid-cpus");
  const Held held = {{"server", {cpus}}};
  Evaluation e = evaluate_resized_footprint(footprint_of({set_need("server", {{"cpus", 0.3}})}),
                                            {"server"}, held, {}, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, IsEmpty());
  EXPECT_THAT(e.fit->create, IsEmpty());
  ASSERT_EQ(e.fit->reserve.size(), 1u);
  const mesos::Resource& more = e.fit->reserve[0];
  EXPECT_EQ(more.name, "cpus");
  EXPECT_DOUBLE_EQ(more.scalar, 0.2);
  EXPECT_EQ(more.reservations, cpus.reservations) << "the reservation grows, no new one";
  EXPECT_EQ(more.label("resource_id"), "rid-cpus");
  ASSERT_EQ(e.fit->held.at("server").size(), 1u);
  const mesos::Resource& now = e.fit->held.at("server")[0];
  EXPECT_DOUBLE_EQ(now.scalar, 0.3);
  EXPECT_EQ(now.label("resource_id"), "rid-cpus");
}

TEST(ResizedFootprint, ShrinkingMemUnreservesTheExcessOfTheHeldReservation) {
  const mesos::Resource mem = held_scalar("mem", 64, "rid-mem");
  const Held held = {{"server", {mem}}};
  Evaluation e = evaluate_resized_footprint(footprint_of({set_need("server", {{"mem", 32}})}),
                                            {"server"}, held, {}, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->reserve, IsEmpty());
  ASSERT_EQ(e.fit->unreserve.size(), 1u);
  const mesos::Resource& released = e.fit->unreserve[0];
  EXPECT_EQ(released.name, "mem");
  EXPECT_DOUBLE_EQ(released.scalar, 32);
  EXPECT_EQ(released.reservations, mem.reservations);
  ASSERT_EQ(e.fit->held.at("server").size(), 1u);
  const mesos::Resource& kept = e.fit->held.at("server")[0];
  EXPECT_DOUBLE_EQ(kept.scalar, 32);
  EXPECT_EQ(kept.label("resource_id"), "rid-mem");
}

TEST(ResizedFootprint, UnchangedScalarsProduceNoOperations) {
  const Held held = {
      {"server", {held_scalar("cpus", 0.1, "rid-cpus"), held_scalar("mem", 64, "rid-mem")}}};
  Evaluation e =
      evaluate_resized_footprint(footprint_of({set_need("server", {{"cpus", 0.1}, {"mem", 64}})}),
                                 {"server"}, held, {}, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, IsEmpty());
  EXPECT_THAT(e.fit->reserve, IsEmpty());
  EXPECT_THAT(e.fit->create, IsEmpty());
  EXPECT_EQ(e.fit->held.at("server"), held.at("server"));
}

TEST(ResizedFootprint, GrowthBeyondTheOfferedUnreservedCpusFailsSayingHowMuchMore) {
  const Held held = {{"server", {held_scalar("cpus", 0.1, "rid-cpus")}}};
  mesos::Offer short_offer =
      offer_with({unreserved_scalar("cpus", 0.1), unreserved_scalar("mem", 4096),
                  held_scalar("cpus", 0.1, "rid-cpus")});
  Evaluation e = evaluate_resized_footprint(footprint_of({set_need("server", {{"cpus", 0.3}})}),
                                            {"server"}, held, {}, short_offer, counting_ids());
  EXPECT_FALSE(e.fit);
  EXPECT_FALSE(e.outcome.pass);
  EXPECT_THAT(render(e.outcome), HasSubstr("need 0.2 more"));
  EXPECT_THAT(render(e.outcome), HasSubstr("offered 0.1"));
}

TEST(ResizedFootprint, AHeldDynamicPortKeepsItsNumber) {
  const mesos::Resource port = held_port(31050, "rid-port");
  const Held held = {{"server", {held_scalar("cpus", 0.1, "rid-cpus"), port}}};
  const HeldPorts ports = {{"server", {{"http", 31050}}}};
  Evaluation e = evaluate_resized_footprint(
      footprint_of({set_need("server", {{"cpus", 0.1}}, {dynamic_port("http")})}), {"server"}, held,
      ports, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, IsEmpty());
  EXPECT_THAT(e.fit->reserve, IsEmpty());
  EXPECT_EQ(e.fit->ports.at("server").at("http"), 31050);
  EXPECT_EQ(e.fit->held.at("server"), held.at("server"));
}

TEST(ResizedFootprint, AChangedStaticPortReleasesTheOldPortAndReservesTheNewOne) {
  const mesos::Resource old_port = held_port(31050, "rid-port");
  const Held held = {{"server", {held_scalar("cpus", 0.1, "rid-cpus"), old_port}}};
  const HeldPorts ports = {{"server", {{"admin", 31050}}}};
  Evaluation e = evaluate_resized_footprint(
      footprint_of({set_need("server", {{"cpus", 0.1}}, {static_port("admin", 31060)})}),
      {"server"}, held, ports, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, ElementsAre(old_port));
  ASSERT_EQ(e.fit->reserve.size(), 1u);
  const mesos::Resource& new_port = e.fit->reserve[0];
  EXPECT_EQ(new_port.name, "ports");
  EXPECT_THAT(new_port.ranges, ElementsAre(mesos::ValueRange{31060, 31060}));
  EXPECT_EQ(new_port.label("resource_id"), "new-0") << "a fresh reservation";
  EXPECT_EQ(e.fit->ports.at("server").at("admin"), 31060);
  const std::vector<mesos::Resource>& now = e.fit->held.at("server");
  EXPECT_EQ(std::count(now.begin(), now.end(), old_port), 0);
  EXPECT_EQ(std::count(now.begin(), now.end(), new_port), 1);
}

TEST(ResizedFootprint, AHeldVolumeIsKeptUntouched) {
  const mesos::Resource volume = held_volume("data", 100, "rid-volume");
  const Held held = {{"server", {held_scalar("cpus", 0.1, "rid-cpus"), volume}}};
  Evaluation e = evaluate_resized_footprint(
      footprint_of({set_need("server", {{"cpus", 0.1}}, {}, {root_volume("data", 100)})}),
      {"server"}, held, {}, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, IsEmpty());
  EXPECT_THAT(e.fit->reserve, IsEmpty());
  EXPECT_THAT(e.fit->create, IsEmpty());
  EXPECT_EQ(e.fit->held.at("server"), held.at("server"));
}

TEST(ResizedFootprint, ASetNotRelaunchedKeepsWhatItHoldsEvenWhenItsSpecChanged) {
  const Held held = {
      {"server", {held_scalar("cpus", 0.1, "rid-server")}},
      {"sidecar", {held_scalar("cpus", 0.2, "rid-sidecar"), held_port(31070, "rid-port")}}};
  const HeldPorts ports = {{"sidecar", {{"http", 31070}}}};
  // sidecar's spec asks for more cpus and another port, but it is not relaunched now.
  Evaluation e = evaluate_resized_footprint(
      footprint_of({set_need("server", {{"cpus", 0.1}}),
                    set_need("sidecar", {{"cpus", 0.5}}, {static_port("http", 31080)})}),
      {"server"}, held, ports, plenty(), counting_ids());
  ASSERT_TRUE(e.fit) << render(e.outcome);
  EXPECT_THAT(e.fit->unreserve, IsEmpty());
  EXPECT_THAT(e.fit->reserve, IsEmpty());
  EXPECT_THAT(e.fit->create, IsEmpty());
  EXPECT_EQ(e.fit->held.at("sidecar"), held.at("sidecar"));
  EXPECT_EQ(e.fit->ports.at("sidecar"), ports.at("sidecar"));
}

// The update pipeline of evaluate_pod_launch, end to end on one pod.

spec::ServiceSpec hello_spec(const std::string& cmd, const std::string& cpus) {
  const std::string yaml =
      "name: svc\npods:\n  hello:\n    count: 1\n    tasks:\n"
      "      server:\n        goal: RUNNING\n        cmd: " +
      cmd + "\n        cpus: " + cpus + "\n        memory: 32\n";
  spec::LoadResult r = spec::load_spec_text(yaml, "svc.yml", ".", spec::LoadOptions{});
  EXPECT_TRUE(r.ok()) << yaml;
  return r.spec ? *r.spec : spec::ServiceSpec{};
}

PodLaunchContext launch_context(const std::string& config_id) {
  auto n = std::make_shared<int>(0);
  PodLaunchContext c;
  c.service_name = "svc";
  c.framework_id = "F";
  c.config_id = config_id;
  c.role = kRole;
  c.principal = kPrincipal;
  c.new_id = [n, config_id] { return config_id + "-id" + std::to_string((*n)++); };
  return c;
}

double total(const std::vector<mesos::Resource>& resources, const std::string& name) {
  double sum = 0;
  for (const mesos::Resource& r : resources)
    if (r.name == name) sum += r.scalar;
  return mesos::round_scalar(sum);
}

TEST(PodLaunchUpdate, MoreCpusReserveTheDifferenceThenLaunchTheNewCommand) {
  const spec::ServiceSpec old_spec = hello_spec("./old", "0.1");
  PodLaunchRequest first;
  first.pod = old_spec.find_pod("hello");
  first.tasks = {"server"};
  PodLaunchEvaluation launched = evaluate_pod_launch(first, plenty(), launch_context("config-1"));
  ASSERT_TRUE(launched.launch) << render(launched.outcome);
  ASSERT_EQ(launched.launch->store.size(), 1u);
  const mesos::TaskInfo& old_task = launched.launch->store[0];
  const mesos::Resource* old_cpus = nullptr;
  for (const mesos::Resource& r : old_task.resources)
    if (r.name == "cpus") old_cpus = &r;
  ASSERT_NE(old_cpus, nullptr);

  // The agent offers back what the pod reserved, and unreserved cpus to grow into.
  mesos::Offer back = offer_with({unreserved_scalar("cpus", 1)});
  for (const mesos::Operation& op : launched.launch->operations)
    if (op.type == mesos::Operation::Type::reserve)
      back.resources.insert(back.resources.end(), op.resources.begin(), op.resources.end());

  const spec::ServiceSpec new_spec = hello_spec("./new", "0.3");
  PodLaunchRequest update;
  update.pod = new_spec.find_pod("hello");
  update.tasks = {"server"};
  update.update = true;
  update.existing = launched.launch->store;
  PodLaunchEvaluation e = evaluate_pod_launch(update, back, launch_context("config-2"));
  ASSERT_TRUE(e.launch) << render(e.outcome);
  const PodLaunch& l = *e.launch;
  EXPECT_FALSE(l.new_footprint);
  ASSERT_EQ(l.operations.size(), 2u);
  EXPECT_EQ(l.operations[0].type, mesos::Operation::Type::reserve);
  EXPECT_EQ(l.operations[1].type, mesos::Operation::Type::launch_group);
  ASSERT_EQ(l.operations[0].resources.size(), 1u);
  EXPECT_EQ(l.operations[0].resources[0].name, "cpus");
  EXPECT_DOUBLE_EQ(l.operations[0].resources[0].scalar, 0.2);
  EXPECT_EQ(l.operations[0].resources[0].label("resource_id"), old_cpus->label("resource_id"));

  ASSERT_EQ(l.operations[1].tasks.size(), 1u);
  const mesos::TaskInfo& task = l.operations[1].tasks[0];
  EXPECT_EQ(task.name, "hello-0-server");
  ASSERT_TRUE(task.command);
  EXPECT_EQ(task.command->value, "./new");
  std::string target;
  for (const mesos::Label& label : task.labels)
    if (label.key == "target_configuration") target = label.value.value_or("");
  EXPECT_EQ(target, "config-2");
  EXPECT_EQ(l.launched.at("hello-0-server"), task.task_id);

  ASSERT_EQ(l.store.size(), 1u);
  EXPECT_EQ(l.store[0].name, "hello-0-server");
  EXPECT_DOUBLE_EQ(total(l.store[0].resources, "cpus"), 0.3);
}

}  // namespace
}  // namespace steward::offer
