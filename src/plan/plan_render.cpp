#include "plan/plan_render.hpp"

#include <ctime>

namespace steward::plan {

std::string format_time(std::int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string render_tree(const Plan& plan) {
  std::string out = plan.name() + " (" + plan.strategy().name() + " strategy) (" +
                    std::string(to_string(plan.status())) + ")\n";
  const auto& phases = plan.phases();
  for (std::size_t p = 0; p < phases.size(); ++p) {
    const Phase& phase = *phases[p];
    bool last_phase = p + 1 == phases.size();
    out += (last_phase ? "└─ " : "├─ ") + phase.name() + " (" + phase.strategy().name() +
           " strategy) (" + std::string(to_string(phase.status())) + ")\n";
    const auto& steps = phase.steps();
    for (std::size_t s = 0; s < steps.size(); ++s) {
      const Step& step = *steps[s];
      out += std::string(last_phase ? "   " : "│  ") + (s + 1 == steps.size() ? "└─ " : "├─ ") +
             step.name() + " (" + std::string(to_string(step.status())) + ")\n";
    }
  }
  return out;
}

}  // namespace steward::plan
