// libFuzzer harness for the whole spec pipeline: template, YAML, reader, validator.
// Build with -DSTEWARD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ and run
//   ./build/fuzz/tests/spec_loader_fuzz -max_total_time=60 examples/hello-world

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/spec_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  steward::spec::LoadOptions options;
  options.env = {{"ON", "true"}, {"OFF", "false"}, {"N", "2"}};
  auto result = steward::spec::load_spec_text(text, "fuzz.yml", "/nonexistent", options);
  // Any outcome is fine; crashing, hanging or throwing is not. A loaded spec is error-free.
  if (result.ok() && result.diagnostics.has_errors()) __builtin_trap();
  return 0;
}
