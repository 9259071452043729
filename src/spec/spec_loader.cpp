#include "spec/spec_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spec/spec_reader.hpp"
#include "spec/spec_validator.hpp"
#include "spec/template_renderer.hpp"
#include "spec/yaml_fields.hpp"

namespace steward::spec {

LoadResult load_spec_file(const std::string& path, const LoadOptions& options) {
  namespace fs = std::filesystem;
  LoadResult result;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    result.diagnostics.error({path, 0, 0}, "", "no such file", "check the path to the spec");
    return result;
  }
  if (!fs::is_regular_file(path, ec)) {
    result.diagnostics.error({path, 0, 0}, "", "is not a regular file");
    return result;
  }
  if (fs::file_size(path, ec) > kMaxSpecBytes) {
    result.diagnostics.error({path, 0, 0}, "",
                             "is larger than " + std::to_string(kMaxSpecBytes / (1024 * 1024)) +
                                 " MiB; that is not a service spec");
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.diagnostics.error({path, 0, 0}, "", "cannot be read");
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string base_dir = fs::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  return load_spec_text(text.str(), path, base_dir, options);
}

LoadResult load_spec_text(std::string_view text, const std::string& file,
                          const std::string& base_dir, const LoadOptions& options) {
  LoadResult result;
  if (text.size() > kMaxSpecBytes) {
    result.diagnostics.error({file, 0, 0}, "", "the spec is larger than 4 MiB");
    return result;
  }
  if (text.find('\0') != std::string_view::npos) {
    result.diagnostics.error({file, 0, 0}, "", "the spec contains a NUL byte; it is not text");
    return result;
  }
  RenderResult rendered = render_template(text, options.env, file, options.strict);
  result.diagnostics.append(rendered.diagnostics);
  if (!rendered.ok()) {
    result.diagnostics.sort();
    return result;
  }
  result.rendered = rendered.text;

  YAML::Node root;
  try {
    root = YAML::Load(rendered.text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based lines of the rendered text.
    ServiceSpec none;
    Diagnostics ignored;
    YamlDocument doc(file, rendered.line_map, ignored, none);
    result.diagnostics.error(doc.locate(e.mark), "", "YAML syntax: " + e.msg,
                             "check indentation and quoting near this line");
    result.diagnostics.sort();
    return result;
  }

  ServiceSpec spec;
  spec.source_file = file;
  Diagnostics diagnostics;
  YamlDocument doc(file, rendered.line_map, diagnostics, spec);
  try {
    read_service_spec(doc, root, ReadContext{base_dir, options.env}, spec);
  } catch (const YAML::Exception& e) {
    // yaml-cpp can still throw on nodes it could not build (e.g. a bad alias); report it.
    diagnostics.error(doc.locate(e.mark), "", "YAML: " + e.msg);
  }
  if (options.transform && !diagnostics.has_errors()) {
    try {
      options.transform(spec);
    } catch (const std::exception& e) {
      diagnostics.error({file, 0, 0}, "", std::string("a spec transform failed: ") + e.what());
    }
  }
  // Validate even a partly read spec so every error shows at once, but drop what only
  // repeats a reading error (an unreadable `cpus` is not also "missing cpus").
  Diagnostics checks;
  validate_service_spec(spec, checks);
  const std::vector<Diagnostic> read_errors = diagnostics.items();
  auto repeats = [&](const Diagnostic& d) {
    return std::any_of(read_errors.begin(), read_errors.end(), [&](const Diagnostic& seen) {
      const std::string& p = seen.path;
      return seen.severity == Severity::error && !p.empty() &&
             d.path.compare(0, p.size(), p) == 0 &&
             (d.path.size() == p.size() || d.path[p.size()] == '.' || d.path[p.size()] == '[');
    });
  };
  for (const Diagnostic& d : checks.items()) {
    if (!repeats(d)) diagnostics.add(d);
  }
  if (spec.scheduler.principal.empty() && !spec.name.empty()) {
    spec.scheduler.principal = spec.name + "-principal";
  }
  result.diagnostics.append(diagnostics);
  result.diagnostics.sort();
  if (!result.diagnostics.has_errors()) result.spec = std::move(spec);
  return result;
}

}  // namespace steward::spec
