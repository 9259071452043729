// Readers for the parts of a pod and a task that stand on their own: labels, config
// templates, checks, discovery, rlimits, secrets and host volumes.

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/strings.hpp"
#include "spec/spec_reader.hpp"

namespace steward::spec {

namespace fs = std::filesystem;

bool check_sandbox_path(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                        const std::string& value) {
  if (value.empty()) {
    doc.error(node, path, "must not be empty");
    return false;
  }
  if (value.front() == '/') {
    doc.error(node, path, "must be relative to the task sandbox, got " + quote(value),
              "drop the leading '/'");
    return false;
  }
  for (const auto& part : fs::path(value)) {
    if (part == "..") {
      doc.error(node, path, "must stay inside the task sandbox, got " + quote(value),
                "remove the '..' components");
      return false;
    }
  }
  return true;
}

namespace {

void read_template_file(YamlDocument& doc, const std::string& base_dir, const YAML::Node& node,
                        const std::string& path, ConfigFileSpec& config) {
  fs::path file = config.template_path;
  if (file.is_relative()) file = fs::path(base_dir) / file;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    doc.error(node, path, "template file " + quote(config.template_path) + " does not exist",
              "paths are relative to the folder of the spec file");
    return;
  }
  constexpr std::uintmax_t kMaxTemplate = 4 * 1024 * 1024;
  if (fs::file_size(file, ec) > kMaxTemplate) {
    doc.error(node, path, "template file " + quote(config.template_path) + " is larger than 4 MiB");
    return;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    doc.error(node, path, "template file " + quote(config.template_path) + " cannot be read");
    return;
  }
  config.content = text.str();
}

void required_string(YamlDocument& doc, const YamlFields& f, const char* key, std::string& out) {
  if (!f.has(key)) {
    doc.missing(f.path(key), "is required");
    return;
  }
  if (auto v = doc.string(f.get(key), f.path(key))) {
    out = *v;
    if (trim(out).empty()) doc.error(f.get(key), f.path(key), "must not be empty");
  }
}

void required_seconds(YamlDocument& doc, const YamlFields& f, const char* key, double& out,
                      bool positive) {
  if (!f.has(key)) {
    doc.missing(f.path(key), "is required", "give a number of seconds");
    return;
  }
  if (auto v = doc.number(f.get(key), f.path(key), 0, positive)) out = *v;
}

}  // namespace

void read_labels(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                 const std::string& text, TaskSpec& task) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::string_view kv = trim(item);
    if (kv.empty()) continue;
    auto colon = kv.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      doc.error(node, path, "label " + quote(kv) + " is not key:value",
                "write labels as `key1:value1,key2:value2`");
      continue;
    }
    task.labels.emplace_back(std::string(trim(kv.substr(0, colon))),
                             std::string(trim(kv.substr(colon + 1))));
  }
}

void read_configs(YamlDocument& doc, const std::string& base_dir, const YAML::Node& node,
                  const std::string& path, TaskSpec& task) {
  auto entries = doc.entries(node, path);
  if (!entries) return;
  for (const auto& [name, config_node] : *entries) {
    const std::string cpath = path + "." + name;
    auto f = doc.fields(config_node, cpath, {"template", "dest"});
    if (!f) continue;
    ConfigFileSpec config;
    config.name = name;
    if (f->has("template")) {
      if (auto v = doc.string(f->get("template"), f->path("template"))) {
        config.template_path = *v;
        read_template_file(doc, base_dir, f->get("template"), f->path("template"), config);
      }
    } else {
      doc.missing(f->path("template"), "is required",
                  "name the template file, relative to the spec");
    }
    if (f->has("dest")) {
      if (auto v = doc.string(f->get("dest"), f->path("dest"))) {
        config.dest = *v;
        check_sandbox_path(doc, f->get("dest"), f->path("dest"), config.dest);
      }
    } else {
      doc.missing(f->path("dest"), "is required",
                  "give the path the rendered file is written to in the sandbox");
    }
    task.configs.push_back(std::move(config));
  }
}

void read_health(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                 TaskSpec& task) {
  auto f = doc.fields(
      node, path,
      {"cmd", "interval", "grace-period", "max-consecutive-failures", "delay", "timeout"});
  if (!f) return;
  HealthCheckSpec check;
  required_string(doc, *f, "cmd", check.cmd);
  required_seconds(doc, *f, "interval", check.interval_s, true);
  required_seconds(doc, *f, "grace-period", check.grace_period_s, false);
  required_seconds(doc, *f, "timeout", check.timeout_s, true);
  if (f->has("delay")) {
    if (auto v = doc.number(f->get("delay"), f->path("delay"), 0, false)) check.delay_s = *v;
  }
  if (f->has("max-consecutive-failures")) {
    auto key = "max-consecutive-failures";
    if (auto v = doc.integer(f->get(key), f->path(key), 1, 1000000)) {
      check.max_consecutive_failures = static_cast<int>(*v);
    }
  } else {
    doc.missing(f->path("max-consecutive-failures"), "is required",
                "say how many failures in a row kill the task, e.g. 3");
  }
  task.health_check = check;
}

void read_readiness(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                    TaskSpec& task) {
  auto f = doc.fields(node, path, {"cmd", "interval", "delay", "timeout"});
  if (!f) return;
  ReadinessCheckSpec check;
  required_string(doc, *f, "cmd", check.cmd);
  required_seconds(doc, *f, "interval", check.interval_s, true);
  required_seconds(doc, *f, "timeout", check.timeout_s, true);
  if (f->has("delay")) {
    if (auto v = doc.number(f->get("delay"), f->path("delay"), 0, false)) check.delay_s = *v;
  }
  task.readiness_check = check;
}

