#include "cluster/cluster_config.hpp"

#include <sys/statvfs.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/strings.hpp"

namespace steward::cluster {
namespace {

void add_scalar(std::vector<mesos::Resource>& out, const char* name, double value,
                const std::vector<mesos::ReservationInfo>& stack) {
  if (value <= 0) return;
  mesos::Resource r;
  r.name = name;
  r.scalar = mesos::round_scalar(value);
  r.reservations = stack;
  out.push_back(std::move(r));
}

void add_all(std::vector<mesos::Resource>& out, const AgentResources& res,
             const std::vector<mesos::ReservationInfo>& stack) {
  add_scalar(out, "cpus", res.cpus, stack);
  add_scalar(out, "mem", res.mem, stack);
  add_scalar(out, "disk", res.disk, stack);
  add_scalar(out, "gpus", res.gpus, stack);
  if (!res.ports.empty()) {
    mesos::Resource r;
    r.name = "ports";
    r.type = mesos::Resource::Type::ranges;
    r.ranges = res.ports;
    r.reservations = stack;
    out.push_back(std::move(r));
  }
}

double round_to(double value, double step) {
  return std::floor(value / step) * step;
}

// A small reader over yaml-cpp that reports file:line:col with the field path.
class Reader {
 public:
  Reader(std::string file, Diagnostics& d) : file_(std::move(file)), diagnostics_(d) {}

  void error(const YAML::Node& node, const std::string& path, std::string message,
             std::string hint = {}) {
    SourceLocation where{file_, 0, 0};
    if (node.IsDefined()) {
      where.line = node.Mark().line + 1;
      where.column = node.Mark().column + 1;
    }
    diagnostics_.error(where, path, std::move(message), std::move(hint));
  }

  // Checks a mapping's keys against the known ones.
  bool mapping(const YAML::Node& node, const std::string& path,
               const std::vector<std::string>& known) {
    if (!node.IsMap()) {
      error(node, path, "must be a mapping");
      return false;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      YAML::Node key = it->first;
      std::string name = key.Scalar();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string hint;
        if (auto close = closest_match(name, known)) hint = "did you mean `" + *close + "`?";
        error(key, join_path(path, name), "unknown field", hint);
      }
    }
    return true;
  }

  std::optional<double> number(const YAML::Node& node, const std::string& path, double min) {
    if (!node.IsScalar()) {
      error(node, path, "must be a number");
      return std::nullopt;
    }
    auto v = parse_double(node.Scalar());
    if (!v || *v < min) {
      error(node, path,
            "must be a number >= " + format_number(min) + ", not " + quote(node.Scalar()));
      return std::nullopt;
    }
    return v;
  }

  std::optional<std::string> string(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      error(node, path, "must be a non-empty string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<bool> boolean(const YAML::Node& node, const std::string& path) {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false"))
      return node.Scalar() == "true";
    error(node, path, "must be true or false");
    return std::nullopt;
  }

  std::optional<std::vector<mesos::ValueRange>> ports(const YAML::Node& node,
                                                      const std::string& path) {
    std::vector<std::string> items;
    if (node.IsScalar()) {
      items.push_back(node.Scalar());
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        if (!item.IsScalar()) {
          error(item, path, "each port range must be a string like 31000-31999");
          return std::nullopt;
        }
        items.push_back(item.Scalar());
      }
    } else {
      error(node, path, "must be a port range like 31000-31999, or a list of them");
      return std::nullopt;
    }
    std::vector<mesos::ValueRange> out;
    for (const std::string& item : items) {
      auto dash = item.find('-');
      auto begin = parse_int(item.substr(0, dash));
      auto end = dash == std::string::npos ? begin : parse_int(item.substr(dash + 1));
      if (!begin || !end || *begin < 1 || *end > 65535 || *begin > *end) {
        error(node, path, "bad port range " + quote(item),
              "write BEGIN-END with 1 <= BEGIN <= END <= 65535");
        return std::nullopt;
      }
      out.push_back({static_cast<std::uint64_t>(*begin), static_cast<std::uint64_t>(*end)});
    }
    return out;
  }

  std::optional<AgentResources> resources(const YAML::Node& node, const std::string& path) {
    if (!mapping(node, path, {"cpus", "mem", "disk", "gpus", "ports"})) return std::nullopt;
    AgentResources res;
    bool ok = true;
    auto scalar = [&](const char* key, double& into) {
      if (YAML::Node v = node[key]; v.IsDefined()) {
        if (auto n = number(v, join_path(path, key), 0))
          into = *n;
        else
          ok = false;
      }
    };
    scalar("cpus", res.cpus);
    scalar("mem", res.mem);
    scalar("disk", res.disk);
    scalar("gpus", res.gpus);
    if (YAML::Node p = node["ports"]; p.IsDefined()) {
      if (auto r = ports(p, join_path(path, "ports")))
        res.ports = *r;
      else
        ok = false;
    }
    if (!ok) return std::nullopt;
    return res;
  }

  static std::string join_path(const std::string& a, const std::string& b) {
    return a.empty() ? b : a + "." + b;
  }

 private:
  std::string file_;
  Diagnostics& diagnostics_;
};

}  // namespace

