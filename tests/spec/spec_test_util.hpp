#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "spec/spec_loader.hpp"

namespace steward::spec::testing {

// A fresh folder per fixture, for template and secret files a spec refers to.
class TempDir {
 public:
  TempDir() {
    auto base = std::filesystem::temp_directory_path() / "steward-spec-test-XXXXXX";
    std::string pattern = base.string();
    char* made = mkdtemp(pattern.data());
    path_ = made ? made : pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories(
        std::filesystem::path(path_ / std::filesystem::path(name)).parent_path());
    std::ofstream(std::filesystem::path(path_) / name) << text;
  }

 private:
  std::string path_;
};

inline LoadResult load(const std::string& yaml, std::map<std::string, std::string> env = {},
                       bool strict = false, const std::string& base_dir = ".") {
  LoadOptions options;
  options.env = std::move(env);
  options.strict = strict;
  return load_spec_text(yaml, "svc.yml", base_dir, options);
}

// Every rendered diagnostic, one string each, for exact comparisons.
inline std::vector<std::string> messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items())
    out.push_back(d.to_string());
  return out;
}

inline std::vector<std::string> errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items()) {
    if (d.severity == Severity::error) out.push_back(d.to_string());
  }
  return out;
}

// A small valid spec that tests modify.
inline const char* kMinimal = R"(name: svc
pods:
  app:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: ./run
        cpus: 0.5
        memory: 256
)";

}  // namespace steward::spec::testing
