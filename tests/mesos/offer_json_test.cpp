#include "mesos/offer_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "mesos/recordio.hpp"

namespace steward::mesos {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

// The offer event of the reference notes (mesos-v1 §1.6), as a master sends it.
const char* kOffersEvent = R"json({"type": "OFFERS", "offers": {"offers": [{
  "id": {"value": "9b6e-O17"}, "framework_id": {"value": "9b6e-0000"},
  "agent_id": {"value": "9b6e-S0"}, "hostname": "localhost",
  "url": {"scheme": "http", "path": "/slave(1)",
          "address": {"hostname": "localhost", "ip": "127.0.0.1", "port": 5051}},
  "allocation_info": {"role": "hello-world-role"},
  "resources": [
    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.5},
     "allocation_info": {"role": "hello-world-role"},
     "reservations": [{"type": "DYNAMIC", "role": "hello-world-role", "principal": "hello-world-principal",
                       "labels": {"labels": [{"key": "resource_id", "value": "4f1e"}]}}]},
    {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 32000}]},
     "allocation_info": {"role": "hello-world-role"}}],
  "attributes": [{"name": "zone", "type": "TEXT", "text": {"value": "a"}},
                 {"name": "weight", "type": "SCALAR", "scalar": {"value": 2.5}}],
  "domain": {"fault_domain": {"region": {"name": "local"}, "zone": {"name": "b"}}},
  "executor_ids": [{"value": "hello__6c0a"}]}]}})json";

TEST(EventJson, OffersAreNested) {
  std::string error;
  auto e = event_from_json(json::parse(kOffersEvent), error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->type, Event::Type::offers);
  ASSERT_EQ(e->offers.size(), 1u);
  const Offer& o = e->offers[0];
  EXPECT_EQ(o.id, "9b6e-O17");
  EXPECT_EQ(o.agent_id, "9b6e-S0");
  EXPECT_EQ(o.allocation_role, "hello-world-role");
  ASSERT_EQ(o.resources.size(), 2u);
  EXPECT_EQ(o.resources[0].label("resource_id"), "4f1e");
  EXPECT_EQ(o.resources[1].ranges[0].end, 32000u);
  ASSERT_EQ(o.attributes.size(), 2u);
  EXPECT_EQ(o.attributes[0].text, "a");
  EXPECT_EQ(o.attributes[1].scalar, 2.5);
  EXPECT_EQ(o.region, "local");
  EXPECT_EQ(o.zone, "b");
  EXPECT_THAT(o.executor_ids, ElementsAre("hello__6c0a"));
  // And back: what the embedded cluster will send.
  Event again;
  again.type = Event::Type::offers;
  again.offers = e->offers;
  auto round = event_from_json(to_json(again), error);
  ASSERT_TRUE(round) << error;
  EXPECT_EQ(round->offers, e->offers);
}

TEST(EventJson, EveryEventTypeDecodes) {
  std::string error;
  auto sub = event_from_json(json::parse(R"({"type": "SUBSCRIBED", "subscribed": {
      "framework_id": {"value": "m-0000"}, "heartbeat_interval_seconds": 15.0, "master_info": {}}})"),
                             error);
  ASSERT_TRUE(sub) << error;
  EXPECT_EQ(sub->framework_id, "m-0000");
  EXPECT_EQ(sub->heartbeat_interval_seconds, 15.0);

  auto update = event_from_json(json::parse(R"({"type": "UPDATE", "update": {"status": {
      "task_id": {"value": "t"}, "state": "TASK_FAILED", "uuid": "x"}}})"),
                                error);
  ASSERT_TRUE(update) << error;
  EXPECT_EQ(update->status->state, TaskState::failed);

  auto rescind = event_from_json(
      json::parse(R"({"type": "RESCIND", "rescind": {"offer_id": {"value": "o1"}}})"), error);
  EXPECT_EQ(rescind->offer_id, "o1");

  // ERROR is nested too (the prose docs show it flat; the master does not send that).
  auto err = event_from_json(
      json::parse(R"({"type": "ERROR", "error": {"message": "Framework has been removed"}})"),
      error);
  EXPECT_EQ(err->message, "Framework has been removed");

  auto failure = event_from_json(
      json::parse(
          R"({"type": "FAILURE", "failure": {"agent_id": {"value": "a"}, "executor_id": {"value": "e"}, "status": 256}})"),
      error);
  EXPECT_EQ(failure->exit_status, 256);
  EXPECT_EQ(failure->executor_id, "e");

  EXPECT_EQ(event_from_json(json::parse(R"({"type": "HEARTBEAT"})"), error)->type,
            Event::Type::heartbeat);
  // Types from a newer master are ignored, not errors.
  EXPECT_EQ(
      event_from_json(json::parse(R"({"type": "UPDATE_OPERATION_STATUS", "x": 1})"), error)->type,
      Event::Type::unknown);
}

