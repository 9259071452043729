#include "cli/service_commands.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

namespace steward::cli {

using nlohmann::json;

namespace {

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-25T23:58:54.316Z" -> milliseconds since the epoch; -1 when absent or malformed.
long long parse_time(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return -1;
  std::tm tm{};
  int ms = 0;
  const std::string text = j[key];
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm)) * 1000 + ms;
}

std::string duration(long long ms) {
  char buf[32];
  if (ms < 60000)
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
  return buf;
}

std::string paint(const std::string& status, bool colour) {
  if (!colour) return status;
  const char* code = status == "COMPLETE"                         ? "32"
                     : status == "ERROR"                          ? "31"
                     : status == "PENDING" || status == "WAITING" ? "90"
                     : status == "DELAYED"                        ? "35"
                                                                  : "33";
  return std::string("\033[") + code + "m" + status + "\033[0m";
}

std::string status_of(const json& j) {
  return j.value("status", std::string("?"));
}

std::string step_line(const json& step, long long now, bool colour) {
  std::string line = step.value("name", std::string()) + " (" + paint(status_of(step), colour);
  const long long started = parse_time(step, "started");
  if (started >= 0) {
    long long end = parse_time(step, "completed");
    if (end < 0) end = now;
    if (end >= started) line += ", " + duration(end - started);
  }
  line += ")";
  if (step.contains("message") && step["message"].is_string() &&
      !step["message"].get<std::string>().empty())
    line += ": " + step["message"].get<std::string>();
  return line;
}

int plan_path(const PlanCommandOptions& o, const ServiceClient& client, const std::string& verb,
              std::string query, std::ostream& out, std::ostream& err, const std::string& body) {
  auto a = client.post("/v1/plans/" + o.plan + "/" + verb + query, body);
  if (a.status != 200 && a.status != 208) return report_failure(a, err);
  json j = json::parse(a.body, nullptr, false);
  if (o.target.json) {
    out << a.body << "\n";
  } else {
    std::string message = j.is_object() ? j.value("message", std::string()) : "";
    out << (message.empty() ? (a.status == 208 ? "nothing to do" : "done") : message) << "\n";
  }
  return 0;
}

std::string query_of(const std::string& phase, const std::string& step) {
  std::string q;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=";
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.')
        q += static_cast<char>(c);
      else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        q += buf;
      }
    }
  };
  add("phase", phase);
  add("step", step);
  return q;
}

int show_plan(const PlanCommandOptions& o, const ServiceClient& client, std::ostream& out,
              std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    auto a = client.get("/v1/plans/" + o.plan);
    if (a.status != 200 && a.status != 202 && a.status != 417) return report_failure(a, err);
    if (o.target.json) {
      out << a.body << "\n";
      return 0;
    }
    json p = json::parse(a.body, nullptr, false);
    if (o.watch && o.colour) out << "\033[H\033[2J";  // redraw in place on a terminal
    out << render_plan_tree(a.body, now_ms(), o.colour);
    if (!o.watch) return 0;
    std::size_t total = 0, done = 0;
    for (const json& phase : p.value("phases", json::array()))
      for (const json& step : phase.value("steps", json::array())) {
        ++total;
        if (status_of(step) == "COMPLETE") ++done;
      }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    out << done << "/" << total << " steps complete, " << duration(elapsed) << " elapsed\n";
    out.flush();
    const std::string status = status_of(p);
    if (status == "COMPLETE" || status == "ERROR") return 0;
    // A terminal redraws; elsewhere (a log, a pipe) each state is printed in turn.
    if (!o.colour) out << "\n";
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// A JSON array of names, one per line.
int list_names(const ServiceClient& client, const std::string& path, bool as_json,
               std::ostream& out, std::ostream& err) {
  auto a = client.get(path);
  if (a.status != 200) return report_failure(a, err);
  json names = json::parse(a.body, nullptr, false);
  if (as_json || !names.is_array()) {
    out << a.body << "\n";
    return 0;
  }
  for (const json& n : names)
    if (n.is_string()) out << n.get<std::string>() << "\n";
  return 0;
}

}  // namespace

