#pragma once

// How the executor delivers one status update: an attempt that gets no answer (the cluster
// is away or restarting) or a 5xx is made again, with a backoff up to `max_backoff`, until
// it is delivered, refused for good (another 4xx: the agent does not know this executor), or
// the sender stops. An attempt that throws counts as one without an answer. Updates are sent one
// after another from a queue, so a retried update holds the later ones back: were it dropped
// instead, a task's RUNNING could reach the agent after its FINISHED. (It is also sent again after
// the next subscription, as every update not yet acknowledged is; the agent drops the copy.)

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

#include "mesos/scheduler_client.hpp"

namespace steward::executor {

class UpdateSender {
 public:
  using Response = mesos::SchedulerClient::Response;
  using Attempt = std::function<Response(const std::string& body)>;

  explicit UpdateSender(Attempt attempt, double first_backoff = 0.05, double max_backoff = 1)
      : attempt_(std::move(attempt)), first_(first_backoff), max_(max_backoff) {}

  // Delivers `body`; returns the last answer (status 0 when it stopped before any).
  Response send(const std::string& body) {
    double backoff = first_;
    for (;;) {
      Response r;
      try {
        r = attempt_(body);
      } catch (const std::exception& e) {  // dropped, it would let the next one pass it
        r = Response{};
        r.error = e.what();
      }
      if (r.status != 0 && r.status < 500) return r;
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::duration<double>(backoff), [&] { return stopped_; }))
        return r;
      backoff = std::min(backoff * 2, max_);
    }
  }
  // Ends a send() waiting to try again, and every later one after its first attempt.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
  }

 private:
  Attempt attempt_;
  double first_;
  double max_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
};

}  // namespace steward::executor
