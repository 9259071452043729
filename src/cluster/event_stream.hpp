#pragma once

// One subscriber's event stream: the loop pushes RecordIO records, the HTTP worker that
// holds the subscriber's connection pops and writes them. Closing ends the stream after
// what was already queued.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace steward::cluster {

class EventStream {
 public:
  explicit EventStream(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }
  void push(std::string record);
  void close();
  bool closed() const;
  // The next record; nullopt on timeout, or once closed and drained (then `finished()`).
  std::optional<std::string> pop(std::chrono::milliseconds timeout);
  // Every record queued, appended to `out` while it holds under `max_bytes` (one at least),
  // waiting up to `timeout` for the first; false when none came. A worker that sent each
  // record alone made 20,000 sends and as many wake-ups of its subscriber in a deploy of
  // 10,000 tasks.
  bool pop_into(std::string& out, std::chrono::milliseconds timeout, std::size_t max_bytes);
  bool finished() const;

 private:
  std::string id_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  bool closed_ = false;
};

}  // namespace steward::cluster
