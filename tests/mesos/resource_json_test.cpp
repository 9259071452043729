#include "mesos/resource_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace steward::mesos {
namespace {

using nlohmann::json;

Resource parse(const std::string& text) {
  std::string error;
  auto r = resource_from_json(json::parse(text), error);
  EXPECT_TRUE(r) << error;
  return r.value_or(Resource{});
}

std::string parse_error(const std::string& text) {
  std::string error;
  EXPECT_FALSE(resource_from_json(json::parse(text), error)) << text;
  return error;
}

TEST(ResourceJson, ReadsAnOfferedPersistentVolumeWithItsReservationStack) {
  Resource r = parse(R"({"name": "disk", "type": "SCALAR", "scalar": {"value": 256.0},
     "allocation_info": {"role": "hello-world-role"},
     "reservations": [{"type": "STATIC", "role": "slave_public"},
                      {"type": "DYNAMIC", "role": "slave_public/hello-world-role",
                       "principal": "hello-world-principal",
                       "labels": {"labels": [{"key": "resource_id", "value": "a77c"}]}}],
     "disk": {"persistence": {"id": "b1d2", "principal": "hello-world-principal"},
              "volume": {"mode": "RW", "container_path": "hello-container-path"},
              "source": {"type": "MOUNT", "mount": {"root": "/mnt/disk1"}, "profile": "fast"}},
     "some_future_field": {"ignored": true}})");
  EXPECT_EQ(r.name, "disk");
  EXPECT_EQ(r.scalar, 256.0);
  EXPECT_EQ(r.allocation_role, "hello-world-role");
  ASSERT_EQ(r.reservations.size(), 2u);
  EXPECT_EQ(r.reservations[0].type, ReservationInfo::Type::static_reservation);
  EXPECT_EQ(r.role(), "slave_public/hello-world-role");  // the last entry is current
  EXPECT_EQ(r.label("resource_id"), "a77c");
  EXPECT_FALSE(r.label("missing"));
  ASSERT_TRUE(r.disk && r.disk->persistence && r.disk->volume && r.disk->source);
  EXPECT_EQ(r.disk->persistence->id, "b1d2");
  EXPECT_EQ(r.disk->volume->container_path, "hello-container-path");
  EXPECT_EQ(r.disk->source->type, DiskInfo::Source::Type::mount);
  EXPECT_EQ(r.disk->source->root, "/mnt/disk1");
  EXPECT_EQ(r.disk->source->profile, "fast");
}

TEST(ResourceJson, RoundTrips) {
  Resource ports;
  ports.name = "ports";
  ports.type = Resource::Type::ranges;
  ports.ranges = {{31000, 31005}, {32000, 32000}};
  ports.reservations = {
      {ReservationInfo::Type::dynamic, "svc-role", "svc", {{"resource_id", "x"}}}};
  ports.allocation_role = "svc-role";
  std::string error;
  auto back = resource_from_json(to_json(ports), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, ports);

  Resource cpus;
  cpus.name = "cpus";
  cpus.scalar = 0.1 + 0.2;  // stored and sent with three decimals
  EXPECT_EQ(to_json(cpus)["scalar"]["value"].get<double>(), 0.3);
  EXPECT_EQ(to_json(cpus).dump(), R"({"name":"cpus","scalar":{"value":0.3},"type":"SCALAR"})");
}

TEST(ResourceJson, OldFormatBecomesAReservationStack) {
  Resource dynamic = parse(R"({"name": "mem", "type": "SCALAR", "scalar": {"value": 32},
      "role": "svc-role", "reservation": {"principal": "p", "labels": {"labels": [{"key": "k"}]}}})");
  ASSERT_EQ(dynamic.reservations.size(), 1u);
  EXPECT_EQ(dynamic.reservations[0].type, ReservationInfo::Type::dynamic);
  EXPECT_EQ(dynamic.reservations[0].labels[0].key, "k");
  Resource fixed = parse(
      R"({"name": "mem", "type": "SCALAR", "scalar": {"value": 32}, "role": "slave_public"})");
  EXPECT_EQ(fixed.reservations[0].type, ReservationInfo::Type::static_reservation);
  Resource unreserved =
      parse(R"({"name": "mem", "type": "SCALAR", "scalar": {"value": 32}, "role": "*"})");
  EXPECT_FALSE(unreserved.reserved());
  EXPECT_EQ(unreserved.role(), "*");
}

