#pragma once

// The values a spec is rendered with: the process environment, then --env-file files,
// then --env K=V, later ones winning.

#include <map>
#include <string>
#include <string_view>

#include "common/diagnostic.hpp"

namespace steward::spec {

std::map<std::string, std::string> process_environment();

// "K=V" into env; false (and nothing changed) when there is no '=' or K is empty.
bool apply_assignment(std::string_view assignment, std::map<std::string, std::string>& env);

// Reads KEY=VALUE lines: blank lines and # comments skipped, an optional `export ` prefix,
// and values optionally wrapped in matching single or double quotes. Bad lines are
// reported with their line number and the rest still read.
void read_env_file(const std::string& path, std::map<std::string, std::string>& env,
                   Diagnostics& diagnostics);

}  // namespace steward::spec
