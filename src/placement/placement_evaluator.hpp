#pragma once

// Evaluates a placement rule for one candidate agent, given where the pod type's other
// tasks already are (dcos-commons scopes rules to the pod type). Every constraint must hold;
// the verdict says which failed and why, for the offer outcome tree:
// "hostname:UNIQUE: localhost already runs hello-0-server".

#include <string>
#include <utility>
#include <vector>

#include "placement/placement_rule.hpp"

namespace steward::placement {

struct AgentFacts {
  std::string hostname;
  std::string zone;
  std::string region;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct PlacedTask {
  std::string name;  // hello-0-server
  AgentFacts agent;
};

struct PlacementVerdict {
  bool pass = true;
  std::string reason;  // for a failure: the constraint and why; for a pass: empty
};

PlacementVerdict evaluate(const PlacementRule& rule, const AgentFacts& candidate,
                          const std::vector<PlacedTask>& placed);

}  // namespace steward::placement
