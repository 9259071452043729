#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_coordinator.hpp"

namespace steward::plan::testing {

// A clock tests move by hand.
struct FakeClock {
  std::int64_t now = 1'700'000'000'000;
  Clock clock() {
    return [this] { return now; };
  }
};

// Records what it was asked to start; the test then drives statuses.
struct RecordingExecutor : StepExecutor {
  std::vector<Step*> started;
  void start(Step& step) override { started.push_back(&step); }
};

inline std::unique_ptr<Phase> phase_of(const std::string& name, const std::string& pod, int count,
                                       Strategy strategy, const Clock& clock) {
  std::vector<std::unique_ptr<Step>> steps;
  for (int i = 0; i < count; ++i) {
    steps.push_back(std::make_unique<Step>(pod + "-" + std::to_string(i) + ":[server]", pod, i,
                                           std::vector<std::string>{"server"}, clock));
  }
  return std::make_unique<Phase>(name, std::move(steps), std::move(strategy), clock);
}

inline std::vector<std::string> names(const std::vector<Step*>& steps) {
  std::vector<std::string> out;
  for (const Step* s : steps)
    out.push_back(s->name());
  return out;
}

}  // namespace steward::plan::testing
