#include "steward/scheduler_builder.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>

#include "scheduler/spec_adapter.hpp"
#include "sdk/service_runner.hpp"
#include "spec/environment.hpp"
#include "spec/spec_loader.hpp"

namespace steward {

namespace fs = std::filesystem;

struct SchedulerBuilder::Impl {
  std::string spec_path;                 // a default spec file
  std::optional<std::string> spec_yaml;  // or a spec written in code
  std::string yaml_name = "spec.yml";
  std::map<std::string, std::string> env;
  std::vector<SpecTransform> transforms;
  std::vector<std::shared_ptr<const ConfigValidator>> validators;
  std::shared_ptr<RecoveryOverrider> overrider;
  std::vector<PlanCustomizer> customizers;
  api::ApiExtensions extensions;
  std::vector<std::string> errors;  // misuse found while building, reported by run()
};

SchedulerBuilder::SchedulerBuilder() : impl_(std::make_shared<Impl>()) {}

SchedulerBuilder SchedulerBuilder::from_file(std::string path) {
  SchedulerBuilder b;
  b.impl_->spec_path = std::move(path);
  return b;
}

SchedulerBuilder SchedulerBuilder::from_yaml(std::string yaml, std::string name) {
  SchedulerBuilder b;
  b.impl_->spec_yaml = std::move(yaml);
  b.impl_->yaml_name = std::move(name);
  return b;
}

SchedulerBuilder& SchedulerBuilder::env(const std::string& key, const std::string& value) {
  impl_->env[key] = value;
  return *this;
}

SchedulerBuilder& SchedulerBuilder::transform(SpecTransform transform) {
  if (transform) impl_->transforms.push_back(std::move(transform));
  return *this;
}

SchedulerBuilder& SchedulerBuilder::validator(std::shared_ptr<const ConfigValidator> validator) {
  if (validator) impl_->validators.push_back(std::move(validator));
  return *this;
}

SchedulerBuilder& SchedulerBuilder::recovery_overrider(
    std::shared_ptr<RecoveryOverrider> overrider) {
  impl_->overrider = std::move(overrider);
  return *this;
}

SchedulerBuilder& SchedulerBuilder::plan_customizer(PlanCustomizer customizer) {
  if (customizer) impl_->customizers.push_back(std::move(customizer));
  return *this;
}

SchedulerBuilder& SchedulerBuilder::endpoint(const std::string& path, EndpointHandler handler) {
  static const std::regex kPath("[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*");
  static const std::vector<std::string> kBuiltIn = {"plans",          "pod",    "endpoints",
                                                    "configurations", "state",  "health",
                                                    "metrics",        "update", "debug"};
  const std::string first = path.substr(0, path.find('/'));
  if (!std::regex_match(path, kPath))
    impl_->errors.push_back("endpoint \"" + path +
                            "\": a path is lower-case segments of letters, digits, '-', '_' "
                            "and '.', separated by '/'");
  else if (std::find(kBuiltIn.begin(), kBuiltIn.end(), first) != kBuiltIn.end())
    impl_->errors.push_back("endpoint \"" + path + "\" would shadow the built-in /v1/" + first);
  else if (!handler)
    impl_->errors.push_back("endpoint \"" + path + "\" has no handler");
  else if (auto clash =
               std::find_if(impl_->extensions.endpoints.begin(), impl_->extensions.endpoints.end(),
                            [&](const auto& e) {
                              // One would answer the other's requests: the same path, or one below
                              // the other.
                              const std::string& a = e.first.size() <= path.size() ? e.first : path;
                              const std::string& b = e.first.size() <= path.size() ? path : e.first;
                              return b.compare(0, a.size(), a) == 0 &&
                                     (b.size() == a.size() || b[a.size()] == '/');
                            });
           clash != impl_->extensions.endpoints.end())
    impl_->errors.push_back("endpoint \"" + path + "\" overlaps endpoint \"" + clash->first +
                            "\": one would answer the other's requests");
  else
    impl_->extensions.endpoints.emplace_back(path, std::move(handler));
  return *this;
}

SchedulerBuilder& SchedulerBuilder::endpoint_producer(const std::string& name,
                                                      EndpointProducer producer) {
  if (name.empty() || name.find('/') != std::string::npos || !producer)
    impl_->errors.push_back("endpoint producer \"" + name + "\" needs a name without '/'");
  else
    impl_->extensions.producers[name] = std::move(producer);
  return *this;
}

int SchedulerBuilder::run(int argc, char** argv) {
  Impl& d = *impl_;
  CLI::App app{"A Steward service scheduler: deploys its spec and keeps it at its goal"};
  std::string spec_path = d.spec_path;
  std::vector<std::string> assignments, env_files;
  sdk::ServeOptions serve;
  app.add_option(
      "spec", spec_path,
      "The service spec (svc.yml)" + std::string(d.spec_yaml ? " (default: built in)" : ""));
  app.add_option("--env,-e", assignments, "Template value KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--env-file", env_files, "File of KEY=VALUE lines (repeatable)")
      ->allow_extra_args(false);
  sdk::add_serve_options(app, serve, false);
  app.add_flag("--uninstall", serve.uninstall,
               "Uninstall the service: kill its tasks, release its reservations and volumes, "
               "deregister, wipe its state");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const std::string& e : d.errors)
    std::cerr << "error: " << e << "\n";
  if (!d.errors.empty()) return 2;

