#include <nlohmann/json.hpp>

#include "spec/spec_summary.hpp"

namespace steward::spec {

namespace {

using nlohmann::json;

json to_json(const VolumeSpec& v) {
  json j = {{"path", v.path}, {"type", to_string(v.type)}, {"size", v.size_mb}};
  if (!v.profiles.empty()) j["profiles"] = v.profiles;
  return j;
}

json to_json(const PortSpec& p) {
  json j = {{"port", p.port}, {"advertise", p.advertise}};
  if (!p.env_key.empty()) j["env-key"] = p.env_key;
  if (!p.ranges.empty()) {
    json ranges = json::array();
    for (const auto& r : p.ranges) {
      json range = json::object();
      if (r.begin) range["begin"] = *r.begin;
      if (r.end) range["end"] = *r.end;
      ranges.push_back(range);
    }
    j["ranges"] = ranges;
  }
  if (p.vip) j["vip"] = {{"port", p.vip->port}, {"prefix", p.vip->prefix}};
  return j;
}

json limit_json(const std::optional<ResourceLimit>& l) {
  if (!l) return nullptr;
  if (l->unlimited) return "unlimited";
  return l->value;
}

json to_json(const ResourceSetSpec& s) {
  json j = {{"id", s.id},
            {"cpus", s.cpus},
            {"gpus", s.gpus},
            {"memory", s.memory_mb},
            {"implicit", s.implicit}};
  json ports = json::object();
  for (const auto& [name, port] : s.ports)
    ports[name] = to_json(port);
  j["ports"] = ports;
  json volumes = json::array();
  for (const auto& v : s.volumes)
    volumes.push_back(to_json(v));
  j["volumes"] = volumes;
  if (s.limits.cpus || s.limits.memory_mb) {
    j["resource-limits"] = {{"cpus", limit_json(s.limits.cpus)},
                            {"memory", limit_json(s.limits.memory_mb)}};
  }
  return j;
}

json to_json(const TaskSpec& t) {
  json j = {{"name", t.name},
            {"goal", to_string(t.goal)},
            {"essential", t.essential},
            {"cmd", t.cmd},
            {"resource-set", t.resource_set},
            {"kill-grace-period", t.kill_grace_period_s}};
  json env = json::object();
  for (const auto& [k, v] : t.env)
    env[k] = v;
  j["env"] = env;
  json labels = json::object();
  for (const auto& [k, v] : t.labels)
    labels[k] = v;
  j["labels"] = labels;
  json configs = json::object();
  for (const auto& c : t.configs)
    configs[c.name] = {{"template", c.template_path}, {"dest", c.dest}};
  j["configs"] = configs;
  if (t.health_check) {
    const auto& h = *t.health_check;
    j["health-check"] = {{"cmd", h.cmd},
                         {"interval", h.interval_s},
                         {"grace-period", h.grace_period_s},
                         {"max-consecutive-failures", h.max_consecutive_failures},
                         {"delay", h.delay_s},
                         {"timeout", h.timeout_s}};
  }
  if (t.readiness_check) {
    const auto& r = *t.readiness_check;
    j["readiness-check"] = {
        {"cmd", r.cmd}, {"interval", r.interval_s}, {"delay", r.delay_s}, {"timeout", r.timeout_s}};
  }
  if (t.discovery) {
    j["discovery"] = {{"prefix", t.discovery->prefix},
                      {"visibility", to_string(t.discovery->visibility)}};
  }
  return j;
}

json to_json(const PodSpec& p) {
  json j = {{"type", p.type},
            {"count", p.count},
            {"placement", p.placement_text},
            {"allow-decommission", p.allow_decommission},
            {"pre-reserved-role", p.pre_reserved_role},
            {"uris", p.uris},
            {"share-pid-namespace", p.share_pid_namespace},
            {"user", p.user}};
  json volumes = json::array();
  for (const auto& v : p.volumes)
    volumes.push_back(to_json(v));
  j["volumes"] = volumes;
  json rlimits = json::object();
  for (const auto& r : p.rlimits) {
    rlimits[r.name] = {{"soft", r.soft ? json(*r.soft) : json(nullptr)},
                       {"hard", r.hard ? json(*r.hard) : json(nullptr)}};
  }
  j["rlimits"] = rlimits;
  json secrets = json::object();
  for (const auto& s : p.secrets)
    secrets[s.name] = {{"secret", s.source}, {"env-key", s.env_key}, {"file", s.file}};
  j["secrets"] = secrets;
  json host_volumes = json::object();
  for (const auto& h : p.host_volumes) {
    host_volumes[h.name] = {{"host-path", h.host_path},
                            {"container-path", h.container_path},
                            {"mode", to_string(h.mode)}};
  }
  j["host-volumes"] = host_volumes;
  json sets = json::array();
  for (const auto& s : p.resource_sets)
    sets.push_back(to_json(s));
  j["resource-sets"] = sets;
  json tasks = json::array();
  for (const auto& t : p.tasks)
    tasks.push_back(to_json(t));
  j["tasks"] = tasks;
  return j;
}

}  // namespace

std::string to_json(const ServiceSpec& spec, int indent) {
  json j = {{"name", spec.name},
            {"web-url", spec.web_url},
            {"scheduler",
             {{"principal", spec.scheduler.principal},
              {"user", spec.scheduler.user},
              {"zookeeper", spec.scheduler.zookeeper}}}};
  if (spec.replacement_failure_policy) {
    j["replacement-failure-policy"] = {
        {"permanent-failure-timeout-secs",
         spec.replacement_failure_policy->permanent_failure_timeout_s},
        {"min-replace-delay-secs", spec.replacement_failure_policy->min_replace_delay_s}};
  }
  json pods = json::array();
  for (const auto& p : spec.pods)
    pods.push_back(to_json(p));
  j["pods"] = pods;
  json plans = json::array();
  for (const auto& plan : spec.plans) {
    json phases = json::array();
    for (const auto& phase : plan.phases) {
      json ph = {{"name", phase.name},
                 {"strategy", to_string(phase.strategy)},
                 {"pod", phase.pod},
                 {"step-count", count_steps(spec, phase)}};
      if (phase.steps) {
        json steps = json::array();
        for (const auto& e : *phase.steps) {
          steps.push_back({{e.index ? std::to_string(*e.index) : std::string("default"), e.steps}});
        }
        ph["steps"] = steps;
      }
      phases.push_back(ph);
    }
    plans.push_back(
        {{"name", plan.name}, {"strategy", to_string(plan.strategy)}, {"phases", phases}});
  }
  j["plans"] = plans;
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace steward::spec
