#pragma once

// Renders svc.yml as a mustache template before it is parsed as YAML, the way dcos-commons
// does: values come from the environment, "true"/"false" (any case) drive sections,
// {{X}} is HTML-escaped and {{{X}}} is raw.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.hpp"

namespace steward::spec {

struct RenderResult {
  std::string text;
  // line_map[i] is the 1-based source line that rendered line i+1 came from, so YAML
  // errors point into the file the author wrote, not into the rendered text.
  std::vector<int> line_map;
  std::vector<std::string> missing;  // names that rendered empty, sorted, unique
  Diagnostics diagnostics;           // missing values (warnings, or errors when strict)
  bool ok() const { return !diagnostics.has_errors(); }
};

RenderResult render_template(std::string_view text, const std::map<std::string, std::string>& env,
                             const std::string& file, bool strict);

// For each line of `rendered`, the 1-based line of `source` it most likely came from.
// Exact for lines without tags; lines changed by substitution map to their neighbours.
std::vector<int> map_rendered_lines(std::string_view source, std::string_view rendered);

}  // namespace steward::spec
