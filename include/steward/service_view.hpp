#pragma once

// What custom code may read of a running service: an immutable snapshot taken on the
// scheduler's event loop and handed to the code, which runs on another thread (a REST worker,
// a plan step's own thread). Plain data; only the standard library is included.

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace steward {

struct TaskView {
  std::string name;      // "hello-0-server"
  std::string pod;       // "hello-0"
  std::string pod_type;  // "hello"
  int index = 0;
  std::string task;     // "server"
  std::string task_id;  // "" until launched
  std::string state;    // "TASK_RUNNING", "" when no status is known
  bool ready = false;   // running with its readiness check passed (or none)
  std::string agent_id;
  std::string hostname;
  std::map<std::string, int> ports;  // port name -> number
  std::map<std::string, std::string> env;
};

struct PlanView {
  std::string name;
  std::string status;  // "COMPLETE", "IN_PROGRESS", ...
};

struct ServiceView {
  std::string service_name;
  std::string config_id;  // the target configuration
  std::vector<TaskView> tasks;
  std::vector<PlanView> plans;
  std::map<std::string, std::string> properties;  // the service's own (PropertyStore) keys
  // The tasks of one pod type, by index then name.
  std::vector<const TaskView*> tasks_of(const std::string& pod_type) const {
    std::vector<const TaskView*> out;
    for (const TaskView& t : tasks)
      if (t.pod_type == pod_type) out.push_back(&t);
    std::sort(out.begin(), out.end(), [](const TaskView* a, const TaskView* b) {
      return a->index != b->index ? a->index < b->index : a->name < b->name;
    });
    return out;
  }
};

// Durable key-value state of the service's own (kept in the service's state store, apart
// from the scheduler's keys). Thread-safe; every set is on disk when it returns.
class PropertyStore {
 public:
  virtual ~PropertyStore() = default;
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual void erase(const std::string& key) = 0;
  virtual std::vector<std::string> keys() const = 0;
};

}  // namespace steward