std::string render_plan_tree(const std::string& plan_json, long long now, bool colour) {
  json p = json::parse(plan_json, nullptr, false);
  if (!p.is_object()) return plan_json + "\n";
  std::ostringstream out;
  auto strategy = [](const json& j) {
    return j.contains("strategy") ? " (" + j.value("strategy", std::string()) + " strategy)" : "";
  };
  out << p.value("name", std::string()) << strategy(p) << " (" << paint(status_of(p), colour)
      << ")\n";
  const json phases = p.value("phases", json::array());
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const bool last_phase = i + 1 == phases.size();
    const json& phase = phases[i];
    out << (last_phase ? "└─ " : "├─ ") << phase.value("name", std::string()) << strategy(phase)
        << " (" << paint(status_of(phase), colour) << ")\n";
    const json steps = phase.value("steps", json::array());
    for (std::size_t k = 0; k < steps.size(); ++k) {
      out << (last_phase ? "   " : "│  ") << (k + 1 == steps.size() ? "└─ " : "├─ ")
          << step_line(steps[k], now, colour) << "\n";
    }
  }
  for (const json& e : p.value("errors", json::array()))
    if (e.is_string()) out << "error: " << e.get<std::string>() << "\n";
  return out.str();
}

int run_plan_command(const PlanCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  if (o.action == "list") return list_names(*client, "/v1/plans", o.target.json, out, err);
  if (o.action == "show") return show_plan(o, *client, out, err);
  if (o.action == "start") {
    json params = json::object();
    for (const std::string& kv : o.parameters) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        err << "error: a parameter must look like KEY=VALUE, not \"" << kv << "\"\n";
        return 2;
      }
      params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return plan_path(o, *client, "start", "", out, err, params.dump());
  }
  if (o.action == "stop") return plan_path(o, *client, "stop", "", out, err, "");
  if (o.action == "pause")
    return plan_path(o, *client, "interrupt", query_of(o.phase, ""), out, err, "");
  if (o.action == "resume")
    return plan_path(o, *client, "continue", query_of(o.phase, ""), out, err, "");
  if (o.action == "force-restart")
    return plan_path(o, *client, "restart", query_of(o.phase, o.step), out, err, "");
  if (o.action == "force-complete")
    return plan_path(o, *client, "forceComplete", query_of(o.phase, o.step), out, err, "");
  err << "error: unknown plan command " << o.action << "\n";
  return 2;
}

int run_pod_command(const PodCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  if (o.action == "list") return list_names(*client, "/v1/pod", o.target.json, out, err);
  if (o.action == "status") {
    auto a = client->get(o.pod.empty() ? "/v1/pod/status" : "/v1/pod/" + o.pod + "/status");
    if (a.status != 200) return report_failure(a, err);
    if (o.target.json) {
      out << a.body << "\n";
      return 0;
    }
    json j = json::parse(a.body, nullptr, false);
    auto instance = [&](const json& inst, const std::string& indent) {
      out << indent << inst.value("name", std::string()) << "\n";
      for (const json& t : inst.value("tasks", json::array()))
        out << indent << "  " << t.value("name", std::string()) << "  "
            << t.value("status", std::string()) << "  " << t.value("id", std::string()) << "\n";
    };
    if (!o.pod.empty()) {
      instance(j, "");
    } else {
      out << j.value("service", std::string()) << "\n";
      for (const json& type : j.value("pods", json::array()))
        for (const json& inst : type.value("instances", json::array()))
          instance(inst, "  ");
    }
    return 0;
  }
  if (o.action == "info") {
    auto a = client->get("/v1/pod/" + o.pod + "/info");
    if (a.status != 200) return report_failure(a, err);
    out << a.body << "\n";
    return 0;
  }
  if (o.action == "restart" || o.action == "replace" || o.action == "pause" ||
      o.action == "resume") {
    auto a = client->post("/v1/pod/" + o.pod + "/" + o.action,
                          o.tasks.empty() ? "" : json(o.tasks).dump());
    if (a.status != 200) return report_failure(a, err);
    if (o.target.json) {
      out << a.body << "\n";
      return 0;
    }
    json j = json::parse(a.body, nullptr, false);
    const char* verb = o.action == "restart"   ? "restarting"
                       : o.action == "replace" ? "replacing"
                       : o.action == "pause"   ? "pausing"
                                               : "resuming";
    out << "pod " << o.pod << ": " << verb;
    for (const json& t : j.value("tasks", json::array()))
      out << " " << t.get<std::string>();
    out << "\n";
    return 0;
  }
  err << "error: unknown pod command " << o.action << "\n";
  return 2;
}

