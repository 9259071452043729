#pragma once

// Errors a user can cause are values, not exceptions: every stage that reads user input
// (spec files, templates, placement strings) reports into a Diagnostics list so that all
// problems are shown at once, each with where it is, what is wrong and how to fix it.

#include <string>
#include <vector>

namespace steward {

struct SourceLocation {
  std::string file;  // as the user named it
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  SourceLocation where;
  std::string path;     // field path such as pods.world.tasks.server.cpus; may be empty
  std::string message;  // what is wrong
  std::string hint;     // the fix, when it is obvious; may be empty

  // "svc.yml:12:7: error: pods.world.tasks.server.cpus: must be > 0 (fix: ...)"
  std::string to_string() const;
};

class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(SourceLocation where, std::string path, std::string message, std::string hint = {});
  void warning(SourceLocation where, std::string path, std::string message, std::string hint = {});
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Orders by file, line, column so that output reads top to bottom.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace steward
