// libFuzzer harness for reading a stored configuration back (spec_from_json). Build with
// -DSTEWARD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ and run
//   ./build/fuzz/tests/spec_json_fuzz -max_total_time=60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "spec/spec_json.hpp"
#include "spec/spec_summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace spec = steward::spec;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto parsed = spec::spec_from_json(text, error);
  // Refusing must say why; whatever was read must write and read back to the same text,
  // or a stored configuration would compare unequal to itself after a restart.
  if (!parsed) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  const std::string once = spec::to_json(*parsed, -1);
  const auto again = spec::spec_from_json(once, error);
  if (!again || spec::to_json(*again, -1) != once) __builtin_trap();
  return 0;
}
