#include "common/event_loop.hpp"

#include <cstdio>
#include <exception>

namespace steward {

EventLoop::EventLoop(std::chrono::milliseconds period, Task tick)
    : period_(period), tick_(std::move(tick)) {}

EventLoop::~EventLoop() {
  stop();
}

void EventLoop::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void EventLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && !on_loop_thread()) thread_.join();
}

bool EventLoop::post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return false;  // nothing would ever run it
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void EventLoop::tick_at(std::chrono::steady_clock::time_point when) {
  {
    std::lock_guard lock(mutex_);
    if (tick_requested_ && *tick_requested_ <= when) return;
    tick_requested_ = when;
  }
  wake_.notify_one();
}

// A task that throws is a bug, but it must not take the daemon down with it: the loop
// reports it and goes on. (Tasks from call() deliver their exception to the caller.)
void EventLoop::run_guarded(Task& task) {
  try {
    task();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "event loop: a task failed: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "event loop: a task failed\n");
  }
}

void EventLoop::run() {
  using Clock = std::chrono::steady_clock;
  auto next_tick = Clock::now();
  for (;;) {
    std::deque<Task> batch;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      // The deadline is worked out again after every wake-up: a tick_at() may have brought
      // it forward.
      while (!stopping_ && queue_.empty()) {
        auto due = next_tick;
        if (tick_requested_ && *tick_requested_ < due) due = *tick_requested_;
        if (Clock::now() >= due) break;
        wake_.wait_until(lock, due);
      }
      batch.swap(queue_);
      stopping = stopping_;
    }
    for (Task& task : batch)
      task();
    if (stopping) {
      // Tasks posted while the last batch ran still get an answer (callers may be waiting).
      std::deque<Task> rest;
      {
        std::lock_guard lock(mutex_);
        rest.swap(queue_);
        finished_ = true;
      }
      for (Task& task : rest)
        task();
      return;
    }
    const auto now = Clock::now();
    bool due = now >= next_tick;
    {
      std::lock_guard lock(mutex_);
      if (tick_requested_ && *tick_requested_ <= now) {
        tick_requested_.reset();
        due = true;
      }
    }
    if (due) {
      if (tick_) run_guarded(tick_);
      next_tick = Clock::now() + period_;
    }
  }
}

}  // namespace steward
