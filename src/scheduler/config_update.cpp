#include "scheduler/config_update.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "scheduler/task_labels.hpp"

namespace steward::scheduler {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxShown = 80;

std::string shown(const json& v) {
  if (v.is_null()) return "(none)";
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > kMaxShown) s = s.substr(0, kMaxShown - 3) + "...";
  // Multi-line values (commands, templates) stay on one line.
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

// The name an array element goes by, if it has one.
std::optional<std::string> element_key(const json& e) {
  if (!e.is_object()) return std::nullopt;
  for (const char* k : {"name", "id", "path", "type"})
    if (auto it = e.find(k); it != e.end() && it->is_string()) return it->get<std::string>();
  return std::nullopt;
}

bool keyed(const json& a) {
  if (!a.is_array() || a.empty()) return false;
  std::set<std::string> seen;
  for (const json& e : a) {
    auto k = element_key(e);
    if (!k || !seen.insert(*k).second) return false;
  }
  return true;
}

void diff(const json& a, const json& b, const std::string& path, std::vector<std::string>& out) {
  if (a == b) return;
  // Derived from the pods' counts, which show already.
  if (path.size() >= 11 && path.compare(path.size() - 11, 11, ".step-count") == 0) return;
  const std::string prefix = path.empty() ? "" : path + ".";
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items())
      diff(v, b.contains(k) ? b.at(k) : json(), prefix + k, out);
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) diff(json(), v, prefix + k, out);
    return;
  }
  if ((keyed(a) || a.empty()) && (keyed(b) || b.empty()) && a.is_array() && b.is_array() &&
      !(a.empty() && b.empty())) {
    std::map<std::string, const json*> after;
    for (const json& f : b)
      after[*element_key(f)] = &f;
    for (const json& e : a) {
      const std::string k = *element_key(e);
      auto it = after.find(k);
      diff(e, it != after.end() ? *it->second : json(), prefix + k, out);
      if (it != after.end()) after.erase(it);
    }
    for (const json& f : b)  // new elements, in their order
      if (after.count(*element_key(f))) diff(json(), f, prefix + *element_key(f), out);
    return;
  }
  out.push_back(path + ": " + shown(a) + " -> " + shown(b));
}

std::optional<json> pod_of(const json& config, const std::string& type) {
  if (!config.is_object() || !config.contains("pods") || !config["pods"].is_array())
    return std::nullopt;
  for (const json& p : config["pods"])
    if (p.is_object() && p.value("type", "") == type) return p;
  return std::nullopt;
}

bool same_pod(const json& a_config, const json& b_config, const std::string& type) {
  auto a = pod_of(a_config, type), b = pod_of(b_config, type);
  if (!a || !b) return false;
  for (const char* key : {"count", "placement", "allow-decommission"}) {
    a->erase(key);
    b->erase(key);
  }
  return *a == *b;
}

}  // namespace

std::vector<std::string> config_changes(const std::string& old_json, const std::string& new_json) {
  std::vector<std::string> out;
  const json a = json::parse(old_json, nullptr, false);
  const json b = json::parse(new_json, nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return {"(a configuration does not parse)"};
  diff(a, b, "", out);
  return out;
}

bool same_pod_config(const std::string& old_json, const std::string& new_json,
                     const std::string& pod_type) {
  const json a = json::parse(old_json, nullptr, false);
  const json b = json::parse(new_json, nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return false;
  return same_pod(a, b, pod_type);
}

UpdatePreview preview_update(const std::string& target_json, const std::string& candidate_json,
                             const std::map<std::string, std::string>& instances,
                             const std::map<std::string, std::string>& configs) {
  UpdatePreview p;
  p.changes = config_changes(target_json, candidate_json);
  const json candidate = json::parse(candidate_json, nullptr, false);
  std::map<std::string, json> parsed;  // by config id
  std::map<std::string, std::set<int>> existing;
  for (const auto& [instance, config_id] : instances) {
    auto pod = split_instance(instance);
    if (!pod) continue;
    existing[pod->first].insert(pod->second);
    auto want = pod_of(candidate, pod->first);
    if (!want || pod->second >= want->value("count", 0)) continue;  // decommissioned
    auto c = configs.find(config_id);
    if (c == configs.end()) {
      p.restart.push_back(instance);
      continue;
    }
    auto [it, added] = parsed.try_emplace(config_id);
    if (added) it->second = json::parse(c->second, nullptr, false);
    if (!same_pod(it->second, candidate, pod->first)) p.restart.push_back(instance);
  }
  if (candidate.is_object() && candidate.contains("pods") && candidate["pods"].is_array())
    for (const json& pod : candidate["pods"]) {
      const std::string type = pod.value("type", "");
      for (int i = 0; i < pod.value("count", 0); ++i)
        if (!existing[type].count(i)) p.deploy.push_back(type + "-" + std::to_string(i));
    }
  // Decommission order: pod types in reverse order of the running configuration, highest
  // index first.
  const json target = json::parse(target_json, nullptr, false);
  std::vector<std::string> order;
  if (target.is_object() && target.contains("pods") && target["pods"].is_array())
    for (const json& pod : target["pods"])
      order.push_back(pod.value("type", ""));
  for (const auto& [type, indices] : existing)
    if (std::find(order.begin(), order.end(), type) == order.end()) order.push_back(type);
  for (auto type = order.rbegin(); type != order.rend(); ++type) {
    auto want = pod_of(candidate, *type);
    const int count = want ? want->value("count", 0) : 0;
    const auto& have = existing[*type];
    for (auto i = have.rbegin(); i != have.rend(); ++i)
      if (*i >= count) p.decommission.push_back(*type + "-" + std::to_string(*i));
  }
  // hello-2 before hello-10.
  auto natural = [](const std::string& a, const std::string& b) {
    auto x = split_instance(a), y = split_instance(b);
    return x && y ? *x < *y : a < b;
  };
  std::sort(p.restart.begin(), p.restart.end(), natural);
  return p;
}

}  // namespace steward::scheduler
