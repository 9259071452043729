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

// `plans:` (plan_spec_reader.cpp); called by read_service_spec.
void read_plan_specs(YamlDocument& doc, const YAML::Node& node, ServiceSpec& spec);

void read_service_spec(YamlDocument& doc, const YAML::Node& root, const ReadContext& ctx,
                       ServiceSpec& spec);

}  // namespace steward::spec
