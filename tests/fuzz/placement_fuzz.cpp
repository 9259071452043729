// libFuzzer harness for the placement parser; `./dev fuzz` builds and runs it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "placement/placement_evaluator.hpp"
#include "placement/placement_rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace placement = steward::placement;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const placement::PlacementParseResult result = placement::parse_placement(text);
  // A refused rule must place nothing, and a parsed one must read back the same from its
  // canonical form; either failing is a bug the fuzzer should report.
  if (!result.ok() && !result.rule.empty()) __builtin_trap();
  if (result.ok() &&
      placement::parse_placement(placement::to_string(result.rule)).rule != result.rule) {
    __builtin_trap();
  }
  // Any rule that parsed evaluates without throwing, whatever the agents look like.
  if (result.ok()) {
    const placement::AgentFacts a{"h1", "a", "local", {{"rack", "r1"}}};
    const placement::AgentFacts b{"h2", "", "", {}};
    (void)placement::evaluate(result.rule, a, {{"t0", a}, {"t1", b}});
    (void)placement::evaluate(result.rule, b, {{"t0", a}});
  }
  return 0;
}
