// `steward-executor`: the executor as a program of its own, which the cluster's agents start
// for each executor id (and which runs a pod's HTTP and TCP checks as `steward-executor check`).
// `steward executor` does the same; this one links only the executor's parts, no HTTP server
// library, so it starts in a fraction of the time (docs/benchmarks.md).

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "executor/check_probe.hpp"
#include "executor/executor_main.hpp"

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "executor" && argc == 2) return steward::executor::run_executor(std::cerr);
  if (command == "check")
    return steward::executor::run_probe({argv + 2, argv + argc}, std::cout, std::cerr);
  std::cerr << "usage: steward-executor executor | steward-executor check ARGS...\n"
               "(started by the cluster's agents, with its settings in the environment)\n";
  return 2;
}