std::vector<mesos::Resource> AgentConfig::total_resources() const {
  std::vector<mesos::Resource> out;
  add_all(out, resources, {});
  for (const auto& [role, res] : reserved) {
    mesos::ReservationInfo info;
    info.type = mesos::ReservationInfo::Type::static_reservation;
    info.role = role;
    add_all(out, res, {info});
  }
  return out;
}

MachineShape probe_machine(const std::string& data_dir) {
  MachineShape shape;
  shape.cpus = std::max(1u, std::thread::hardware_concurrency());
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0)
    shape.mem_mb = static_cast<double>(pages) * static_cast<double>(page_size) / (1024.0 * 1024.0);
  struct statvfs fs {};
  if (statvfs(data_dir.c_str(), &fs) == 0)
    shape.disk_mb =
        static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) / (1024.0 * 1024.0);
  return shape;
}

ClusterConfig default_cluster_config(const MachineShape& machine) {
  // Like mesos-local, keep 1 GB of memory and 5 GB of disk for the host; unlike it, split
  // the rest between the agents instead of offering the whole machine N times. A floor of
  // one cpu, 1 GB and 4 GB per agent keeps small machines usable (they over-commit a little).
  constexpr int kAgents = 4;
  ClusterConfig config;
  AgentResources share;
  share.cpus = std::max(1.0, round_to(machine.cpus / kAgents, 0.1));
  share.mem = std::max(1024.0, round_to((machine.mem_mb - 1024) / kAgents, 1));
  share.disk = std::max(4096.0, round_to((machine.disk_mb - 5120) / kAgents, 1));
  const char* zones[] = {"a", "b", "c"};
  for (int i = 0; i < kAgents; ++i) {
    AgentConfig agent;
    agent.name = "agent-" + std::to_string(i);
    AgentResources res = share;
    res.ports = {{static_cast<std::uint64_t>(31000 + 1000 * i),
                  static_cast<std::uint64_t>(31999 + 1000 * i)}};
    if (i < 3) {
      agent.zone = zones[i];
      agent.resources = res;
    } else {
      agent.zone = "a";
      agent.reserved["slave_public"] = res;
      agent.attributes.emplace_back("public_ip", "true");
    }
    config.agents.push_back(std::move(agent));
  }
  return config;
}

