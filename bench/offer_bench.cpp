// Offer evaluation: what one pending pod costs per offer of a pass. The scheduler tries each
// step against the offers in turn until one fits (ServiceScheduler::try_launch), keeping the
// outcome of every evaluation for the debug endpoint, so a step that waits for a rare agent
// pays for every offer before it. Here the pod fits only the last of N offers. And the ACCEPT
// of a launch pass, decoded as the embedded master does.

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/json_document.hpp"
#include "common/uuid.hpp"
#include "decode_loop.hpp"
#include "mesos/task_info_json.hpp"
#include "offer/pod_launch_evaluator.hpp"
#include "spec/spec_loader.hpp"

namespace {

using steward::mesos::Offer;
using steward::mesos::Resource;
using steward::mesos::ValueRange;
namespace offer = steward::offer;
namespace spec = steward::spec;

constexpr const char* kRole = "bench-role";

// One pod of one task: 1 cpu, 1024 MB and a dynamic port (plus the executor's overhead).
spec::ServiceSpec load(const std::string& placement) {
  std::string text = "name: bench\npods:\n  app:\n    count: 1\n";
  if (!placement.empty()) text += "    placement: '" + placement + "'\n";
  text +=
      "    tasks:\n      server:\n        goal: RUNNING\n        cmd: ./run\n        cpus: 1\n"
      "        memory: 1024\n        ports:\n          http:\n            port: 0\n";
  auto result = spec::load_spec_text(text, "bench.yml", ".", spec::LoadOptions{});
  if (!result.ok()) throw std::runtime_error("the benchmark spec did not load");
  return std::move(*result.spec);
}

Resource scalar(const std::string& name, double value) {
  Resource r;
  r.name = name;
  r.scalar = value;
  r.allocation_role = kRole;
  return r;
}

// An agent's whole free share, as the embedded master offers it (MULTI_ROLE framework).
Offer make_offer(int i, double cpus, double mem) {
  Offer o;
  o.id = "M-O" + std::to_string(i);
  o.framework_id = "F";
  o.agent_id = "S" + std::to_string(i);
  o.hostname = "agent-" + std::to_string(i);
  o.allocation_role = kRole;
  o.resources = {scalar("cpus", cpus), scalar("mem", mem), scalar("disk", 100000)};
  Resource ports;
  ports.name = "ports";
  ports.type = Resource::Type::ranges;
  ports.ranges = {ValueRange{31000, 31999}};
  ports.allocation_role = kRole;
  o.resources.push_back(ports);
  o.attributes = {{"rack", "rack-" + std::to_string(i % 20), std::nullopt}};
  o.zone = "zone-" + std::to_string(i % 3);
  o.region = "region-1";
  return o;
}

offer::PodLaunchContext context() {
  offer::PodLaunchContext ctx;
  ctx.service_name = "bench";
  ctx.framework_id = "F";
  ctx.config_id = "C1";
  ctx.role = kRole;
  ctx.principal = "bench-principal";
  ctx.new_id = [] { return steward::new_id(); };  // as the scheduler does
  return ctx;
}

// The loop of try_launch: evaluate in order, keep each outcome, stop at the first fit.
bool launch_on_first_fit(const offer::PodLaunchRequest& req, const std::vector<Offer>& offers,
                         const offer::PodLaunchContext& ctx) {
  offer::Outcome summary{"deploy step", false, "", {}};
  for (const Offer& o : offers) {
    offer::PodLaunchEvaluation e = offer::evaluate_pod_launch(req, o, ctx);
    summary.children.push_back(e.outcome);
    if (e.launch) {
      benchmark::DoNotOptimize(summary);
      return true;
    }
  }
  return false;
}

// N offers; the first N-1 are too small (0.5 cpus, 512 MB), the last one fits.
void BM_EvaluateOffers(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const spec::ServiceSpec svc = load("");
  std::vector<Offer> offers;
  for (int i = 0; i + 1 < n; ++i)
    offers.push_back(make_offer(i, 0.5, 512));
  offers.push_back(make_offer(n - 1, 8, 32768));
  offer::PodLaunchRequest req;
  req.pod = &svc.pods.front();
  req.index = 0;
  req.tasks = {"server"};
  req.executor_live = false;
  const offer::PodLaunchContext ctx = context();
  for (auto _ : state)
    if (!launch_on_first_fit(req, offers, ctx)) state.SkipWithError("the last offer did not fit");
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_EvaluateOffers)->Arg(1)->Arg(100)->Arg(10000)->Complexity();

// Deploying instance N-1 of a `hostname:UNIQUE` pod: the other N-1 instances run on the
// agents of the first N-1 offers (one each), so placement refuses those and only the last
// agent is free. Every offer is large enough; placement does the refusing.
void BM_EvaluateOffersUnique(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const spec::ServiceSpec svc = load("hostname:UNIQUE");
  std::vector<Offer> offers;
  for (int i = 0; i < n; ++i)
    offers.push_back(make_offer(i, 8, 32768));
  offer::PodLaunchRequest req;
  req.pod = &svc.pods.front();
  req.index = n - 1;
  req.tasks = {"server"};
  req.executor_live = false;
  for (int i = 0; i + 1 < n; ++i) {
    steward::placement::PlacedTask p;
    p.name = "app-" + std::to_string(i) + "-server";
    p.agent = offer::agent_facts(offers[static_cast<std::size_t>(i)]);
    req.placed.push_back(std::move(p));
  }
  const offer::PodLaunchContext ctx = context();
  for (auto _ : state)
    if (!launch_on_first_fit(req, offers, ctx)) state.SkipWithError("the last offer did not fit");
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_EvaluateOffersUnique)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->Complexity();

// The ACCEPT of a launch pass that placed N pods (each one's RESERVE and LAUNCH_GROUP, as
// evaluate_pod_launch makes them), as the scheduler writes it: what the embedded master
// decodes for each pass (250 pods at most by default).
steward::mesos::AcceptCall accept_call_of(int n) {
  const spec::ServiceSpec svc = load("");
  const offer::PodLaunchContext ctx = context();
  steward::mesos::AcceptCall accept;
  accept.framework_id = "F";
  for (int i = 0; i < n; ++i) {
    offer::PodLaunchRequest req;
    req.pod = &svc.pods.front();
    req.index = i;
    req.tasks = {"server"};
    req.executor_live = false;
    const Offer o = make_offer(i, 8, 32768);
    offer::PodLaunchEvaluation e = offer::evaluate_pod_launch(req, o, ctx);
    if (!e.launch) throw std::runtime_error("the pod did not fit");
    accept.offer_ids.push_back(o.id);
    for (auto& op : e.launch->operations)
      accept.operations.push_back(std::move(op));
  }
  return accept;
}
std::string accept_of(int n) {
  return steward::mesos::accept_text(accept_call_of(n));
}

// The scheduler's side: the ACCEPT of N pods written as text (`accept_text`), as each launch
// pass sends it.
void BM_AcceptText(benchmark::State& state) {
  const steward::mesos::AcceptCall accept = accept_call_of(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = steward::mesos::accept_text(accept);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_AcceptText)->Arg(1)->Arg(50)->Arg(250)->Complexity();

// Decodes the ACCEPT of N pods with `decode` (text to AcceptCall).
template <typename Decode>
void decode_accept(benchmark::State& state, Decode decode) {
  const auto n = static_cast<std::size_t>(state.range(0));
  decode_loop(state, accept_of(static_cast<int>(n)), n, decode,
              [](const steward::mesos::AcceptCall& a) { return a.offer_ids.size(); });
}

// As the embedded master reads it: the text parsed into a JsonDocument, then read.
void BM_DecodeAcceptCall(benchmark::State& state) {
  decode_accept(state, [](const std::string& text, std::string& error) {
    steward::JsonDocument doc;
    if (!doc.parse(text)) error = doc.error();
    return steward::mesos::accept_from_json(doc.root(), error);
  });
}
BENCHMARK(BM_DecodeAcceptCall)->Arg(1)->Arg(50)->Arg(250)->Complexity();

// The same through nlohmann's tree, as it read it before.
void BM_DecodeAcceptCallThroughATree(benchmark::State& state) {
  decode_accept(state, [](const std::string& text, std::string& error) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    return steward::mesos::accept_from_json(j, error);
  });
}
BENCHMARK(BM_DecodeAcceptCallThroughATree)->Arg(1)->Arg(50)->Arg(250)->Complexity();

}  // namespace

BENCHMARK_MAIN();
