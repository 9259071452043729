#pragma once

// What the scheduler reads off its stored TaskInfos: labels, the pod instance a task belongs
// to, and the label that marks a permanently failed pod. Shared by the scheduler's files.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mesos/task_info.hpp"

namespace steward::scheduler {

inline constexpr const char* kPermanentlyFailed = "permanently-failed";

inline std::string label_of(const std::vector<mesos::Label>& labels, const std::string& key) {
  for (const mesos::Label& l : labels)
    if (l.key == key) return l.value.value_or("");
  return "";
}
inline std::string label_of(const mesos::TaskInfo& t, const std::string& key) {
  return label_of(t.labels, key);
}

// "hello-0" -> ("hello", 0); nullopt when it is not <pod>-<index>.
inline std::optional<std::pair<std::string, int>> split_instance(const std::string& instance) {
  const auto dash = instance.rfind('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  char* end = nullptr;
  const long index = std::strtol(instance.c_str() + dash + 1, &end, 10);
  if (end == instance.c_str() + dash + 1 || *end != '\0' || index < 0) return std::nullopt;
  return std::pair(instance.substr(0, dash), static_cast<int>(index));
}

// Splits "hello-0-server" with labels task_type=server, index=0 into ("hello", 0).
inline std::pair<std::string, int> pod_of(const std::string& name, const std::string& type,
                                          const std::string& index) {
  const std::string suffix = "-" + index + "-" + type;
  if (!type.empty() && name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return {name.substr(0, name.size() - suffix.size()), std::atoi(index.c_str())};
  }
  return {name, 0};
}

}  // namespace steward::scheduler
