#include "mesos/call_queue.hpp"

#include <exception>

namespace steward::mesos {

CallQueue::CallQueue(Send send, Failed failed)
    : CallQueue(
          [send = std::move(send)](std::vector<std::string> bodies) {
            std::vector<SchedulerClient::Response> answers;
            for (const std::string& body : bodies)
              answers.push_back(send(body));
            return answers;
          },
          1, std::move(failed)) {}

CallQueue::CallQueue(SendMany send_many, std::size_t batch, Failed failed, Succeeded succeeded)
    : send_(std::move(send_many)),
      batch_(batch == 0 ? 1 : batch),
      failed_(std::move(failed)),
      succeeded_(std::move(succeeded)),
      // Taking a batch from the queue allocates nothing: the thread cannot throw there.
      taken_([n = batch_] {
        std::vector<Item> v;
        v.reserve(n);
        return v;
      }()),
      thread_([this] { run(); }) {}

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
  drained_.notify_all();  // fewer pending: a drain_to() may be satisfied
}

std::size_t CallQueue::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + in_flight_;
}

void CallQueue::drain() {
  drain_to(0);
}

void CallQueue::drain_to(std::size_t most) {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return stopping_ || queue_.size() + in_flight_ <= most; });
}

void CallQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    std::vector<Item>& items = taken_;
    items.clear();
    while (!queue_.empty() && items.size() < batch_) {
      items.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    in_flight_ = items.size();
    lock.unlock();
    // On the loop, a throwing call was caught by the loop's guard; here it would end the
    // process.
    try {
      std::vector<std::string> bodies;
      bodies.reserve(items.size());
      for (Item& item : items)
        bodies.push_back(std::move(item.body));
      std::vector<SchedulerClient::Response> answers;
      try {
        answers = send_(std::move(bodies));
      } catch (const std::exception& e) {
        answers.clear();
        SchedulerClient::Response r;
        r.error = e.what();
        answers.resize(items.size(), r);
      }
      SchedulerClient::Response none;
      none.error = "no answer";
      answers.resize(items.size(), none);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const SchedulerClient::Response& r = answers[i];
        if (r.status != 200 && r.status != 202) {
          if (failed_) failed_(items[i].what, r);
        } else if (succeeded_) {
          succeeded_(items[i].what);
        }
      }
    } catch (...) {  // the report itself failed (no memory to log): the calls are lost anyway
    }
    lock.lock();
    in_flight_ = 0;
    drained_.notify_all();
  }
  in_flight_ = 0;
  drained_.notify_all();
}

}  // namespace steward::mesos
