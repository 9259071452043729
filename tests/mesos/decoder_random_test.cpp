// The decoders read what arrives over the network: whatever the JSON, they answer a value
// or an error, never an exception.

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <random>

#include "common/json_document.hpp"

#include "mesos/call_json.hpp"
#include "mesos/executor_api.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/resource_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"

namespace steward::mesos {
namespace {

using nlohmann::json;

json random_value(std::mt19937& rng, int depth) {
  static const char* keys[] = {
      "type",         "value",          "offers",       "offer_ids",  "operations",
      "accept",       "launch_group",   "executor",     "task_group", "tasks",
      "task_id",      "agent_id",       "framework_id", "status",     "state",
      "subscribe",    "framework_info", "user",         "name",       "resources",
      "reserve",      "create",         "volumes",      "command",    "check",
      "health_check", "update",         "id",           "scalar",     "reservations",
      "executor_id",  "uuid",           "labels",       "kill",       "container",
      "rlimit_info",  "rlimits",        "soft",         "hard",       "http",
      "tcp",          "port",           "acknowledged", "subscribed", "agent_info"};
  static const char* words[] = {
      "ACCEPT",  "OFFERS",  "UPDATE",       "SUBSCRIBED",  "LAUNCH_GROUP", "RESERVE", "CREATE",
      "DEFAULT", "COMMAND", "TASK_RUNNING", "SCALAR",      "SUBSCRIBE",    "KILL",    "x",
      "",        "HTTP",    "TCP",          "RLMT_NOFILE", "ACKNOWLEDGED", "SHUTDOWN"};
  constexpr int kKeys = sizeof keys / sizeof keys[0];
  switch (depth <= 0 ? rng() % 4 : rng() % 7) {
    case 0:
      return nullptr;
    case 1:
      return static_cast<int>(rng() % 2000) - 1000;
    case 2:
      return words[rng() % 15];
    case 3:
      return rng() % 2 == 0;
    case 4: {
      json a = json::array();
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i)
        a.push_back(random_value(rng, depth - 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = 0, n = static_cast<int>(rng() % 6); i < n; ++i)
        o[keys[rng() % kKeys]] = random_value(rng, depth - 1);
      return o;
    }
  }
}

TEST(MesosDecoders, RandomJsonNeverThrows) {
  std::mt19937 rng(99);
  for (int i = 0; i < 20000; ++i) {
    json j = random_value(rng, 5);
    if (rng() % 2 && j.is_object()) j["type"] = random_value(rng, 0);
    std::string error;
    ASSERT_NO_THROW({
      (void)event_from_json(j, error);
      (void)call_from_json(j, error);
      (void)accept_from_json(j, error);
      (void)operation_from_json(j, error);
      (void)task_info_from_json(j, error);
      (void)task_status_from_json(j, error);
      (void)offer_from_json(j, error);
      (void)executor_info_from_json(j, error);
      (void)framework_info_from_json(j, error);
      (void)decode_executor_call(j.dump(), error);
      (void)decode_executor_event(j.dump(), error);
    }) << j.dump();
  }
}

// event_from_text reads offers as they are parsed, and any other event from a JsonDocument;
// whatever the JSON, it answers what reading the whole tree answers.
TEST(MesosDecoders, EventFromTextAgreesWithTheTree) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    json j = random_value(rng, 5);
    if (rng() % 2 && j.is_object()) j["type"] = rng() % 2 ? json("OFFERS") : random_value(rng, 0);
    std::string tree_error, text_error;
    auto from_tree = event_from_json(j, tree_error);
    std::optional<Event> from_text;
    ASSERT_NO_THROW(from_text = event_from_text(j.dump(), text_error)) << j.dump();
    ASSERT_EQ(from_text.has_value(), from_tree.has_value()) << j.dump();
    EXPECT_EQ(text_error, tree_error) << j.dump();
    if (from_tree) {
      EXPECT_EQ(from_text->type, from_tree->type) << j.dump();
      EXPECT_EQ(from_text->offers, from_tree->offers) << j.dump();
      EXPECT_EQ(from_text->status, from_tree->status) << j.dump();
      EXPECT_EQ(event_text(*from_text), event_text(*from_tree)) << j.dump();
    }
  }
}

// The decoders that read a JsonDocument too (the embedded master reads an ACCEPT so) answer
// from it what they answer from nlohmann's tree, value or error.
template <class T, class Read>
void same_from_both(const json& j, const JsonValue& doc, Read read) {
  std::string tree_error, doc_error;
  std::optional<T> from_tree, from_doc;
  ASSERT_NO_THROW({
    from_tree = read(j, tree_error);
    from_doc = read(doc, doc_error);
  }) << j.dump();
  ASSERT_EQ(from_doc.has_value(), from_tree.has_value()) << j.dump();
  EXPECT_EQ(doc_error, tree_error) << j.dump();
  if (from_tree) {
    EXPECT_EQ(*from_doc, *from_tree) << j.dump();
  }
}

