#pragma once

// Task statuses received and not yet persisted. The loop persists them in batches, one
// state-store transaction (and one fsync) each, and acknowledges them after the commit. A
// batch is bounded: a deploy or a reconciliation brings thousands of statuses at once, and
// one batch of 3,000 (each acknowledged with a call of its own) held the loop, and every API
// request queued behind it, for 600 ms.

#include <algorithm>
#include <cstddef>
#include <deque>
#include <iterator>
#include <vector>

#include "mesos/task_status.hpp"

namespace steward::scheduler {

class StatusQueue {
 public:
  explicit StatusQueue(std::size_t max_batch) : max_batch_(max_batch == 0 ? 1 : max_batch) {}

  // Queues `status`; true when the queue was empty, so that a flush is to be posted.
  bool push(mesos::TaskStatus status) {
    queue_.push_back(std::move(status));
    return queue_.size() == 1;
  }
  // The oldest statuses, at most max_batch of them.
  std::vector<mesos::TaskStatus> take() {
    const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_batch_));
    std::vector<mesos::TaskStatus> batch(std::make_move_iterator(queue_.begin()),
                                         std::make_move_iterator(queue_.begin() + n));
    queue_.erase(queue_.begin(), queue_.begin() + n);
    return batch;
  }
  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }

 private:
  std::size_t max_batch_;
  std::deque<mesos::TaskStatus> queue_;
};

}  // namespace steward::scheduler