TEST(ResourceJson, NumbersMayBeStrings) {
  Resource r = parse(
      R"({"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": "31000", "end": 31001}]}})");
  EXPECT_EQ(r.ranges[0].begin, 31000u);
}

TEST(ResourceJson, InvalidResourcesNameTheField) {
  EXPECT_EQ(parse_error(R"([])"), "resource: must be an object");
  EXPECT_EQ(parse_error(R"({"type": "SCALAR", "scalar": {"value": 1}})"),
            "resource.name: is required");
  EXPECT_EQ(parse_error(R"({"name": "cpus", "type": "SCALAR"})"),
            "resource cpus.scalar.value: a SCALAR resource needs a number");
  EXPECT_EQ(parse_error(R"({"name": "cpus", "type": "TEXT"})"),
            "resource cpus.type: must be SCALAR, RANGES or SET");
  EXPECT_EQ(
      parse_error(
          R"({"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 5, "end": 1}]}})"),
      "resource ports.ranges: begin is above end");
  EXPECT_EQ(
      parse_error(
          R"({"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": -5, "end": 1}]}})"),
      "resource ports.ranges.begin: must be a non-negative whole number");
  EXPECT_EQ(parse_error(R"({"name": "cpus", "type": "SCALAR", "scalar": {"value": 1},
      "reservations": [{"type": "SOMETIMES", "role": "r"}]})"),
            "resource cpus.reservations.type: unknown type \"SOMETIMES\"");
  EXPECT_EQ(parse_error(R"({"name": "cpus", "type": "SCALAR", "scalar": {"value": 1}, "role": "r",
      "reservations": [{"type": "DYNAMIC", "role": "r"}]})"),
            "resource cpus: uses both `reservations` and the old `role`/`reservation` format");
}

}  // namespace
}  // namespace steward::mesos

namespace steward::mesos {
namespace {

// Any JSON at all: an error or a resource, never an exception.
nlohmann::json random_json(std::mt19937& rng, int depth) {
  static const char* keys[] = {
      "name",   "type",   "scalar", "value",       "ranges",       "range",
      "begin",  "end",    "set",    "item",        "reservations", "role",
      "labels", "key",    "disk",   "persistence", "id",           "volume",
      "mode",   "source", "mount",  "root",        "reservation",  "allocation_info"};
  static const char* words[] = {"SCALAR", "RANGES", "SET", "DYNAMIC", "STATIC",
                                "MOUNT",  "RW",     "*",   "cpus",    "-1"};
  switch (depth <= 0 ? rng() % 4 : rng() % 6) {
    case 0:
      return nullptr;
    case 1:
      return static_cast<double>(static_cast<int>(rng() % 2001) - 1000) / 7.0;
    case 2:
      return words[rng() % 10];
    case 3:
      return rng() % 2 == 0;
    case 4: {
      nlohmann::json a = nlohmann::json::array();
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i)
        a.push_back(random_json(rng, depth - 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i)
        o[keys[rng() % 24]] = random_json(rng, depth - 1);
      return o;
    }
  }
}

TEST(ResourceJson, RandomJsonNeverThrows) {
  std::mt19937 rng(11);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    nlohmann::json j = random_json(rng, 4);
    if (rng() % 2) {
      j = nlohmann::json::object({{"name", "cpus"}, {"type", rng() % 2 ? "SCALAR" : "RANGES"}});
      j["scalar"] = random_json(rng, 2);
      j["ranges"] = random_json(rng, 3);
      j["reservations"] = random_json(rng, 3);
      j["disk"] = random_json(rng, 3);
    }
    std::string error;
    std::optional<Resource> r;
    ASSERT_NO_THROW(r = resource_from_json(j, error)) << j.dump();
    if (r) {
      ++parsed;
      EXPECT_TRUE(error.empty());
    } else {
      EXPECT_FALSE(error.empty()) << j.dump();
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace steward::mesos