TEST(MesosDecoders, ADocumentReadsAsTheTreeReads) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000 && !::testing::Test::HasFailure(); ++i) {
    json j = random_value(rng, 6);
    if (j.is_object()) {
      if (rng() % 2) j["type"] = rng() % 2 ? json("ACCEPT") : random_value(rng, 0);
      if (rng() % 2) j["framework_id"] = {{"value", "f"}};
      if (rng() % 2 && j.contains("accept") && j["accept"].is_object())
        j["accept"]["offer_ids"] = json::array({{{"value", "o"}}});
    }
    const std::string text = j.dump();
    JsonDocument doc;
    ASSERT_TRUE(doc.parse(text)) << doc.error();
    const JsonValue& d = doc.root();
    same_from_both<AcceptCall>(
        j, d, [](const auto& t, std::string& e) { return accept_from_json(t, e); });
    same_from_both<Operation>(
        j, d, [](const auto& t, std::string& e) { return operation_from_json(t, e); });
    same_from_both<TaskInfo>(
        j, d, [](const auto& t, std::string& e) { return task_info_from_json(t, e); });
    same_from_both<TaskInfo>(
        j, d, [](const auto& t, std::string& e) { return task_info_from_json(t, e, false); });
    same_from_both<ExecutorInfo>(
        j, d, [](const auto& t, std::string& e) { return executor_info_from_json(t, e); });
    same_from_both<Resource>(
        j, d, [](const auto& t, std::string& e) { return resource_from_json(t, e); });
    same_from_both<TaskStatus>(
        j, d, [](const auto& t, std::string& e) { return task_status_from_json(t, e); });
    same_from_both<Offer>(j, d,
                          [](const auto& t, std::string& e) { return offer_from_json(t, e); });
  }
}

// Calls of every type, with random bodies: the cluster reads acknowledgements from a
// JsonDocument, and any call may be read from either tree.
TEST(MesosDecoders, ACallReadsFromADocumentAsFromTheTree) {
  static const char* types[] = {"SUBSCRIBE", "TEARDOWN",    "DECLINE",   "REVIVE",   "KILL",
                                "SHUTDOWN",  "ACKNOWLEDGE", "RECONCILE", "SUPPRESS", "FLY"};
  std::mt19937 rng(5);
  std::size_t decoded = 0;
  for (int i = 0; i < 20000 && !::testing::Test::HasFailure(); ++i) {
    std::string type = types[rng() % (sizeof types / sizeof types[0])];
    json j = {{"type", type}};
    if (rng() % 4) j["framework_id"] = {{"value", rng() % 4 ? "f" : ""}};
    std::string key = type;
    for (char& c : key)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json b = random_value(rng, 4);
    if (b.is_object() && rng() % 2) {
      // The fields calls read, some of the right kind.
      for (const char* f : {"agent_id", "task_id", "executor_id"})
        if (rng() % 2) b[f] = rng() % 3 ? json{{"value", "x"}} : random_value(rng, 1);
      if (rng() % 2)
        b["uuid"] = rng() % 3 ? json("AAECAwQFBgcICQoLDA0ODw==") : random_value(rng, 0);
      if (rng() % 3 == 0) b["offer_ids"] = json::array({{{"value", "o"}}, random_value(rng, 1)});
      if (rng() % 3 == 0) b["filters"] = {{"refuse_seconds", rng() % 2 ? json(5.5) : json("x")}};
      if (rng() % 3 == 0) b["roles"] = json::array({"r", random_value(rng, 0)});
      if (rng() % 3 == 0)
        b["framework_info"] = {{"user", "u"},
                               {"name", rng() % 2 ? json("n") : json(1)},
                               {"roles", json::array({"r"})},
                               {"failover_timeout", 5}};
      if (rng() % 3 == 0)
        b["tasks"] = json::array({{{"task_id", {{"value", "t"}}}}, random_value(rng, 1)});
    }
    if (rng() % 5) j[key] = b;
    const std::string text = j.dump();
    JsonDocument doc;
    ASSERT_TRUE(doc.parse(text)) << doc.error();
    same_from_both<Call>(j, doc.root(),
                         [](const auto& t, std::string& e) { return call_from_json(t, e); });
    std::string error;
    decoded += call_from_json(j, error).has_value();
  }
  EXPECT_GT(decoded, 2000u);  // not only errors
}

}  // namespace
}  // namespace steward::mesos
