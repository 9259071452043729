#include "cluster/cluster_config.hpp"

#include <gtest/gtest.h>

#include <random>

namespace steward::cluster {
namespace {

TEST(ClusterConfig, DefaultIsThreeZonedAgentsAndOnePublicSharingTheMachine) {
  ClusterConfig c = default_cluster_config({8, 17408, 105120});
  ASSERT_EQ(c.agents.size(), 4u);
  EXPECT_EQ(c.agents[0].zone, "a");
  EXPECT_EQ(c.agents[1].zone, "b");
  EXPECT_EQ(c.agents[2].zone, "c");
  for (const AgentConfig& a : c.agents)
    EXPECT_EQ(a.region, "local");
  EXPECT_DOUBLE_EQ(c.agents[0].resources.cpus, 2);
  EXPECT_DOUBLE_EQ(c.agents[0].resources.mem, 4096);
  EXPECT_DOUBLE_EQ(c.agents[0].resources.disk, 25000);
  // Port ranges do not overlap: every agent is on this one host.
  EXPECT_EQ(c.agents[0].resources.ports[0].begin, 31000u);
  EXPECT_EQ(c.agents[1].resources.ports[0].begin, 32000u);
  ASSERT_TRUE(c.agents[3].reserved.count("slave_public"));
  EXPECT_DOUBLE_EQ(c.agents[3].resources.cpus, 0);
  auto total = c.agents[3].total_resources();
  ASSERT_FALSE(total.empty());
  for (const auto& r : total) {
    ASSERT_EQ(r.reservations.size(), 1u);
    EXPECT_EQ(r.reservations[0].type, mesos::ReservationInfo::Type::static_reservation);
    EXPECT_EQ(r.reservations[0].role, "slave_public");
  }
}

TEST(ClusterConfig, SmallMachineGetsAFloorPerAgent) {
  ClusterConfig c = default_cluster_config({2, 2048, 6000});
  EXPECT_DOUBLE_EQ(c.agents[0].resources.cpus, 1);
  EXPECT_DOUBLE_EQ(c.agents[0].resources.mem, 1024);
  EXPECT_DOUBLE_EQ(c.agents[0].resources.disk, 4096);
}

TEST(ClusterConfig, ParsesAgentsCountsAndReservations) {
  Diagnostics d;
  auto c = parse_cluster_config(R"(
heartbeat_interval_seconds: 2
tick_seconds: 0.2
agents:
  - name: big
    hostname: host-1
    zone: z1
    region: r1
    attributes: {rack: r7, ssd: "true"}
    resources: {cpus: 8, mem: 16384, disk: 100000, gpus: 1, ports: [31000-31099, 32000-32009]}
    reserved:
      slave_public: {cpus: 1, mem: 512}
  - name: sim
    count: 3
    simulated: true
    resources: {cpus: 1, mem: 1024}
)",
                                "cluster.yml", d);
  ASSERT_TRUE(c) << (d.empty() ? "" : d.items()[0].to_string());
  EXPECT_DOUBLE_EQ(c->heartbeat_interval_seconds, 2);
  EXPECT_DOUBLE_EQ(c->tick_seconds, 0.2);
  EXPECT_DOUBLE_EQ(ClusterConfig{}.tick_seconds, 0.05);
  ASSERT_EQ(c->agents.size(), 4u);
  const AgentConfig& big = c->agents[0];
  EXPECT_EQ(big.hostname, "host-1");
  EXPECT_EQ(big.zone, "z1");
  EXPECT_EQ(big.region, "r1");
  EXPECT_EQ(big.attributes.size(), 2u);
  EXPECT_EQ(big.resources.ports.size(), 2u);
  EXPECT_DOUBLE_EQ(big.resources.gpus, 1);
  EXPECT_DOUBLE_EQ(big.reserved.at("slave_public").cpus, 1);
  EXPECT_EQ(c->agents[1].name, "sim-0");
  EXPECT_EQ(c->agents[3].name, "sim-2");
  EXPECT_TRUE(c->agents[3].simulated);
}

TEST(ClusterConfig, ErrorsNameFileLineAndField) {
  struct Case {
    const char* text;
    const char* expected;
  };
  Case cases[] = {
      {"agents:\n  - resources: {cpus: -1}\n",
       "cluster.yml:2:23: error: agents[0].resources.cpus: must be a number >= 0"},
      {"agents:\n  - resources: {cpu: 1}\n",
       "agents[0].resources.cpu: unknown field (fix: did you mean `cpus`?)"},
      {"agents:\n  - resources: {ports: 9-1}\n", "bad port range"},
      {"agents: []\n", "agents: must be a non-empty list"},
      {"agents:\n  - simulated: yes\n", "must be true or false"},
      {"agents:\n  - name: a\n  - name: a\n", "duplicate agent name"},
      {"agents:\n  - reserved: {'*': {cpus: 1}}\n", "bad role name"},
      {"agents: [\n", "not valid YAML"},
      {"agent: []\n", "unknown field (fix: did you mean `agents`?)"},
      {"tick_seconds: 0\nagents:\n  - name: a\n",
       "cluster.yml:1:15: error: tick_seconds: must be a number >= 0.001"},
      {"tick_seconds: 61\nagents:\n  - name: a\n", "tick_seconds: must be at most 60"},
  };
  for (const Case& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(parse_cluster_config(c.text, "cluster.yml", d)) << c.text;
    ASSERT_FALSE(d.empty()) << c.text;
    std::string all;
    for (const auto& item : d.items())
      all += item.to_string() + "\n";
    EXPECT_NE(all.find(c.expected), std::string::npos) << c.text << "\n" << all;
  }
}

}  // namespace
}  // namespace steward::cluster

namespace steward::cluster {
namespace {

// Whatever the bytes, the parser answers a config or errors, and never throws.
TEST(ClusterConfig, MutatedConfigsNeverThrow) {
  const std::string base = R"(heartbeat_interval_seconds: 2
agents:
  - name: big
    zone: z1
    attributes: {rack: r7}
    resources: {cpus: 8, mem: 16384, disk: 100000, ports: [31000-31099]}
    reserved:
      slave_public: {cpus: 1, mem: 512}
  - name: sim
    count: 3
    simulated: true
)";
  std::mt19937 rng(5);
  const char alphabet[] = "{}[]:,-'\"&*!|> \n\t#abc019.";
  std::size_t parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = base;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) {
      std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % (sizeof alphabet - 1)];
          break;
        case 1:
          text.erase(at, 1 + rng() % 8);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]);
          break;
      }
      if (text.empty()) text = " ";
    }
    Diagnostics d;
    std::optional<ClusterConfig> c;
    ASSERT_NO_THROW(c = parse_cluster_config(text, "cluster.yml", d)) << text;
    ASSERT_TRUE(c.has_value() || d.has_errors()) << text;
    parsed += c.has_value();
  }
  EXPECT_GT(parsed, 100u) << "the mutations should leave many configs valid";
}

}  // namespace
}  // namespace steward::cluster
