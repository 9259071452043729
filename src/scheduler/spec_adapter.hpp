#pragma once

// The public SpecView / SpecEditor (include/steward/spec_view.hpp) over the internal
// ServiceSpec, and the public ConfigValidator as an internal one: how service code reaches
// the spec without our headers.

#include <memory>

#include "spec/config_validator.hpp"
#include "spec/service_spec.hpp"
#include "steward/config_validator.hpp"
#include "steward/spec_view.hpp"

namespace steward::scheduler {

class SpecAdapter : public steward::SpecEditor {
 public:
  explicit SpecAdapter(spec::ServiceSpec& spec) : spec_(&spec), view_(&spec) {}
  explicit SpecAdapter(const spec::ServiceSpec& spec) : view_(&spec) {}  // read only

  std::string service_name() const override;
  std::vector<std::string> pod_types() const override;
  int count(const std::string& pod) const override;
  std::string placement(const std::string& pod) const override;
  std::vector<std::string> tasks(const std::string& pod) const override;
  std::string cmd(const std::string& pod, const std::string& task) const override;
  std::map<std::string, std::string> env(const std::string& pod,
                                         const std::string& task) const override;
  double cpus(const std::string& pod, const std::string& task) const override;
  double memory_mb(const std::string& pod, const std::string& task) const override;
  std::map<std::string, int> ports(const std::string& pod, const std::string& task) const override;

  bool set_count(const std::string& pod, int count) override;
  bool set_placement(const std::string& pod, const std::string& placement) override;
  bool set_cmd(const std::string& pod, const std::string& task, const std::string& cmd) override;
  bool set_env(const std::string& pod, const std::string& task, const std::string& key,
               const std::string& value) override;
  bool set_port(const std::string& pod, const std::string& task, const std::string& name, int port,
                const std::string& env_key) override;

 private:
  spec::PodSpec* pod_of(const std::string& pod);
  spec::TaskSpec* task_of(const std::string& pod, const std::string& task);
  const spec::ResourceSetSpec* set_of(const std::string& pod, const std::string& task) const;
  spec::ServiceSpec* spec_ = nullptr;  // null: read only
  const spec::ServiceSpec* view_;
};

// A service's validator, run with both specs seen through SpecAdapter.
std::shared_ptr<const spec::ConfigValidator> adapt(
    std::shared_ptr<const steward::ConfigValidator> validator);

}  // namespace steward::scheduler
