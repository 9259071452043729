#include <string>

#include "common/strings.hpp"
#include "spec/spec_reader.hpp"

namespace steward::spec {

namespace {

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::optional<Strategy> read_strategy(YamlDocument& doc, const YAML::Node& node,
                                      const std::string& path, bool phase_level) {
  auto v = doc.string(node, path);
  if (!v) return std::nullopt;
  std::string s = to_lower(*v);
  if (s == "serial") return Strategy::serial;
  if (s == "parallel") return Strategy::parallel;
  if (s == "serial-canary" || s == "canary" || s == "parallel-canary") {
    if (!phase_level) {
      doc.error(node, path, "canary strategies apply to phases, not to whole plans",
                "set the strategy on the phase and use serial or parallel for the plan");
      return std::nullopt;
    }
    return s == "parallel-canary" ? Strategy::parallel_canary : Strategy::serial_canary;
  }
  if (s == "dependency") {
    doc.error(node, path, "the dependency strategy is built in C++, not written in YAML",
              "use serial, parallel, serial-canary or parallel-canary");
    return std::nullopt;
  }
  std::vector<std::string> names = {"serial", "parallel"};
  if (phase_level) {
    names.insert(names.end(), {"serial-canary", "canary", "parallel-canary"});
  }
  auto near = closest_match(s, names);
  doc.error(node, path, "unknown strategy " + quote(*v),
            near ? "did you mean " + *near + "?" : "use " + join_alternatives(names));
  return std::nullopt;
}

void read_phase(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                PhaseSpec& phase) {
  auto f = doc.fields(node, path, {"strategy", "pod", "steps"});
  if (!f) return;
  if (f->has("strategy")) {
    if (auto s = read_strategy(doc, f->get("strategy"), f->path("strategy"), true))
      phase.strategy = *s;
  }
  if (f->has("pod")) {
    if (auto v = doc.string(f->get("pod"), f->path("pod"))) phase.pod = *v;
  } else {
    doc.missing(f->path("pod"), "is required", "name the pod type this phase deploys");
  }
  if (!f->has("steps")) return;
  YAML::Node steps = f->get("steps");
  if (!doc.is_sequence(steps, f->path("steps"), "`- <index>: [[task, ...], ...]` entries")) return;
  std::vector<StepsEntry> entries;
  const std::vector<YAML::Node> step_nodes = YamlDocument::elements(steps);
  for (std::size_t i = 0; i < step_nodes.size(); ++i) {
    const std::string epath = index_path(f->path("steps"), i);
    const YAML::Node& entry_node = step_nodes[i];
    auto entry = doc.entries(entry_node, epath);
    if (!entry) continue;
    if (entry->size() != 1) {
      doc.error(entry_node, epath,
                "each steps entry must have exactly one key (a pod index or default)",
                "split it into one `- <index>: [[task]]` entry per index");
      continue;
    }
    const auto& [key, value] = entry->front();
    StepsEntry se;
    doc.record(epath, entry_node);
    if (key != "default") {
      auto index = parse_int(key);
      if (!index || *index < 0 || *index > 100000) {
        doc.error(entry_node, epath,
                  "key must be a pod index (0, 1, ...) or default, got " + quote(key));
        continue;
      }
      se.index = static_cast<int>(*index);
    }
    const std::string vpath = epath + "." + key;
    if (!doc.is_sequence(value, vpath, "steps, each a list of task names")) continue;
    const std::vector<YAML::Node> step_list = YamlDocument::elements(value);
    for (std::size_t s = 0; s < step_list.size(); ++s) {
      const std::string spath = index_path(vpath, s);
      if (!doc.is_sequence(step_list[s], spath, "task names")) continue;
      if (step_list[s].size() == 0) {
        doc.error(step_list[s], spath, "a step must launch at least one task",
                  "name the tasks, e.g. [server]");
        continue;
      }
      if (auto names = doc.string_list(step_list[s], spath)) se.steps.push_back(*names);
    }
    entries.push_back(std::move(se));
  }
  phase.steps = std::move(entries);
}

}  // namespace

void read_plan_specs(YamlDocument& doc, const YAML::Node& node, ServiceSpec& spec) {
  auto plans = doc.entries(node, "plans");
  if (!plans) return;
  for (const auto& [name, plan_node] : *plans) {
    PlanSpec plan;
    plan.name = name;
    const std::string path = "plans." + name;
    auto f = doc.fields(plan_node, path, {"strategy", "phases"});
    if (!f) continue;
    if (f->has("strategy")) {
      if (auto s = read_strategy(doc, f->get("strategy"), f->path("strategy"), false))
        plan.strategy = *s;
    }
    if (!f->has("phases")) {
      doc.missing(f->path("phases"), "is required", "a plan needs at least one phase");
    } else if (auto phases = doc.entries(f->get("phases"), f->path("phases"))) {
      for (const auto& [phase_name, phase_node] : *phases) {
        PhaseSpec phase;
        phase.name = phase_name;
        read_phase(doc, phase_node, f->path("phases") + "." + phase_name, phase);
        plan.phases.push_back(std::move(phase));
      }
    }
    spec.plans.push_back(std::move(plan));
  }
}

}  // namespace steward::spec
