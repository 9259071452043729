#include "mesos/recordio.hpp"

#include <cctype>

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
  if (buffer_.size() - newline - 1 < length) return std::nullopt;
  std::string record = buffer_.substr(newline + 1, length);
  offset_ = newline + 1 + length;
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