void read_discovery(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                    TaskSpec& task) {
  auto f = doc.fields(node, path, {"prefix", "visibility"});
  if (!f) return;
  DiscoverySpec d;
  if (f->has("prefix")) {
    if (auto v = doc.string(f->get("prefix"), f->path("prefix"))) d.prefix = *v;
  }
  if (f->has("visibility")) {
    if (auto v = doc.string(f->get("visibility"), f->path("visibility"))) {
      if (iequals(*v, "FRAMEWORK")) {
        d.visibility = DiscoveryVisibility::framework;
      } else if (iequals(*v, "CLUSTER")) {
        d.visibility = DiscoveryVisibility::cluster;
      } else if (iequals(*v, "EXTERNAL")) {
        d.visibility = DiscoveryVisibility::external;
      } else {
        doc.error(f->get("visibility"), f->path("visibility"),
                  "must be FRAMEWORK, CLUSTER or EXTERNAL, got " + quote(*v));
      }
    }
  }
  task.discovery = d;
}

void read_rlimits(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                  PodSpec& pod) {
  auto entries = doc.entries(node, path);
  if (!entries) return;
  for (const auto& [name, limit_node] : *entries) {
    RLimitSpec limit;
    limit.name = name;
    const std::string lpath = path + "." + name;
    if (!limit_node.IsNull()) {
      auto f = doc.fields(limit_node, lpath, {"soft", "hard"});
      if (!f) continue;
      constexpr long long kMax = std::numeric_limits<long long>::max();
      if (f->has("soft")) {
        if (auto v = doc.integer(f->get("soft"), f->path("soft"), 0, kMax)) limit.soft = *v;
      }
      if (f->has("hard")) {
        if (auto v = doc.integer(f->get("hard"), f->path("hard"), 0, kMax)) limit.hard = *v;
      }
    }
    pod.rlimits.push_back(limit);
  }
}

void read_secrets(YamlDocument& doc, const std::string& base_dir, const YAML::Node& node,
                  const std::string& path, PodSpec& pod) {
  auto entries = doc.entries(node, path);
  if (!entries) return;
  for (const auto& [name, secret_node] : *entries) {
    const std::string spath = path + "." + name;
    auto f = doc.fields(secret_node, spath, {"secret", "env-key", "file"});
    if (!f) continue;
    SecretSpec secret;
    secret.name = name;
    if (f->has("secret")) {
      if (auto v = doc.string(f->get("secret"), f->path("secret"))) {
        secret.source = *v;
        fs::path file = secret.source;
        if (file.is_relative()) file = fs::path(base_dir) / file;
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
          doc.error(f->get("secret"), f->path("secret"),
                    "secret file " + quote(secret.source) + " does not exist",
                    "secrets are local files; relative paths start at the spec's folder");
        }
      }
    } else {
      doc.missing(f->path("secret"), "is required", "name the file that holds the secret");
    }
    if (f->has("env-key")) {
      if (auto v = doc.string(f->get("env-key"), f->path("env-key"))) secret.env_key = *v;
    }
    if (f->has("file")) {
      if (auto v = doc.string(f->get("file"), f->path("file"))) {
        secret.file = *v;
        check_sandbox_path(doc, f->get("file"), f->path("file"), secret.file);
      }
    }
    if (secret.env_key.empty() && secret.file.empty() && !secret.source.empty()) {
      // As in dcos-commons: with neither, the secret lands in a file named after it.
      secret.file = fs::path(secret.source).filename().string();
    }
    pod.secrets.push_back(std::move(secret));
  }
}

void read_host_volumes(YamlDocument& doc, const YAML::Node& node, const std::string& path,
                       PodSpec& pod) {
  auto entries = doc.entries(node, path);
  if (!entries) return;
  for (const auto& [name, hv_node] : *entries) {
    const std::string hpath = path + "." + name;
    auto f = doc.fields(hv_node, hpath, {"host-path", "container-path", "mode"});
    if (!f) continue;
    HostVolumeSpec hv;
    hv.name = name;
    if (f->has("host-path")) {
      if (auto v = doc.string(f->get("host-path"), f->path("host-path"))) {
        hv.host_path = *v;
        if (hv.host_path.empty() || hv.host_path.front() != '/') {
          doc.error(f->get("host-path"), f->path("host-path"),
                    "must be an absolute path on the host, got " + quote(hv.host_path));
        }
      }
    } else {
      doc.missing(f->path("host-path"), "is required");
    }
    if (f->has("container-path")) {
      if (auto v = doc.string(f->get("container-path"), f->path("container-path"))) {
        hv.container_path = *v;
        check_sandbox_path(doc, f->get("container-path"), f->path("container-path"),
                           hv.container_path);
      }
    } else {
      doc.missing(f->path("container-path"), "is required");
    }
    if (f->has("mode")) {
      if (auto v = doc.string(f->get("mode"), f->path("mode"))) {
        if (iequals(*v, "RW")) {
          hv.mode = HostVolumeMode::rw;
        } else if (iequals(*v, "RO")) {
          hv.mode = HostVolumeMode::ro;
        } else {
          doc.error(f->get("mode"), f->path("mode"), "must be RW or RO, got " + quote(*v));
        }
      }
    }
    pod.host_volumes.push_back(std::move(hv));
  }
}

}  // namespace steward::spec
