#pragma once

// svc.yml from file to validated ServiceSpec: mustache render with the environment, YAML
// parse, read, validate. Every problem of every stage is reported; a spec is returned only
// when there is no error.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/diagnostic.hpp"
#include "spec/service_spec.hpp"

namespace steward::spec {

struct LoadOptions {
  std::map<std::string, std::string> env;  // template values and TASKCFG_* routing
  bool strict = false;                     // a missing template variable is an error
  // Applied to a spec read without error, before it is validated (a service's own code
  // changing it: SchedulerBuilder::transform).
  std::function<void(ServiceSpec&)> transform;
};

struct LoadResult {
  std::optional<ServiceSpec> spec;  // set when there is no error
  Diagnostics diagnostics;          // errors and warnings, in file order
  std::string rendered;             // the YAML text after templating
  bool ok() const { return spec.has_value(); }
};

// Files larger than this are refused before anything else reads them.
constexpr std::size_t kMaxSpecBytes = 4 * 1024 * 1024;

LoadResult load_spec_file(const std::string& path, const LoadOptions& options);
// `file` names the text in messages; config templates and secrets resolve under base_dir.
LoadResult load_spec_text(std::string_view text, const std::string& file,
                          const std::string& base_dir, const LoadOptions& options);

}  // namespace steward::spec