TEST(EventJson, MalformedEventsNameWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(event_from_json(json::parse(R"("HEARTBEAT")"), error));
  EXPECT_EQ(error, "event: must be an object");
  EXPECT_FALSE(event_from_json(json::parse(R"({"type": "UPDATE"})"), error));
  EXPECT_EQ(error, "event UPDATE: `update` is missing");
  EXPECT_FALSE(event_from_json(json::parse(R"({"type": "UPDATE", "update": {}})"), error));
  EXPECT_EQ(error, "event UPDATE: status is missing");
  EXPECT_FALSE(event_from_json(json::parse(R"({"type": "SUBSCRIBED", "subscribed": {}})"), error));
  EXPECT_EQ(error, "event SUBSCRIBED: framework_id is missing");
  EXPECT_FALSE(event_from_json(
      json::parse(R"({"type": "OFFERS", "offers": {"offers": [{"id": {"value": "o"}}]}})"), error));
  EXPECT_EQ(error, "event OFFERS: offer.agent_id: is required");
}

TEST(EventJson, AStreamOfRecordsDecodesInOrder) {
  std::string stream =
      recordio_encode(R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f"}}})") +
      recordio_encode(R"({"type":"HEARTBEAT"})") + recordio_encode(kOffersEvent);
  RecordIoReader reader;
  std::vector<Event::Type> types;
  for (char c : stream) {  // one byte at a time: chunking must not matter
    reader.feed(std::string_view(&c, 1));
    while (auto record = reader.next()) {
      std::string error;
      auto e = event_from_json(json::parse(*record), error);
      ASSERT_TRUE(e) << error;
      types.push_back(e->type);
    }
  }
  EXPECT_THAT(types,
              ElementsAre(Event::Type::subscribed, Event::Type::heartbeat, Event::Type::offers));
}

// The scheduler reads its stream with event_from_text, which reads offers as they are parsed
// and drops each one's JSON: the same event as the tree gives, offer for offer, in order.
TEST(EventText, ReadsWhatTheTreeReads) {
  Event many;
  many.type = Event::Type::offers;
  std::string error;
  auto first = event_from_json(json::parse(kOffersEvent), error);
  ASSERT_TRUE(first) << error;
  const Offer one = first->offers.at(0);
  for (int i = 0; i < 300; ++i) {
    Offer o = one;
    o.id = "offer-" + std::to_string(i);
    o.agent_id = "agent-" + std::to_string(i % 7);
    many.offers.push_back(o);
  }
  for (const std::string& text : {std::string(kOffersEvent), event_text(many)}) {
    auto from_tree = event_from_json(json::parse(text), error);
    ASSERT_TRUE(from_tree) << error;
    auto from_text = event_from_text(text, error);
    ASSERT_TRUE(from_text) << error;
    EXPECT_EQ(from_text->type, Event::Type::offers);
    EXPECT_EQ(from_text->offers, from_tree->offers);
  }
  EXPECT_EQ(event_from_text(event_text(many), error)->offers, many.offers);
  const std::string update = R"({"type": "UPDATE", "update": {"status": {
      "task_id": {"value": "t"}, "state": "TASK_RUNNING"}}})";
  auto status = event_from_text(update, error);
  ASSERT_TRUE(status && status->status) << error;
  EXPECT_EQ(status->status->task_id, "t");
}

TEST(EventText, AnOfferThatDoesNotReadFailsTheEventByName) {
  std::string error;
  // The bad offer sits between good ones, which were already read and dropped.
  const std::string text = R"({"type": "OFFERS", "offers": {"offers": [
      {"id": {"value": "o1"}, "framework_id": {"value": "f"}, "agent_id": {"value": "a"},
       "hostname": "h", "resources": []},
      {"id": {"value": "o2"}},
      {"id": {"value": "o3"}, "framework_id": {"value": "f"}, "agent_id": {"value": "a"},
       "hostname": "h", "resources": []}]}})";
  EXPECT_FALSE(event_from_text(text, error));
  EXPECT_EQ(error, "event OFFERS: offer.agent_id: is required");
  EXPECT_FALSE(event_from_text(R"({"type": "OFFERS", "offers": {"offers": [)", error));
  EXPECT_EQ(error, "event: not JSON");
  EXPECT_FALSE(event_from_text("", error));
  EXPECT_EQ(error, "event: not JSON");
}

