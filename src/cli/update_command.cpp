#include "cli/update_command.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "spec/spec_summary.hpp"

namespace steward::cli {

using nlohmann::json;

namespace {

void list(std::ostream& out, const char* title, const json& items) {
  out << title << ":";
  if (!items.is_array() || items.empty()) {
    out << " none\n";
    return;
  }
  std::string line;
  for (const json& i : items)
    if (i.is_string()) line += (line.empty() ? " " : ", ") + i.get<std::string>();
  out << line << "\n";
}

}  // namespace

int run_update(const UpdateOptions& o, std::ostream& out, std::ostream& err) {
  spec::LoadResult loaded = load_spec_input(o.input);
  if (!report(loaded.diagnostics, o.input.spec_path, err)) return 2;
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  const std::string body = spec::to_json(*loaded.spec, -1);
  ApiAnswer a =
      client->post(std::string("/v1/update?dryRun=") + (o.dry_run ? "true" : "false"), body);
  json j = json::parse(a.body, nullptr, false);
  if (a.status == 400 && j.is_object()) {
    // The scheduler could not take the spec as a configuration at all.
    err << "error: " << j.value("message", std::string("the configuration was not accepted"))
        << "\n";
    for (const json& e : j.value("errors", json::array()))
      if (e.is_string()) err << "  " << e.get<std::string>() << "\n";
    return 2;
  }
  if ((a.status != 200 && a.status != 409) || !j.is_object()) return report_failure(a, err);
  const std::string result = j.value("result", std::string());
  const json errors = j.value("errors", json::array());
  if (o.target.json) {
    out << a.body << "\n";
  } else {
    const std::string name = loaded.spec->name;
    if (result == "dry-run")
      out << name << ": dry run, nothing was changed; the update would be "
          << (errors.empty() ? "accepted" : "refused") << "\n";
    else if (result == "accepted")
      out << name << ": update accepted; target configuration "
          << j.value("config_id", std::string()) << "\n";
    else if (result == "unchanged")
      out << name << ": the spec is the running configuration; nothing to change\n";
    else
      out << name << ": update refused; the running configuration stays\n";
    if (!errors.empty()) {
      out << "Errors:\n";
      for (const json& e : errors)
        if (e.is_string()) out << "  " << e.get<std::string>() << "\n";
    }
    if (result != "unchanged") {
      const json changes = j.value("changes", json::array());
      out << "Changes:" << (changes.empty() ? " none" : "") << "\n";
      for (const json& c : changes)
        if (c.is_string()) out << "  " << c.get<std::string>() << "\n";
      list(out, "Pods restarted in place", j.value("restart", json::array()));
      list(out, "Pods deployed", j.value("deploy", json::array()));
      list(out, "Pods decommissioned", j.value("decommission", json::array()));
    }
    if (result == "accepted")
      out << "Follow the rollout: steward plan show deploy --watch --service " << name << "\n";
  }
  if (result == "refused" || (result == "dry-run" && !errors.empty())) return 1;
  return 0;
}

}  // namespace steward::cli
