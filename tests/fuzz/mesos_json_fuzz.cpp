// libFuzzer harness for the Mesos JSON decoders: bytes -> JSON -> every decoder.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_document.hpp"
#include "mesos/call_json.hpp"
#include "mesos/executor_api.hpp"
#include "mesos/offer_json.hpp"
#include "mesos/task_info_json.hpp"
#include "mesos/task_status_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string listed_error;
  const auto listed = steward::mesos::event_from_text(text, listed_error);
  (void)steward::mesos::event_from_text(text, error, 1);  // offers past the first by id
  // A JsonDocument accepts what nlohmann accepts, and its decoders read what the tree's read.
  steward::JsonDocument doc;
  const bool parsed = doc.parse(text);
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (parsed == j.is_discarded()) __builtin_trap();
  if (j.is_discarded()) return 0;
  // The offers a document hands over as it parses them are the event the tree gives.
  const auto whole = steward::mesos::event_from_json(j, error);
  if (listed.has_value() != whole.has_value() ||
      (listed && (listed->type != whole->type || listed->offers != whole->offers)) ||
      (!listed && listed_error != error))
    __builtin_trap();
  std::string doc_error;
  if (steward::mesos::accept_from_json(doc.root(), doc_error) !=
          steward::mesos::accept_from_json(j, error) ||
      doc_error != error)
    __builtin_trap();
  if (steward::mesos::task_info_from_json(doc.root(), doc_error) !=
          steward::mesos::task_info_from_json(j, error) ||
      doc_error != error)
    __builtin_trap();
  if (steward::mesos::call_from_json(doc.root(), doc_error) !=
          steward::mesos::call_from_json(j, error) ||
      doc_error != error)
    __builtin_trap();
  (void)steward::mesos::event_from_json(j, error);
  (void)steward::mesos::call_from_json(j, error);
  (void)steward::mesos::accept_from_json(j, error);
  (void)steward::mesos::task_status_from_json(j, error);
  (void)steward::mesos::task_info_from_json(j, error);
  (void)steward::mesos::executor_info_from_json(j, error);
  (void)steward::mesos::decode_executor_call(text, error);
  (void)steward::mesos::decode_executor_event(text, error);
  return 0;
}
