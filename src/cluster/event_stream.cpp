#include "cluster/event_stream.hpp"

namespace steward::cluster {

void EventStream::push(std::string record) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    queue_.push_back(std::move(record));
  }
  ready_.notify_all();
}

void EventStream::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

bool EventStream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool EventStream::finished() const {
  std::lock_guard lock(mutex_);
  return closed_ && queue_.empty();
}

std::optional<std::string> EventStream::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  std::string record = std::move(queue_.front());
  queue_.pop_front();
  return record;
}

bool EventStream::pop_into(std::string& out, std::chrono::milliseconds timeout,
                           std::size_t max_bytes) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return false;
  do {
    out += queue_.front();
    queue_.pop_front();
  } while (!queue_.empty() && out.size() + queue_.front().size() <= max_bytes);
  return true;
}

}  // namespace steward::cluster