std::optional<ClusterConfig> parse_cluster_config(const std::string& text, const std::string& file,
                                                  Diagnostics& diagnostics) {
  Reader reader(file, diagnostics);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diagnostics.error({file, e.mark.line + 1, e.mark.column + 1}, "", "not valid YAML: " + e.msg);
    return std::nullopt;
  }
  std::size_t errors = diagnostics.error_count();
  ClusterConfig config;
  if (!reader.mapping(root, "",
                      {"agents", "heartbeat_interval_seconds", "update_retry_seconds",
                       "offer_interval_seconds", "tick_seconds"}))
    return std::nullopt;
  auto seconds = [&](const char* key, double& into) {
    if (YAML::Node v = root[key]; v.IsDefined()) {
      if (auto n = reader.number(v, key, 0.01)) into = *n;
    }
  };
  seconds("heartbeat_interval_seconds", config.heartbeat_interval_seconds);
  seconds("update_retry_seconds", config.update_retry_seconds);
  seconds("offer_interval_seconds", config.offer_interval_seconds);
  if (YAML::Node v = root["tick_seconds"]; v.IsDefined()) {
    if (auto n = reader.number(v, "tick_seconds", 0.001)) {
      if (*n > 60)
        reader.error(v, "tick_seconds", "must be at most 60, not " + v.Scalar());
      else
        config.tick_seconds = *n;
    }
  }

  YAML::Node agents = root["agents"];
  if (!agents.IsDefined() || !agents.IsSequence() || agents.size() == 0) {
    reader.error(agents.IsDefined() ? agents : root, "agents",
                 "must be a non-empty list of agents");
    return std::nullopt;
  }
  std::set<std::string> names;
  std::size_t index = 0;
  for (const YAML::Node& node : agents) {
    const std::string path = "agents[" + std::to_string(index) + "]";
    ++index;
    if (!reader.mapping(node, path,
                        {"name", "count", "hostname", "resources", "reserved", "attributes",
                         "region", "zone", "simulated"}))
      continue;
    AgentConfig agent;
    agent.name = "agent-" + std::to_string(index - 1);
    if (YAML::Node v = node["name"]; v.IsDefined())
      if (auto s = reader.string(v, path + ".name")) agent.name = *s;
    if (YAML::Node v = node["hostname"]; v.IsDefined())
      if (auto s = reader.string(v, path + ".hostname")) agent.hostname = *s;
    if (YAML::Node v = node["region"]; v.IsDefined())
      if (auto s = reader.string(v, path + ".region")) agent.region = *s;
    if (YAML::Node v = node["zone"]; v.IsDefined())
      if (auto s = reader.string(v, path + ".zone")) agent.zone = *s;
    if (YAML::Node v = node["simulated"]; v.IsDefined())
      if (auto b = reader.boolean(v, path + ".simulated")) agent.simulated = *b;
    if (YAML::Node v = node["resources"]; v.IsDefined())
      if (auto r = reader.resources(v, path + ".resources")) agent.resources = *r;
    if (YAML::Node v = node["reserved"]; v.IsDefined()) {
      if (!v.IsMap()) {
        reader.error(v, path + ".reserved", "must map roles to resources",
                     "e.g. reserved: {slave_public: {cpus: 1, mem: 1024}}");
      } else {
        for (auto it = v.begin(); it != v.end(); ++it) {
          YAML::Node key = it->first;
          YAML::Node value = it->second;
          const std::string role = key.Scalar();
          if (role.empty() || role == "*" || role.front() == '/' || role.back() == '/') {
            reader.error(key, path + ".reserved", "bad role name " + quote(role));
            continue;
          }
          if (auto r = reader.resources(value, path + ".reserved." + role))
            agent.reserved[role] = *r;
        }
      }
    }
    if (YAML::Node v = node["attributes"]; v.IsDefined()) {
      if (!v.IsMap()) {
        reader.error(v, path + ".attributes", "must be a mapping of attribute names to values");
      } else {
        for (auto it = v.begin(); it != v.end(); ++it) {
          YAML::Node key = it->first;
          YAML::Node value = it->second;
          if (!value.IsScalar()) {
            reader.error(value, path + ".attributes." + key.Scalar(), "must be a text or number");
            continue;
          }
          agent.attributes.emplace_back(key.Scalar(), value.Scalar());
        }
      }
    }
    long long count = 1;
    if (YAML::Node v = node["count"]; v.IsDefined()) {
      auto n = v.IsScalar() ? parse_int(v.Scalar()) : std::nullopt;
      if (!n || *n < 1 || *n > 100000)
        reader.error(v, path + ".count", "must be a whole number from 1 to 100000");
      else
        count = *n;
    }
    for (long long k = 0; k < count; ++k) {
      AgentConfig copy = agent;
      if (count > 1) copy.name = agent.name + "-" + std::to_string(k);
      if (!names.insert(copy.name).second) {
        reader.error(node, path + ".name", "duplicate agent name " + quote(copy.name),
                     "give each agent its own name");
        break;
      }
      config.agents.push_back(std::move(copy));
    }
  }
  if (diagnostics.error_count() > errors) return std::nullopt;
  return config;
}

std::optional<ClusterConfig> load_cluster_config(const std::string& file,
                                                 Diagnostics& diagnostics) {
  std::ifstream in(file);
  if (!in) {
    diagnostics.error({file, 0, 0}, "", "cannot read the cluster config");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_cluster_config(text.str(), file, diagnostics);
}

}  // namespace steward::cluster
