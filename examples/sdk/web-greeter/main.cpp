// web-greeter: a scheduler that YAML alone cannot make.
//   - a spec transform computes every server's greeting at start-up (and for every update);
//   - a plan customizer adds a step of C++ code to the deploy plan, which records the servers
//     once they are all ready;
//   - a custom endpoint, GET /v1/greeting, answers with the greeting and where the servers
//     are;
//   - an endpoint producer serves the servers as a text file, GET /v1/endpoints/servers.txt.
//
// Run it next to a local cluster (`steward cluster up`):  ./web-greeter
// Then:  curl $(cat ~/.steward/web-greeter/api)/v1/greeting

#include <steward/scheduler_builder.hpp>

#include <string>

namespace {

// "host:port" of every ready server, one per line.
std::string servers(const steward::ServiceView& view) {
  std::string out;
  for (const steward::TaskView* t : view.tasks_of("web"))
    if (t->ready && t->ports.count("http"))
      out += t->hostname + ":" + std::to_string(t->ports.at("http")) + "\n";
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  return steward::SchedulerBuilder::from_file(WEB_GREETER_SPEC)
      // The greeting depends on the spec itself: what a template could not compute.
      .transform([](steward::SpecEditor& spec) {
        const int n = spec.count("web");
        spec.set_env("web", "", "GREETING",
                     "hello from " + spec.service_name() + ", one of " + std::to_string(n));
      })
      .plan_customizer([](steward::PlanEditor& plans, const steward::SpecView&) {
        plans.add_phase(
            "deploy", "announce",
            {steward::PlanStepSpec::code("record-servers", [](const steward::ServiceView& view,
                                                              steward::PropertyStore& props) {
              const std::string list = servers(view);
              if (list.empty()) return std::string("no server is ready");
              props.set("announced", list);
              return std::string();
            })});
      })
      .endpoint("greeting",
                [](const steward::HttpRequest&, const steward::ServiceView& view,
                   steward::PropertyStore& props) {
                  std::string greeting;
                  for (const steward::TaskView* t : view.tasks_of("web"))
                    if (t->env.count("GREETING")) greeting = t->env.at("GREETING");
                  const std::string announced = props.get("announced").value_or("");
                  return steward::HttpResponse{200, "application/json",
                                               "{\"greeting\": " + json_string(greeting) +
                                                   ", \"servers\": " + json_string(servers(view)) +
                                                   ", \"announced\": " + json_string(announced) +
                                                   "}"};
                })
      .endpoint_producer("servers.txt", servers)
      .run(argc, argv);
}
