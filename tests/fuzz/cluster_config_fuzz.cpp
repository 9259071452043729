// libFuzzer harness for cluster.yml: any bytes give a config or diagnostics, never a crash.

#include <cstddef>
#include <cstdint>
#include <string>

#include "cluster/cluster_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  steward::Diagnostics diagnostics;
  auto config = steward::cluster::parse_cluster_config(
      std::string(reinterpret_cast<const char*>(data), size), "cluster.yml", diagnostics);
  // A config, or at least one error: never neither.
  if (!config && !diagnostics.has_errors()) __builtin_trap();
  return 0;
}