  // The spec: the command line's file, the builder's file, or the builder's text; rendered
  // with the environment, the builder's values, --env-file and --env, then transformed.
  spec::LoadOptions load;
  load.env = spec::process_environment();
  for (const auto& [k, v] : d.env)
    load.env[k] = v;
  Diagnostics problems;
  for (const std::string& f : env_files)
    spec::read_env_file(f, load.env, problems);
  for (const std::string& a : assignments)
    if (!spec::apply_assignment(a, load.env))
      problems.error({}, "--env", "\"" + a + "\" is not KEY=VALUE");
  const auto transforms = d.transforms;
  load.transform = [transforms](spec::ServiceSpec& s) {
    scheduler::SpecAdapter editor(s);
    for (const SpecTransform& t : transforms)
      t(editor);
  };
  spec::LoadResult loaded;
  std::string shown = spec_path;
  if (problems.has_errors()) {
    loaded.diagnostics = problems;
  } else if (!spec_path.empty()) {
    loaded = spec::load_spec_file(spec_path, load);
  } else if (d.spec_yaml) {
    shown = d.yaml_name;
    loaded = spec::load_spec_text(*d.spec_yaml, d.yaml_name, fs::current_path().string(), load);
  } else {
    std::cerr << "error: a spec is required (my-scheduler svc.yml)\n";
    return 2;
  }
  for (const Diagnostic& diag : loaded.diagnostics.items())
    std::cerr << diag.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << loaded.diagnostics.error_count() << " error(s) in " << shown << "\n";
    return 2;
  }

  scheduler::SchedulerOptions so;
  so.spec = *loaded.spec;
  so.service_name = loaded.spec->name;
  so.recovery_overrider = d.overrider;
  for (const auto& v : d.validators)
    so.config_validators.push_back(scheduler::adapt(v));
  so.spec_transforms.push_back(load.transform);
  so.plan_customizers = d.customizers;
  if (serve.uninstall) so.spec.reset();  // everything to undo is in the state

  // A service scheduler needs a master: --master, or a local cluster running already (it
  // cannot start one: that is `steward cluster up`).
  if (!serve.master.empty()) {
    if (!sdk::parse_address(serve.master, so.master_host, so.master_port)) {
      std::cerr << "error: --master must look like http://127.0.0.1:5050, not \"" << serve.master
                << "\"\n";
      return 2;
    }
  } else if (!sdk::local_cluster_address(sdk::cluster_dir_of(serve), so.master_host,
                                         so.master_port)) {
    std::cerr << "error: no local cluster is running from " << sdk::cluster_dir_of(serve)
              << ": start one with `steward cluster up`, or pass --master URL\n";
    return 1;
  }
  return sdk::serve(serve, std::move(so), d.extensions, std::cout, std::cerr);
}

// ---------------------------------------------------------------------------------------------

SpecBuilder::SpecBuilder(std::string service_name) : name_(std::move(service_name)) {}

