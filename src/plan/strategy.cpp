#include "plan/strategy.hpp"

#include <algorithm>

namespace steward::plan {

namespace {

std::vector<std::vector<std::size_t>> chain(std::size_t n) {
  std::vector<std::vector<std::size_t>> deps(n);
  for (std::size_t i = 1; i < n; ++i)
    deps[i] = {i - 1};
  return deps;
}

}  // namespace

Strategy Strategy::serial(std::size_t children) {
  return {Kind::serial, chain(children), 0};
}
Strategy Strategy::parallel(std::size_t children) {
  return {Kind::parallel, std::vector<std::vector<std::size_t>>(children), 0};
}
Strategy Strategy::serial_canary(std::size_t children) {
  return {Kind::serial_canary, chain(children), 2};
}
Strategy Strategy::parallel_canary(std::size_t children) {
  return {Kind::parallel_canary, std::vector<std::vector<std::size_t>>(children), 2};
}

Strategy Strategy::dependency(std::vector<std::vector<std::size_t>> deps, std::string* error) {
  const std::size_t n = deps.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d : deps[i]) {
      if (d >= n || d == i) {
        if (error)
          *error = "child " + std::to_string(i) + " depends on invalid child " + std::to_string(d);
        return parallel(n);
      }
    }
  }
  // Kahn's algorithm: every child must become reachable, or there is a cycle.
  std::vector<std::size_t> waiting(n);
  std::vector<std::vector<std::size_t>> dependents(n);
  for (std::size_t i = 0; i < n; ++i) {
    waiting[i] = deps[i].size();
    for (std::size_t d : deps[i])
      dependents[d].push_back(i);
  }
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::size_t seen = 0;
  while (!ready.empty()) {
    std::size_t i = ready.back();
    ready.pop_back();
    ++seen;
    for (std::size_t j : dependents[i]) {
      if (--waiting[j] == 0) ready.push_back(j);
    }
  }
  if (seen != n) {
    if (error) *error = "the dependencies form a cycle";
    return parallel(n);
  }
  return {Kind::dependency, std::move(deps), 0};
}

Strategy& Strategy::display_as(std::string name) {
  display_name_ = std::move(name);
  return *this;
}

std::string Strategy::name() const {
  if (!display_name_.empty()) return display_name_;
  switch (kind_) {
    case Kind::serial:
      return "serial";
    case Kind::parallel:
      return "parallel";
    case Kind::serial_canary:
      return "serial-canary";
    case Kind::parallel_canary:
      return "parallel-canary";
    case Kind::dependency:
      return "dependency";
  }
  return "serial";
}

std::vector<std::size_t> Strategy::candidates(const std::vector<Status>& children,
                                              const std::vector<bool>& child_interrupted) const {
  std::vector<std::size_t> out;
  if (gates_ == 2) return out;
  // Between the two canary gates only the first child, the canary, may run.
  const std::size_t end = gates_ == 1 ? std::min<std::size_t>(1, children.size()) : children.size();
  for (std::size_t i = 0; i < end && i < deps_.size(); ++i) {
    if (children[i] == Status::complete) continue;
    if (i < child_interrupted.size() && child_interrupted[i]) continue;
    bool ready = true;
    for (std::size_t d : deps_[i]) {
      if (children[d] != Status::complete) {
        ready = false;
        break;
      }
    }
    if (ready) out.push_back(i);
  }
  return out;
}

bool Strategy::interrupted(bool first_child_complete) const {
  if (interrupted_ || gates_ == 2) return true;
  // Once the canary completes, the rest waits for the second `continue`.
  return gates_ == 1 && first_child_complete;
}

bool Strategy::proceed() {
  if (interrupted_) {
    interrupted_ = false;
    return true;
  }
  if (gates_ > 0) {
    --gates_;
    return true;
  }
  return false;
}

}  // namespace steward::plan
