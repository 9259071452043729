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
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<Task> batch;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_tick, [&] { return stopping_ || !queue_.empty(); });
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
    if (std::chrono::steady_clock::now() >= next_tick) {
      if (tick_) run_guarded(tick_);
      next_tick = std::chrono::steady_clock::now() + period_;
    }
  }
}

}  // namespace steward
