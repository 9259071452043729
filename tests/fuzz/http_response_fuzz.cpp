// libFuzzer harness for the HTTP response parser the executor and the scheduler read the
// cluster's answers with: whatever the bytes, it ends in a response or an error, never reads
// past what it was given, and how the bytes are split across reads changes nothing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/http_response_parser.hpp"

namespace {

struct Outcome {
  bool done = false, failed = false;
  int status = 0;
  std::string body, error;
  std::size_t used = 0;
};

Outcome parse(std::string_view bytes, std::size_t step, bool no_body) {
  steward::HttpResponseParser p(no_body);
  Outcome o;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    const std::string_view piece = bytes.substr(at, step);
    const std::size_t n = p.feed(piece);
    if (n > piece.size()) std::abort();
    o.used += n;
    if (n < piece.size()) {
      if (!p.done() && !p.failed()) std::abort();  // it stops short only at an end
      break;
    }
  }
  if (!p.done() && !p.failed()) p.end_of_input();
  if (p.done() == p.failed()) std::abort();
  o.done = p.done();
  o.failed = p.failed();
  o.status = p.status();
  o.body = p.body();
  o.error = p.error();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool no_body = data[0] & 0x80;
  const std::size_t step = 1 + (data[0] & 0x3f);
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = parse(bytes, bytes.size() + 1, no_body);
  const Outcome split = parse(bytes, step, no_body);
  if (whole.done != split.done || whole.status != split.status || whole.error != split.error)
    std::abort();
  // What was used and handed out agrees once the response is whole (a failed parse stops at
  // the read that failed it, wherever that read ended).
  if (whole.done && (whole.body != split.body || whole.used != split.used)) std::abort();
  return 0;
}
