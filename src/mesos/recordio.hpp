#pragma once

// RecordIO framing of the Mesos v1 event stream: each record is "<decimal length>\n<bytes>".
// HTTP chunks do not line up with records, so the reader takes bytes as they come and hands
// out whole records.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace steward::mesos {

std::string recordio_encode(std::string_view record);

class RecordIoReader {
 public:
  // Records longer than this are refused: a stream that claims one is broken or hostile.
  explicit RecordIoReader(std::size_t max_record = 64 * 1024 * 1024) : max_record_(max_record) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next whole record, if one has arrived. After an error every call returns nullopt
  // and error() says why; the stream cannot be resynchronised.
  std::optional<std::string> next();
  const std::string& error() const { return error_; }
  // The memory the reader holds for bytes not handed out yet.
  std::size_t capacity() const { return buffer_.capacity(); }

  // A buffer at most this large is kept for the next bytes once all is consumed.
  static constexpr std::size_t kKeptCapacity = 256 * 1024;
  // Room made past a large record's end for the next record's first bytes.
  static constexpr std::size_t kFollowing = 64 * 1024;

 private:
  std::size_t max_record_;
  std::string buffer_;
  std::size_t offset_ = 0;
  std::string error_;
};

}  // namespace steward::mesos
