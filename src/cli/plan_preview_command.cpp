#include "cli/plan_preview_command.hpp"

#include <ostream>

#include "plan/plan_generator.hpp"
#include "plan/plan_render.hpp"

namespace steward::cli {

int run_plan_preview(const PlanPreviewOptions& options, std::ostream& out, std::ostream& err) {
  spec::LoadResult result = load_spec_input(options.input);
  if (!report(result.diagnostics, options.input.spec_path, err)) return 2;
  plan::GenerateOptions generate;
  generate.deploy_completed = options.deploy_completed;
  auto plans = plan::generate_plans(*result.spec, generate);
  if (options.json) {
    out << "[";
    for (std::size_t i = 0; i < plans.size(); ++i) {
      out << (i ? ",\n" : "\n") << plan::to_json(*plans[i]);
    }
    out << "\n]\n";
    return 0;
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (i > 0) out << "\n";
    out << plan::render_tree(*plans[i]);
  }
  return 0;
}

}  // namespace steward::cli
