#include "cli/validate_command.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "spec/environment.hpp"
#include "spec/spec_loader.hpp"
#include "spec/spec_summary.hpp"

namespace steward::cli {

namespace {

nlohmann::json to_json(const Diagnostic& d) {
  nlohmann::json j = {{"severity", d.severity == Severity::error ? "error" : "warning"},
                      {"file", d.where.file},
                      {"line", d.where.line},
                      {"column", d.where.column},
                      {"path", d.path},
                      {"message", d.message}};
  if (!d.hint.empty()) j["fix"] = d.hint;
  return j;
}

}  // namespace

int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err) {
  spec::LoadOptions load;
  load.strict = options.strict;
  load.env = spec::process_environment();
  Diagnostics env_problems;
  for (const std::string& file : options.env_files)
    spec::read_env_file(file, load.env, env_problems);
  for (const std::string& assignment : options.env) {
    if (!spec::apply_assignment(assignment, load.env)) {
      env_problems.error({}, "--env", "\"" + assignment + "\" is not KEY=VALUE");
    }
  }

  spec::LoadResult result;
  if (!env_problems.has_errors()) result = spec::load_spec_file(options.spec_path, load);
  Diagnostics all = env_problems;
  all.append(result.diagnostics);

  if (options.json) {
    nlohmann::json j = {{"valid", result.ok() && !all.has_errors()}};
    nlohmann::json errors = nlohmann::json::array();
    nlohmann::json warnings = nlohmann::json::array();
    for (const Diagnostic& d : all.items()) {
      (d.severity == Severity::error ? errors : warnings).push_back(to_json(d));
    }
    j["errors"] = errors;
    j["warnings"] = warnings;
    if (result.ok()) j["spec"] = nlohmann::json::parse(spec::to_json(*result.spec));
    // Specs are bytes; a stray invalid UTF-8 sequence must not make the JSON writer throw.
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return all.has_errors() ? 2 : 0;
  }

  for (const Diagnostic& d : all.items())
    err << d.to_string() << "\n";
  if (all.has_errors()) {
    err << all.error_count() << " error" << (all.error_count() == 1 ? "" : "s") << " in "
        << options.spec_path << "\n";
    return 2;
  }
  out << spec::summarize(*result.spec);
  return 0;
}

}  // namespace steward::cli
