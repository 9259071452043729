#include "cli/validate_command.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

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
  spec::LoadResult result = load_spec_input(options.input);
  const Diagnostics& all = result.diagnostics;

  if (options.json) {
    nlohmann::json j = {{"valid", result.ok()}};
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
    return result.ok() ? 0 : 2;
  }

  if (!report(all, options.input.spec_path, err)) return 2;
  out << spec::summarize(*result.spec);
  return 0;
}

}  // namespace steward::cli
