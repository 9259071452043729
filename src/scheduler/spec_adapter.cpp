#include "scheduler/spec_adapter.hpp"

#include <algorithm>

namespace steward::scheduler {

std::string SpecAdapter::service_name() const {
  return view_->name;
}

std::vector<std::string> SpecAdapter::pod_types() const {
  std::vector<std::string> out;
  for (const spec::PodSpec& p : view_->pods)
    out.push_back(p.type);
  return out;
}

int SpecAdapter::count(const std::string& pod) const {
  const spec::PodSpec* p = view_->find_pod(pod);
  return p ? p->count : 0;
}

std::string SpecAdapter::placement(const std::string& pod) const {
  const spec::PodSpec* p = view_->find_pod(pod);
  return p ? p->placement_text : "";
}

std::vector<std::string> SpecAdapter::tasks(const std::string& pod) const {
  std::vector<std::string> out;
  if (const spec::PodSpec* p = view_->find_pod(pod))
    for (const spec::TaskSpec& t : p->tasks)
      out.push_back(t.name);
  return out;
}

std::string SpecAdapter::cmd(const std::string& pod, const std::string& task) const {
  const spec::PodSpec* p = view_->find_pod(pod);
  const spec::TaskSpec* t = p ? p->find_task(task) : nullptr;
  return t ? t->cmd : "";
}

std::map<std::string, std::string> SpecAdapter::env(const std::string& pod,
                                                    const std::string& task) const {
  std::map<std::string, std::string> out;
  const spec::PodSpec* p = view_->find_pod(pod);
  if (const spec::TaskSpec* t = p ? p->find_task(task) : nullptr)
    for (const auto& [k, v] : t->env)
      out[k] = v;
  return out;
}

const spec::ResourceSetSpec* SpecAdapter::set_of(const std::string& pod,
                                                 const std::string& task) const {
  const spec::PodSpec* p = view_->find_pod(pod);
  const spec::TaskSpec* t = p ? p->find_task(task) : nullptr;
  return t ? p->find_resource_set(t->resource_set) : nullptr;
}

double SpecAdapter::cpus(const std::string& pod, const std::string& task) const {
  const spec::ResourceSetSpec* s = set_of(pod, task);
  return s ? s->cpus : 0;
}

double SpecAdapter::memory_mb(const std::string& pod, const std::string& task) const {
  const spec::ResourceSetSpec* s = set_of(pod, task);
  return s ? s->memory_mb : 0;
}

std::map<std::string, int> SpecAdapter::ports(const std::string& pod,
                                              const std::string& task) const {
  std::map<std::string, int> out;
  if (const spec::ResourceSetSpec* s = set_of(pod, task))
    for (const auto& [name, port] : s->ports)
      out[name] = port.port;
  return out;
}

spec::PodSpec* SpecAdapter::pod_of(const std::string& pod) {
  if (spec_ == nullptr) return nullptr;
  for (spec::PodSpec& p : spec_->pods)
    if (p.type == pod) return &p;
  return nullptr;
}

spec::TaskSpec* SpecAdapter::task_of(const std::string& pod, const std::string& task) {
  spec::PodSpec* p = pod_of(pod);
  if (p == nullptr) return nullptr;
  for (spec::TaskSpec& t : p->tasks)
    if (t.name == task) return &t;
  return nullptr;
}

bool SpecAdapter::set_count(const std::string& pod, int count) {
  spec::PodSpec* p = pod_of(pod);
  if (p == nullptr) return false;
  p->count = count;
  return true;
}

bool SpecAdapter::set_placement(const std::string& pod, const std::string& placement) {
  spec::PodSpec* p = pod_of(pod);
  if (p == nullptr) return false;
  p->placement_text = placement;  // parsed (and checked) by the validation that follows
  p->placement = {};
  return true;
}

bool SpecAdapter::set_cmd(const std::string& pod, const std::string& task, const std::string& cmd) {
  spec::TaskSpec* t = task_of(pod, task);
  if (t == nullptr) return false;
  t->cmd = cmd;
  return true;
}

bool SpecAdapter::set_env(const std::string& pod, const std::string& task, const std::string& key,
                          const std::string& value) {
  spec::PodSpec* p = pod_of(pod);
  if (p == nullptr) return false;
  bool any = false;
  for (spec::TaskSpec& t : p->tasks) {
    if (!task.empty() && t.name != task) continue;
    auto it =
        std::find_if(t.env.begin(), t.env.end(), [&](const auto& e) { return e.first == key; });
    if (it != t.env.end())
      it->second = value;
    else
      t.env.emplace_back(key, value);
    any = true;
  }
  return any;
}

bool SpecAdapter::set_port(const std::string& pod, const std::string& task, const std::string& name,
                           int port, const std::string& env_key) {
  spec::PodSpec* p = pod_of(pod);
  spec::TaskSpec* t = task_of(pod, task);
  if (p == nullptr || t == nullptr) return false;
  for (spec::ResourceSetSpec& s : p->resource_sets) {
    if (s.id != t->resource_set) continue;
    auto it = std::find_if(s.ports.begin(), s.ports.end(),
                           [&](const auto& e) { return e.first == name; });
    if (it == s.ports.end()) {
      s.ports.emplace_back(name, spec::PortSpec{});
      it = std::prev(s.ports.end());
      it->second.name = name;
    }
    it->second.port = port;
    if (!env_key.empty()) it->second.env_key = env_key;
    return true;
  }
  return false;
}

namespace {

class AdaptedValidator : public spec::ConfigValidator {
 public:
  explicit AdaptedValidator(std::shared_ptr<const steward::ConfigValidator> v) : v_(std::move(v)) {}
  std::vector<spec::ConfigError> validate(const spec::ServiceSpec& old_target,
                                          const spec::ServiceSpec& candidate) const override {
    const SpecAdapter before(old_target), after(candidate);
    std::vector<spec::ConfigError> out;
    try {
      for (steward::ValidationError& e : v_->validate(before, after))
        out.push_back({std::move(e.field), std::move(e.message)});
    } catch (const std::exception& e) {
      // A validator that cannot decide refuses: the running configuration stays.
      out.push_back({"", std::string("a service validator failed: ") + e.what()});
    }
    return out;
  }

 private:
  std::shared_ptr<const steward::ConfigValidator> v_;
};

}  // namespace

std::shared_ptr<const spec::ConfigValidator> adapt(
    std::shared_ptr<const steward::ConfigValidator> validator) {
  return std::make_shared<AdaptedValidator>(std::move(validator));
}

}  // namespace steward::scheduler
