// libFuzzer harness for the state store's record decoders and the task record split: whatever
// bytes a damaged database holds, they answer a value or an error; and so do the readers of
// a split's rest, the in-memory form, given bytes that are not one. A value must survive encoding
// and decoding again (compared as bytes: a NaN read from the damage is unequal to itself).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state/record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto t = steward::state::decode_task_record(bytes, error);
  if (t) {
    const std::string record = steward::state::encode_record(*t);
    auto again = steward::state::decode_task_record(record, error);
    if (!again || steward::state::encode_record(*again) != record) std::abort();
  }
  // The split a scheduler keeps tasks in accepts exactly what the decoder accepts, and its
  // parts join back into the same task.
  auto split = steward::state::split_task_record(bytes, error);
  if (split.has_value() != t.has_value()) std::abort();
  if (split) {
    auto rest = steward::state::decode_task_rest(split->rest, error);
    if (!rest) std::abort();
    rest->name = split->name;
    rest->task_id = split->task_id;
    rest->agent_id = split->agent_id;
    if (steward::state::read_labels(split->rest, split->labels_at) != t->labels) std::abort();
    if (steward::state::encode_record(*rest) != steward::state::encode_record(*t)) std::abort();
    // So does reading the resource ids off the rest.
    if (!steward::state::for_each_resource_id(
            split->rest, [](std::string_view) {}, error))
      std::abort();
  }
  // The bytes read as a rest (strings by number in this process's pool, which the splits
  // above fill): a value or an error, whatever number they name.
  if (auto rest = steward::state::decode_task_rest(bytes, error)) {
    (void)steward::state::encode_record(*rest);
  }
  (void)steward::state::find_label(bytes, 3, "goal_state");
  (void)steward::state::read_labels(bytes, 3);
  (void)steward::state::for_each_resource_id(
      bytes, [](std::string_view) {}, error);
  if (auto s = steward::state::decode_status_record(bytes, error)) {
    const std::string record = steward::state::encode_record(*s);
    auto again = steward::state::decode_status_record(record, error);
    if (!again || steward::state::encode_record(*again) != record) std::abort();
  }
  return 0;
}
