#pragma once

// An HTTP/1.1 response read as its bytes arrive: the status line and headers, then a body
// framed by Content-Length, by chunked transfer coding, or by the connection's end. Used by
// HttpConnection (http_connection.hpp); apart from it so that its parsing is tested and fuzzed
// without sockets. Whatever the bytes, it ends in a response or in an error saying what was
// wrong; it never reads past the response it parses.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steward {

class HttpResponseParser {
 public:
  // Pieces of the body as they come; false stops the parse (failed(), "canceled").
  using BodyFn = std::function<bool(std::string_view)>;

  // `no_body`: the answer to a HEAD request, which has headers saying how long a body would be
  // and none. `body`: where body bytes go (nothing: they are kept, see body()).
  explicit HttpResponseParser(bool no_body = false, BodyFn body = {})
      : no_body_(no_body), on_body_(std::move(body)) {}

  // Takes bytes as they arrive and returns how many it used: fewer than given only once the
  // response is complete (the rest belongs to whatever follows) or has failed.
  std::size_t feed(std::string_view bytes);
  // The connection ended: completes a body framed by the connection's end, fails otherwise.
  void end_of_input();

  bool head_done() const { return head_done_; }  // the (final) status and headers are in
  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::failed; }
  const std::string& error() const { return error_; }

  int status() const { return status_; }
  // The value of the first header of that name (any case), "" when absent.
  std::string_view header(std::string_view name) const;
  // The values of every header of that name, joined with ", " (a list sent in pieces).
  std::string header_list(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  // The body, when no body function was given.
  std::string& body() { return body_; }
  // Whether the server keeps the connection open after this response (HTTP/1.1 without
  // "Connection: close", and a body framed by length or chunks).
  bool keep_alive() const { return keep_alive_; }

  static constexpr std::size_t kMaxHead = 64 * 1024;  // status line and headers together
  static constexpr std::size_t kMaxHeaders = 100;
  static constexpr std::size_t kMaxLine = 8 * 1024;  // a chunk-size or trailer line, without CRLF

 private:
  enum class State {
    head,
    length_body,
    chunk_size,
    chunk_data,
    chunk_data_end,
    trailers,
    until_close,
    done,
    failed
  };
  bool fail(std::string why);
  bool parse_head();
  bool deliver(std::string_view piece);
  // The next line of `bytes` from `at` (without its CRLF or LF) into `line`, appending to
  // what an earlier feed left in `partial_`. False when the line is not complete yet.
  bool take_line(std::string_view bytes, std::size_t& at, std::string& line);

  bool no_body_;
  BodyFn on_body_;
  State state_ = State::head;
  std::string error_;
  std::string head_;  // the head so far, until its blank line
  std::string partial_;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::uint64_t remaining_ = 0;  // of the length body or of the current chunk
  std::size_t trailer_bytes_ = 0;
  bool keep_alive_ = false;
  bool head_done_ = false;
};

}  // namespace steward