// Asked to read only the first N offers in full (the scheduler keeps at most 256), the reader
// keeps only the ids of the rest, which the scheduler declines: the ones read are the tree's
// first N, in order, and the ids the rest's. One past N is not checked beyond its id.
TEST(EventText, OffersPastTheReadLimitArriveAsIdsOnly) {
  std::string error;
  auto first = event_from_json(json::parse(kOffersEvent), error);
  ASSERT_TRUE(first) << error;
  Event many;
  many.type = Event::Type::offers;
  for (int i = 0; i < 300; ++i) {
    Offer o = first->offers.at(0);
    o.id = "offer-" + std::to_string(i);
    many.offers.push_back(o);
  }
  const std::string text = event_text(many);
  for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{256}, std::size_t{300}}) {
    auto e = event_from_text(text, error, limit);
    ASSERT_TRUE(e) << error;
    ASSERT_EQ(e->offers.size(), limit);
    EXPECT_TRUE(std::equal(e->offers.begin(), e->offers.end(), many.offers.begin()));
    ASSERT_EQ(e->unread_offer_ids.size(), 300 - limit);
    for (std::size_t i = limit; i < 300; ++i)
      EXPECT_EQ(e->unread_offer_ids[i - limit], "offer-" + std::to_string(i));
  }
  const std::string good = R"({"id": {"value": "o1"}, "framework_id": {"value": "f"},
      "agent_id": {"value": "a"}, "hostname": "h", "resources": []})";
  // Past the limit an offer is read for its id alone; without one, the event fails by name.
  auto lax = event_from_text(
      R"({"type": "OFFERS", "offers": {"offers": [)" + good + R"(, {"id": {"value": "o2"}}]}})",
      error, 1);
  ASSERT_TRUE(lax) << error;
  EXPECT_EQ(lax->unread_offer_ids, std::vector<std::string>{"o2"});
  EXPECT_FALSE(event_from_text(
      R"({"type": "OFFERS", "offers": {"offers": [)" + good + R"(, {"hostname": "h"}]}})", error,
      1));
  EXPECT_EQ(error, "event OFFERS: offer.id: is required");
  EXPECT_FALSE(event_from_text(R"({"type": "OFFERS", "offers": {"offers": [)" + good + R"(, 7]}})",
                               error, 1));
  EXPECT_EQ(error, "event OFFERS: offer: must be an object");
  // A list given twice: what is kept, read and unread, is the last one's.
  auto twice = event_from_text(R"({"type": "OFFERS", "offers": {"offers": [)" + good + ", " + good +
                                   R"(], "offers": [{"id": {"value": "o9"}}]}})",
                               error, 0);
  ASSERT_TRUE(twice) << error;
  EXPECT_TRUE(twice->offers.empty());
  EXPECT_EQ(twice->unread_offer_ids, std::vector<std::string>{"o9"});
}

TEST(EventText, AKeyGivenTwiceKeepsItsLastValueAsTheTreeDoes) {
  const std::string offer = R"({"id": {"value": "o1"}, "framework_id": {"value": "f"},
      "agent_id": {"value": "a"}, "hostname": "h", "resources": []})";
  for (const std::string& text :
       {R"({"type": "OFFERS", "offers": {"offers": [)" + offer + R"(], "offers": []}})",
        R"({"type": "OFFERS", "offers": {"offers": [)" + offer + R"(]}, "offers": {}})",
        R"({"type": "OFFERS", "offers": {"offers": []}, "offers": {"offers": [)" + offer + "]}}"}) {
    std::string error;
    auto from_tree = event_from_json(json::parse(text), error);
    auto from_text = event_from_text(text, error);
    ASSERT_TRUE(from_tree && from_text) << text << ": " << error;
    EXPECT_EQ(from_text->offers, from_tree->offers) << text;
  }
}

}  // namespace
}  // namespace steward::mesos
