#pragma once

// Turns the parsed YAML tree of svc.yml into a ServiceSpec, checking each field's shape
// and range where it is read (so the error points at the value). Checks that span
// several fields live in SpecValidator.

#include <map>
#include <string>

#include "spec/service_spec.hpp"
#include "spec/yaml_fields.hpp"

namespace steward::spec {

struct ReadContext {
  std::string base_dir;                    // config templates and secrets resolve here
  std::map<std::string, std::string> env;  // for TASKCFG_* routing
};

// Pieces of read_service_spec, each in its own file; not for use elsewhere.
// pod_extras_reader.cpp:
bool check_sandbox_path(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                        const std::string& value);
void read_labels(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                 const std::string& text, TaskSpec& task);
void read_configs(YamlDocument& doc, const std::string& base_dir, const YAML::Node& node,
                  const std::string& path, TaskSpec& task);
void read_health(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                 TaskSpec& task);
void read_readiness(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                    TaskSpec& task);
void read_discovery(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                    TaskSpec& task);
void read_rlimits(YamlDocument& doc, const YAML::Node& node, const std::string& path, PodSpec& pod);
void read_secrets(YamlDocument& doc, const std::string& base_dir, const YAML::Node& node,
                  const std::string& path, PodSpec& pod);
void read_host_volumes(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                       PodSpec& pod);
// plan_spec_reader.cpp:
void read_plan_specs(YamlDocument& doc, const YAML::Node& node, ServiceSpec& spec);

void read_service_spec(YamlDocument& doc, const YAML::Node& root, const ReadContext& ctx,
                       ServiceSpec& spec);

}  // namespace steward::spec
