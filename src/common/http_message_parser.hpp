#pragma once

// An HTTP/1.1 message read as its bytes arrive: a response (status line, headers, then a body
// framed by Content-Length, by chunked transfer coding, or by the connection's end), as
// HttpConnection (http_connection.hpp) reads answers, or a request (request line, headers, then
// a body framed by Content-Length or chunks, or none), as HttpServer (http_server.hpp) reads
// them. Apart from both so that its parsing is tested and fuzzed without sockets. Whatever the
// bytes, it ends in a message or in an error saying what was wrong; it never reads past the
// message it parses.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steward {

class HttpMessageParser {
 public:
  // Pieces of the body as they come; false stops the parse (failed(), "canceled").
  using BodyFn = std::function<bool(std::string_view)>;

  // `no_body`: the answer to a HEAD request, which has headers saying how long a body would be
  // and none. `body`: where body bytes go (nothing: they are kept, see body()).
  explicit HttpMessageParser(bool no_body = false, BodyFn body = {})
      : no_body_(no_body), on_body_(std::move(body)) {}
  // A request, its body kept (body()) and at most `max_body` bytes long.
  static HttpMessageParser request(std::uint64_t max_body);

  // Takes bytes as they arrive and returns how many it used: fewer than given only once the
  // response is complete (the rest belongs to whatever follows) or has failed.
  std::size_t feed(std::string_view bytes);
  // The connection ended: completes a body framed by the connection's end, fails otherwise.
  void end_of_input();

  bool head_done() const { return head_done_; }  // the (final) status and headers are in
  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::failed; }
  const std::string& error() const { return error_; }

  bool is_request() const { return request_; }
  int status() const { return status_; }                 // of a response
  const std::string& method() const { return method_; }  // of a request
  const std::string& target() const { return target_; }  // of a request, as sent
  // For a request that failed: the status to answer it with (400, 413, 431, 501 or 505).
  int error_status() const { return error_status_; }
  // Whether any of the message has come (empty lines before a request line do not count).
  bool begun() const { return !head_.empty() || head_done_ || state_ != State::head; }
  bool http11() const { return http11_; }
  // A request that asked for "100 Continue" before it sends its body, which is still to come.
  bool expects_continue() const;
  // The value of the first header of that name (any case), "" when absent.
  std::string_view header(std::string_view name) const;
  // The values of every header of that name, joined with ", " (a list sent in pieces).
  std::string header_list(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  // The body, when no body function was given.
  std::string& body() { return body_; }
  // Whether the connection stays open after this message (HTTP/1.1 without "Connection:
  // close", or HTTP/1.0 with "Connection: keep-alive"; for a response, a body framed by length
  // or chunks).
  bool keep_alive() const { return keep_alive_; }

  static constexpr std::size_t kMaxHead = 64 * 1024;  // first line and headers together
  static constexpr std::size_t kMaxHeaders = 100;
  static constexpr std::size_t kMaxLine = 8 * 1024;  // a chunk-size or trailer line, without CRLF
  // A body of a declared length gets its room with its first bytes, up to this much (kept
  // bodies only).
  static constexpr std::uint64_t kReservedBody = 4 * 1024 * 1024;
  // A request's target. Longer ones get 414: routes match paths with std::regex, whose
  // matching recurses once per character and would overflow a thread's stack on a huge path.
  static constexpr std::size_t kMaxTarget = 8 * 1024;

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
  bool fail(std::string why, int answer = 400);
  bool parse_head();
  bool parse_first_line(std::string_view first, bool& http11);
  bool frame_body();
  std::string noun() const { return request_ ? "request" : "response"; }
  bool deliver(std::string_view piece);
  // The next line of `bytes` from `at` (without its CRLF or LF) into `line`, appending to
  // what an earlier feed left in `partial_`. False when the line is not complete yet.
  bool take_line(std::string_view bytes, std::size_t& at, std::string& line);

  bool no_body_;
  BodyFn on_body_;
  bool request_ = false;
  std::uint64_t max_body_ = 0;  // of a request
  int error_status_ = 0;
  bool http11_ = false;
  std::string method_, target_;
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
