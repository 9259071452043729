#include "scheduler/log.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace steward::scheduler {

namespace {
thread_local std::string* batch = nullptr;  // the outermost LogBatch's text on this thread
}  // namespace

void log(const std::string& service, const std::string& line) {
  const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(ms % 1000));
  std::string text;
  std::string& out = batch != nullptr ? *batch : text;
  out.append(stamp).append(millis).append(" [").append(service).append("] ").append(line);
  out += '\n';
  if (batch == nullptr) std::fwrite(text.data(), 1, text.size(), stderr);
}

LogBatch::LogBatch() : outermost_(batch == nullptr) {
  if (outermost_) batch = &text_;
}

LogBatch::~LogBatch() {
  if (!outermost_) return;
  batch = nullptr;
  if (!text_.empty()) std::fwrite(text_.data(), 1, text_.size(), stderr);
}

void LogBatch::write_now() {
  if (batch == nullptr || batch->empty()) return;
  std::fwrite(batch->data(), 1, batch->size(), stderr);
  batch->clear();
}

}  // namespace steward::scheduler
