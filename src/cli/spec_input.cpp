#include "cli/spec_input.hpp"

#include <ostream>

#include "spec/environment.hpp"

namespace steward::cli {

spec::LoadResult load_spec_input(const SpecInput& input) {
  spec::LoadOptions load;
  load.strict = input.strict;
  load.env = spec::process_environment();
  Diagnostics env_problems;
  for (const std::string& file : input.env_files)
    spec::read_env_file(file, load.env, env_problems);
  for (const std::string& assignment : input.env) {
    if (!spec::apply_assignment(assignment, load.env)) {
      env_problems.error({}, "--env", "\"" + assignment + "\" is not KEY=VALUE");
    }
  }
  if (env_problems.has_errors()) {
    spec::LoadResult result;
    result.diagnostics = env_problems;
    return result;
  }
  spec::LoadResult result = spec::load_spec_file(input.spec_path, load);
  Diagnostics all = env_problems;
  all.append(result.diagnostics);
  result.diagnostics = all;
  return result;
}

bool report(const Diagnostics& diagnostics, const std::string& spec_path, std::ostream& err) {
  for (const Diagnostic& d : diagnostics.items())
    err << d.to_string() << "\n";
  if (!diagnostics.has_errors()) return true;
  err << diagnostics.error_count() << " error" << (diagnostics.error_count() == 1 ? "" : "s")
      << " in " << spec_path << "\n";
  return false;
}

}  // namespace steward::cli
