#include "spec/environment.hpp"

#include <fstream>

#include "common/strings.hpp"

extern char** environ;  // NOLINT: POSIX

namespace steward::spec {

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    apply_assignment(*e, env);
  return env;
}

bool apply_assignment(std::string_view assignment, std::map<std::string, std::string>& env) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  env[std::string(assignment.substr(0, eq))] = std::string(assignment.substr(eq + 1));
  return true;
}

void read_env_file(const std::string& path, std::map<std::string, std::string>& env,
                   Diagnostics& diagnostics) {
  std::ifstream in(path);
  if (!in) {
    diagnostics.error({path, 0, 0}, "", "cannot read the env file");
    return;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.rfind("export ", 0) == 0) text = trim(text.substr(7));
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      diagnostics.error({path, number, 1}, "", "expected KEY=VALUE, got " + quote(text));
      continue;
    }
    std::string key(trim(text.substr(0, eq)));
    std::string_view value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    env[key] = std::string(value);
  }
}

}  // namespace steward::spec
