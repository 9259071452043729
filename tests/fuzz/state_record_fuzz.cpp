// libFuzzer harness for the state store's record decoders: whatever bytes a damaged database
// holds, they answer a value or an error. A value must survive encoding and decoding again
// (compared as bytes: a NaN read from the damage is unequal to itself).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state/record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto t = steward::state::decode_task_record(bytes, error)) {
    const std::string record = steward::state::encode_record(*t);
    auto again = steward::state::decode_task_record(record, error);
    if (!again || steward::state::encode_record(*again) != record) std::abort();
  }
  if (auto s = steward::state::decode_status_record(bytes, error)) {
    const std::string record = steward::state::encode_record(*s);
    auto again = steward::state::decode_status_record(record, error);
    if (!again || steward::state::encode_record(*again) != record) std::abort();
  }
  return 0;
}
