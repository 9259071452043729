#include "mesos/call_queue.hpp"

#include <exception>

namespace steward::mesos {

CallQueue::CallQueue(Send send, Failed failed)
    : send_(std::move(send)), failed_(std::move(failed)), thread_([this] { run(); }) {}

CallQueue::~CallQueue() {
  stop();
}

void CallQueue::push(std::string body, const char* what) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back({std::move(body), what});
  }
  wake_.notify_one();
}

void CallQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  drained_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CallQueue::clear() {
  std::lock_guard lock(mutex_);
  queue_.clear();
  if (!busy_) drained_.notify_all();
}

std::size_t CallQueue::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + (busy_ ? 1 : 0);
}

void CallQueue::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return stopping_ || (queue_.empty() && !busy_); });
}

void CallQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    // On the loop, a throwing call was caught by the loop's guard; here it would end the
    // process.
    try {
      SchedulerClient::Response r;
      try {
        r = send_(item.body);
      } catch (const std::exception& e) {
        r.status = 0;
        r.error = e.what();
      }
      if ((r.status != 200 && r.status != 202) && failed_) failed_(item.what, r);
    } catch (...) {  // the report itself failed (no memory to log): the call is lost anyway
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
  busy_ = false;
  drained_.notify_all();
}

}  // namespace steward::mesos