SpecBuilder& SpecBuilder::pod(const std::string& type, int count) {
  for (Pod& p : pods_)
    if (p.type == type) {
      p.count = count;
      return *this;
    }
  pods_.push_back({type, "", count, false, {}});
  return *this;
}

SpecBuilder& SpecBuilder::placement(const std::string& pod, const std::string& rule) {
  for (Pod& p : pods_)
    if (p.type == pod) p.placement = rule;
  return *this;
}

SpecBuilder& SpecBuilder::allow_decommission(const std::string& pod) {
  for (Pod& p : pods_)
    if (p.type == pod) p.allow_decommission = true;
  return *this;
}

SpecBuilder& SpecBuilder::task(const std::string& pod, const std::string& name,
                               const std::string& cmd, double cpus, double memory_mb,
                               const std::string& goal) {
  for (Pod& p : pods_)
    if (p.type == pod) {
      Task t;
      t.name = name;
      t.cmd = cmd;
      t.goal = goal;
      t.cpus = cpus;
      t.memory_mb = memory_mb;
      p.tasks.push_back(std::move(t));
    }
  return *this;
}

SpecBuilder::Task* SpecBuilder::find(const std::string& pod, const std::string& task) {
  for (Pod& p : pods_)
    if (p.type == pod)
      for (Task& t : p.tasks)
        if (t.name == task) return &t;
  return nullptr;
}

SpecBuilder& SpecBuilder::env(const std::string& pod, const std::string& task,
                              const std::string& key, const std::string& value) {
  if (Task* t = find(pod, task)) t->env.emplace_back(key, value);
  return *this;
}

SpecBuilder& SpecBuilder::port(const std::string& pod, const std::string& task,
                               const std::string& name, int port, const std::string& env_key) {
  if (Task* t = find(pod, task)) t->ports.push_back({name, {port, env_key}});
  return *this;
}

SpecBuilder& SpecBuilder::volume(const std::string& pod, const std::string& task,
                                 const std::string& path, double size_mb) {
  if (Task* t = find(pod, task)) t->volumes = {{path, size_mb}};  // one volume per task
  return *this;
}

SpecBuilder& SpecBuilder::readiness(const std::string& pod, const std::string& task,
                                    const std::string& cmd) {
  if (Task* t = find(pod, task)) t->readiness = cmd;
  return *this;
}

namespace {

// A YAML double-quoted scalar: the loader reads back exactly `text`.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string SpecBuilder::yaml() const {
  std::ostringstream y;
  y.precision(15);  // 1234567 MB stays 1234567, 0.1 stays 0.1
  y << "name: " << quoted(name_) << "\npods:\n";
  for (const Pod& p : pods_) {
    y << "  " << p.type << ":\n    count: " << p.count << "\n";
    if (!p.placement.empty()) y << "    placement: " << quoted(p.placement) << "\n";
    if (p.allow_decommission) y << "    allow-decommission: true\n";
    y << "    tasks:\n";
    for (const Task& t : p.tasks) {
      y << "      " << t.name << ":\n        goal: " << t.goal << "\n        cmd: " << quoted(t.cmd)
        << "\n        cpus: " << t.cpus << "\n        memory: " << t.memory_mb << "\n";
      if (!t.env.empty()) {
        y << "        env:\n";
        for (const auto& [k, v] : t.env)
          y << "          " << k << ": " << quoted(v) << "\n";
      }
      if (!t.ports.empty()) {
        y << "        ports:\n";
        for (const auto& [name, port] : t.ports) {
          y << "          " << name << ":\n            port: " << port.first << "\n";
          if (!port.second.empty()) y << "            env-key: " << port.second << "\n";
        }
      }
      for (const auto& [path, size] : t.volumes)
        y << "        volume:\n          path: " << quoted(path)
          << "\n          type: ROOT\n          size: " << size << "\n";
      if (!t.readiness.empty())
        y << "        readiness-check:\n          cmd: " << quoted(t.readiness)
          << "\n          interval: 1\n          delay: 0\n          timeout: 10\n";
    }
  }
  return y.str();
}

}  // namespace steward
