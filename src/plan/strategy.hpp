#pragma once

// How the children of a phase (steps) or of a plan (phases) proceed. Every strategy is a
// dependency graph over the children plus interruption; canary strategies add gates that
// successive `continue` commands open.

#include <cstddef>
#include <string>
#include <vector>

#include "plan/status.hpp"

namespace steward::plan {

class Strategy {
 public:
  enum class Kind { serial, parallel, serial_canary, parallel_canary, dependency };

  static Strategy serial(std::size_t children);
  static Strategy parallel(std::size_t children);
  static Strategy serial_canary(std::size_t children);
  static Strategy parallel_canary(std::size_t children);
  // deps[i] lists the children that must be COMPLETE before child i may start. Returns an
  // error message instead when an index is out of range or the graph has a cycle.
  static Strategy dependency(std::vector<std::vector<std::size_t>> deps, std::string* error);
  // A dependency strategy shown under a friendlier name (e.g. generated custom steps are
  // "parallel": instances in parallel, each instance's steps in order).
  Strategy& display_as(std::string name);
  // Adds the two canary gates to any strategy (custom steps under a *-canary phase).
  Strategy& with_canary_gates() {
    gates_ = 2;
    return *this;
  }

  Kind kind() const { return kind_; }
  std::string name() const;  // "serial", "parallel", "serial-canary", ...

  // Children that may be worked on now: not complete, all dependencies complete, released
  // by canary gates, and not interrupted themselves. Ignores the strategy's own
  // interruption (callers check interrupted()).
  std::vector<std::size_t> candidates(const std::vector<Status>& children,
                                      const std::vector<bool>& child_interrupted) const;

  // Explicitly interrupted, or held at a canary gate (which depends only on whether the
  // first child, the canary, is complete: O(1), so status changes stay cheap).
  bool interrupted(bool first_child_complete) const;
  bool explicitly_interrupted() const { return interrupted_; }
  void interrupt() { interrupted_ = true; }
  // Clears an explicit interrupt, or opens the next canary gate. False when neither applied.
  bool proceed();
  int gates_remaining() const { return gates_; }
  const std::vector<std::vector<std::size_t>>& dependencies() const { return deps_; }

 private:
  Strategy(Kind kind, std::vector<std::vector<std::size_t>> deps, int gates)
      : kind_(kind), deps_(std::move(deps)), gates_(gates) {}

  Kind kind_;
  std::vector<std::vector<std::size_t>> deps_;
  int gates_ = 0;  // canary: 2 closed, 1 first child released, 0 all released
  bool interrupted_ = false;
  std::string display_name_;
};

}  // namespace steward::plan