int run_read_command(const ReadCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  auto pretty = [&](const ApiAnswer& a) {
    json j = json::parse(a.body, nullptr, false);
    out << (j.is_discarded() ? a.body : j.dump(2)) << "\n";
    return 0;
  };
  auto plain_string = [&](const ApiAnswer& a) {  // a JSON string, printed bare
    json j = json::parse(a.body, nullptr, false);
    out << (j.is_string() && !o.target.json ? j.get<std::string>() : a.body) << "\n";
    return 0;
  };
  if (o.what == "config-list") {
    auto a = client->get("/v1/configurations");
    json j = json::parse(a.body, nullptr, false);
    if (a.status != 200 || !j.is_object()) return report_failure(a, err);
    if (o.target.json) {
      out << a.body << "\n";
      return 0;
    }
    const std::string target = j.value("target", json()).is_string() ? j["target"] : "";
    for (const json& id : j.value("ids", json::array()))
      if (id.is_string()) out << id.get<std::string>() << (id == target ? " (target)" : "") << "\n";
    const json last = j.value("last_update", json());
    if (last.is_object()) {
      out << "Last update: " << last.value("result", std::string("?")) << " (from "
          << last.value("source", std::string("?")) << ")\n";
      for (const json& e : last.value("errors", json::array()))
        if (e.is_string()) out << "  " << e.get<std::string>() << "\n";
    }
    return 0;
  }
  if (o.what == "properties")
    return list_names(*client, "/v1/state/properties", o.target.json, out, err);
  if (o.what == "endpoints" && o.arg.empty())
    return list_names(*client, "/v1/endpoints", o.target.json, out, err);
  std::string path;
  if (o.what == "config-show") path = "/v1/configurations/" + o.arg;
  if (o.what == "config-target") path = "/v1/configurations/target";
  if (o.what == "config-target-id") path = "/v1/configurations/targetId";
  if (o.what == "framework-id") path = "/v1/state/frameworkId";
  if (o.what == "property") path = "/v1/state/properties/" + o.arg;
  if (o.what == "endpoints") path = "/v1/endpoints/" + o.arg;
  if (o.what == "health") path = "/v1/health";
  if (path.empty()) {
    err << "error: unknown command " << o.what << "\n";
    return 2;
  }
  auto a = client->get(path);
  if (o.what == "health") {
    // Every service status code is an answer, not a failure of the request.
    json j = json::parse(a.body, nullptr, false);
    if (a.status == 0 || !j.is_object()) return report_failure(a, err);
    if (o.target.json) {
      out << a.body << "\n";
      return 0;
    }
    out << j.value("status", std::string("?")) << " (" << a.status << ")\n";
    for (const json& r : j.value("reasons", json::array()))
      if (r.is_string()) out << "  " << r.get<std::string>() << "\n";
    return 0;
  }
  if (a.status != 200) return report_failure(a, err);
  if (o.what == "property") {
    out << a.body << (a.body.empty() || a.body.back() != '\n' ? "\n" : "");
    return 0;
  }
  if (o.what == "config-target-id" || o.what == "framework-id") return plain_string(a);
  if (o.target.json) {
    out << a.body << "\n";
    return 0;
  }
  return pretty(a);
}

int run_debug_offers(const DebugOffersOptions& o, std::ostream& out, std::ostream& err) {
  auto client = ServiceClient::locate(o.target, err);
  if (!client) return 1;
  std::string q;
  for (auto [k, v] : {std::pair{"plan", o.plan}, {"phase", o.phase}, {"step", o.step}})
    if (!v.empty()) q += (q.empty() ? "?" : "&") + std::string(k) + "=" + v;
  auto a = client->get("/v2/debug/offers" + q);
  if (a.status != 200) return report_failure(a, err);
  if (o.target.json) {
    out << a.body << "\n";
    return 0;
  }
  json records = json::parse(a.body, nullptr, false);
  // The latest evaluation of each step, and per offer the first stage that failed.
  std::map<std::string, json> latest;
  for (const json& r : records)
    latest[r.value("plan", std::string()) + "/" + r.value("phase", std::string()) + "/" +
           r.value("step", std::string())] = r;
  if (latest.empty()) out << "no evaluation on record\n";
  // Pointers into the tree itself (never into a temporary `value()` copy).
  std::function<const json*(const json&)> first_failure = [&](const json& node) -> const json* {
    auto children = node.find("children");
    if (children == node.end() || !children->is_array()) return nullptr;
    for (const json& c : *children)
      if (!c.value("pass", true)) {
        const json* deeper = first_failure(c);
        return deeper ? deeper : &c;
      }
    return nullptr;
  };
  for (const auto& [key, r] : latest) {
    const json& outcome = r["outcome"];
    out << key << ": " << (outcome.value("pass", false) ? "PASS " : "FAIL ")
        << outcome.value("reason", std::string()) << "\n";
    const json offers = outcome.value("children", json::array());
    for (const json& offer : offers) {
      const json* f = first_failure(offer);
      out << "  " << offer.value("stage", std::string()) << ": ";
      if (offer.value("pass", false))
        out << "PASS " << offer.value("reason", std::string()) << "\n";
      else if (f)
        out << "FAIL " << f->value("stage", std::string()) << ": "
            << f->value("reason", std::string()) << "\n";
      else
        out << "FAIL " << offer.value("reason", std::string()) << "\n";
    }
  }
  return 0;
}

}  // namespace steward::cli
