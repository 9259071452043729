// libFuzzer harness for the placement parser; `./dev fuzz` builds and runs it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "placement/placement_rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = steward::placement::parse_placement(text);
  // A rule that parsed must read back the same from its canonical form.
  if (result.ok() &&
      steward::placement::parse_placement(steward::placement::to_string(result.rule)).rule !=
          result.rule) {
    __builtin_trap();
  }
  return 0;
}
