#include "mesos/recordio.hpp"

#include <cctype>
#include <new>

namespace steward::mesos {

std::string recordio_encode(std::string_view record) {
  std::string out = std::to_string(record.size());
  out += '\n';
  out.append(record);
  return out;
}

std::optional<std::string> RecordIoReader::next() {
  if (!error_.empty()) return std::nullopt;
  std::size_t newline = buffer_.find('\n', offset_);
  if (newline == std::string::npos) {
    // A length longer than 20 digits cannot be a uint64: the header is garbage.
    if (buffer_.size() - offset_ > 20) error_ = "record length header is too long";
    return std::nullopt;
  }
  std::string_view header(buffer_.data() + offset_, newline - offset_);
  if (header.empty()) {
    error_ = "empty record length";
    return std::nullopt;
  }
  std::size_t length = 0;
  for (char c : header) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      error_ = "record length is not a number: \"" + std::string(header.substr(0, 20)) + "\"";
      return std::nullopt;
    }
    length = length * 10 + static_cast<std::size_t>(c - '0');
    if (length > max_record_) {
      error_ = "record of more than " + std::to_string(max_record_) + " bytes";
      return std::nullopt;
    }
  }
  if (length == 0) {
    error_ = "record of length 0";
    return std::nullopt;
  }
  if (buffer_.size() - newline - 1 < length) {
    // A large record's length is known before its bytes: room for all of them at once (and
    // for the start of the next record arriving with its end), or the buffer doubles as they
    // come (a record of 5 MB left it at 8 MB, copied at each step).
    const std::size_t room = newline + 1 - offset_ + length + kFollowing;
    if (length > kKeptCapacity && buffer_.capacity() - offset_ < room) {
      buffer_.erase(0, offset_);
      offset_ = 0;
      try {
        buffer_.reserve(room);
      } catch (const std::bad_alloc&) {
        // Room for a length only claimed so far: the bytes, if they come, grow the buffer.
      }
    }
    return std::nullopt;
  }
  const std::size_t end = newline + 1 + length;
  if (length > kKeptCapacity) {
    // Handed out in the buffer itself rather than copied from it: a second copy of an event
    // of thousands of offers was the scheduler's peak. What follows it starts the next buffer.
    std::string rest = buffer_.substr(end);
    std::string record = std::move(buffer_);
    record.resize(end);
    record.erase(0, newline + 1);
    buffer_ = std::move(rest);
    offset_ = 0;
    return record;
  }
  std::string record = buffer_.substr(newline + 1, length);
  offset_ = end;
  // Drop consumed bytes now and then, not on every record; and once everything is consumed,
  // give back a buffer grown past the usual for one large event (a thousand offers, a
  // reconciliation's statuses), which would otherwise stay at that size for good.
  if (offset_ == buffer_.size() && buffer_.capacity() > kKeptCapacity) {
    std::string().swap(buffer_);
    offset_ = 0;
  } else if (offset_ > 64 * 1024 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return record;
}

}  // namespace steward::mesos
