// libFuzzer harness for the HTTP message parser: responses as the executor and the scheduler
// read the cluster's answers, requests as the scheduler's API and the cluster read theirs.
// Whatever the bytes, it ends in a message or an error, never reads past what it was given,
// and how the bytes are split across reads changes nothing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/http_message_parser.hpp"

namespace {

struct Outcome {
  bool done = false, failed = false;
  int status = 0, error_status = 0;
  std::string body, error, method, target;
  std::size_t used = 0;
};

Outcome parse(std::string_view bytes, std::size_t step, bool no_body, bool request) {
  auto p =
      request ? steward::HttpMessageParser::request(1000) : steward::HttpMessageParser(no_body);
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
  o.error_status = p.error_status();
  o.method = p.method();
  o.target = p.target();
  if (request && o.failed && (o.error_status < 400 || o.error_status > 505)) std::abort();
  if (request && o.body.size() > 1000) std::abort();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool no_body = data[0] & 0x80;
  const bool request = data[0] & 0x40;
  const std::size_t step = 1 + (data[0] & 0x3f);
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = parse(bytes, bytes.size() + 1, no_body, request);
  const Outcome split = parse(bytes, step, no_body, request);
  if (whole.done != split.done || whole.status != split.status || whole.error != split.error ||
      whole.error_status != split.error_status || whole.method != split.method ||
      whole.target != split.target)
    std::abort();
  // What was used and handed out agrees once the response is whole (a failed parse stops at
  // the read that failed it, wherever that read ended).
  if (whole.done && (whole.body != split.body || whole.used != split.used)) std::abort();
  return 0;
}
