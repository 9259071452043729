// Decoding an OFFERS event: what the scheduler pays for each record of the master's event
// stream before it can look at an offer (MesosSession::on_record: each offer is read as the
// text is parsed, and its JSON dropped). An allocation pass on a large cluster sends one event
// with an offer per agent, so this grows with the cluster. And writing one, as the embedded
// master does: straight to text (JsonText), against a JSON tree built and then dumped.

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

#include "decode_loop.hpp"
#include "mesos/offer_json.hpp"

namespace {

using nlohmann::json;
using steward::mesos::Event;
using steward::mesos::Offer;
using steward::mesos::Resource;

Resource scalar(const std::string& name, double value) {
  Resource r;
  r.name = name;
  r.scalar = value;
  r.allocation_role = "bench-role";
  return r;
}

// An agent's free share as the embedded master offers it to a MULTI_ROLE framework: its
// unreserved cpus, mem, disk and ports, two attributes and a fault domain. Every other agent
// also runs a pod of the service, so its offer carries that pod's reservations (cpus and mem,
// each with a resource_id label) and its executor.
Offer make_offer(int i) {
  Offer o;
  o.id = "a1b2c3d4-0000-4000-8000-000000000001-O" + std::to_string(1000 + i);
  o.framework_id = "a1b2c3d4-0000-4000-8000-000000000001-0000";
  o.agent_id = "a1b2c3d4-0000-4000-8000-000000000001-S" + std::to_string(i);
  o.hostname = "agent-" + std::to_string(i) + ".cluster.example";
  o.allocation_role = "bench-role";
  o.resources = {scalar("cpus", 7), scalar("mem", 30720), scalar("disk", 99744)};
  Resource ports;
  ports.name = "ports";
  ports.type = Resource::Type::ranges;
  ports.ranges = {{31000, 31499}, {31501, 31999}};
  ports.allocation_role = "bench-role";
  o.resources.push_back(ports);
  if (i % 2 == 0) {
    for (auto [name, value] : {std::pair{"cpus", 1.1}, std::pair{"mem", 1056.0}}) {
      Resource r = scalar(name, value);
      steward::mesos::ReservationInfo reservation;
      reservation.role = "bench-role";
      reservation.principal = "bench-principal";
      reservation.labels = {
          {"resource_id", "5f0e6c1a-" + std::string(name) + "-" + std::to_string(i)}};
      r.reservations = {reservation};
      o.resources.push_back(r);
    }
    o.executor_ids = {"app__" + std::to_string(i) + "-7d3c0f9e"};
  }
  o.attributes = {{"rack", "rack-" + std::to_string(i % 20), std::nullopt},
                  {"class", "general", std::nullopt}};
  o.region = "region-1";
  o.zone = "zone-" + std::to_string(i % 3);
  return o;
}

std::string offers_event(int n) {
  Event e;
  e.type = Event::Type::offers;
  for (int i = 0; i < n; ++i)
    e.offers.push_back(make_offer(i));
  return steward::mesos::event_text(e);
}

// Decodes an event of N offers with `decode` (text to Event), as on_record does.
template <typename Decode>
void decode_offers(benchmark::State& state, Decode decode) {
  const auto n = static_cast<std::size_t>(state.range(0));
  decode_loop(state, offers_event(static_cast<int>(n)), n, decode,
              [](const Event& e) { return e.offers.size(); });
}

// on_record's decoding: each offer read as it is parsed and its JSON dropped.
void BM_DecodeOffersEvent(benchmark::State& state) {
  decode_offers(state, [](const std::string& text, std::string& error) {
    return steward::mesos::event_from_text(text, error);
  });
}
BENCHMARK(BM_DecodeOffersEvent)->Arg(1)->Arg(100)->Arg(1000)->Arg(5000)->Complexity();

// As the scheduler decodes one: the first 256 offers (its queue's room) in full, the rest's
// ids only (they are declined unread).
void BM_DecodeOffersEventAsTheSchedulerDoes(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  decode_loop(
      state, offers_event(static_cast<int>(n)), n,
      [](const std::string& text, std::string& error) {
        return steward::mesos::event_from_text(text, error, 256);
      },
      [](const Event& e) { return e.offers.size() + e.unread_offer_ids.size(); });
}
BENCHMARK(BM_DecodeOffersEventAsTheSchedulerDoes)->Arg(100)->Arg(1000)->Arg(5000);

// How on_record decoded before: the whole text parsed into a tree, then read.
void BM_DecodeOffersEventThroughATree(benchmark::State& state) {
  decode_offers(state, [](const std::string& text, std::string& error) {
    json j = json::parse(text, nullptr, false);
    return steward::mesos::event_from_json(j, error);
  });
}
BENCHMARK(BM_DecodeOffersEventThroughATree)->Arg(1)->Arg(100)->Arg(1000)->Arg(5000)->Complexity();

// An UPDATE as the embedded master sends one (TASK_RUNNING of a pod's task, from its
// executor): a deploy of 10,000 pods brings 20,000 of them.
std::string update_event() {
  Event e;
  e.type = Event::Type::update;
  steward::mesos::TaskStatus s;
  s.task_id = "scale__node-4711-server__48fc3797-4b2f-46d4-9ce6-8fe79fbb169c";
  s.state = steward::mesos::TaskState::running;
  s.source = steward::mesos::TaskStatus::Source::executor;
  s.agent_id = "a1b2c3d4-0000-4000-8000-000000000001-S17";
  s.executor_id = "node__335fe03b-72d3-4eae-8432-16947f17efe2";
  s.timestamp = 1795833013.682;
  s.uuid = "k8dVb0xbQ3qOd3m1Yx2l7w==";
  s.healthy = true;
  e.status = s;
  return steward::mesos::event_text(e);
}

template <typename Decode>
void decode_update(benchmark::State& state, Decode decode) {
  decode_loop(state, update_event(), 1, decode,
              [](const Event& e) { return e.status ? std::size_t{1} : std::size_t{0}; });
}

// on_record's decoding of any event but OFFERS: a JsonDocument, then read.
void BM_DecodeUpdateEvent(benchmark::State& state) {
  decode_update(state, [](const std::string& text, std::string& error) {
    return steward::mesos::event_from_text(text, error);
  });
}
BENCHMARK(BM_DecodeUpdateEvent);

// The same through nlohmann's tree, as it was read before.
void BM_DecodeUpdateEventThroughATree(benchmark::State& state) {
  decode_update(state, [](const std::string& text, std::string& error) {
    json j = json::parse(text, nullptr, false);
    return steward::mesos::event_from_json(j, error);
  });
}
BENCHMARK(BM_DecodeUpdateEventThroughATree);

// The first half alone: nlohmann::json parsing the text.
void BM_ParseOffersEventJson(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = offers_event(n);
  for (auto _ : state) {
    json j = json::parse(text, nullptr, false);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetComplexityN(n);
}
BENCHMARK(BM_ParseOffersEventJson)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

// The second half alone: JSON already parsed, read into Offer structs.
void BM_ReadOffersEvent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const json j = json::parse(offers_event(n));
  for (auto _ : state) {
    std::string error;
    auto event = steward::mesos::event_from_json(j, error);
    benchmark::DoNotOptimize(event);
  }
  state.SetComplexityN(n);
}
BENCHMARK(BM_ReadOffersEvent)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

// Writing the event as the master sends it: the Offer structs straight to text.
void BM_WriteOffersEvent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Event e;
  e.type = Event::Type::offers;
  for (int i = 0; i < n; ++i)
    e.offers.push_back(make_offer(i));
  for (auto _ : state) {
    std::string text = steward::mesos::event_text(e);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_WriteOffersEvent)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

// What writing cost through a JSON tree (before JsonText): a tree of the event is made (here
// copied from a parsed one, the same nodes and allocations as building it) and dumped.
void BM_WriteOffersEventThroughATree(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const json parsed = json::parse(offers_event(n));
  for (auto _ : state) {
    json tree = parsed;
    std::string text = tree.dump();
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_WriteOffersEventThroughATree)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

}  // namespace

BENCHMARK_MAIN();
