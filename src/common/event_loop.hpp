#pragma once

// The one thread that owns a daemon's mutable state. Other threads (HTTP workers, process
// reapers) never touch that state: they post closures here, and wait for an answer when
// they need one. A periodic tick drives timers (heartbeats, retries, timeouts); an event that
// should not wait for the next period asks for the tick sooner (tick_soon, tick_at).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace steward {

class EventLoop {
 public:
  using Task = std::function<void()>;

  // `tick` runs on the loop thread every `period`, and after start.
  EventLoop(std::chrono::milliseconds period, Task tick);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void start();
  // Runs what was posted before, then stops. Idempotent.
  void stop();
  // False (and `task` dropped) once the loop has finished.
  bool post(Task task);
  // The tick runs at `when` (or as soon after as the loop is free) as well as on its period;
  // tick_soon() right after the tasks already posted. Of several requests the earliest is
  // kept, and a tick at or after it answers it: a tick that still needs a later one asks
  // again. From any thread.
  void tick_at(std::chrono::steady_clock::time_point when);
  void tick_soon() { tick_at(std::chrono::steady_clock::now()); }
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs `fn` on the loop and waits for its result.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn()) {
    using R = decltype(fn());
    auto promise = std::make_shared<std::promise<R>>();
    auto future = promise->get_future();
    const bool posted = post([promise, fn = std::move(fn)]() mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          promise->set_value();
        } else {
          promise->set_value(fn());
        }
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
    if (!posted) throw std::runtime_error("the event loop has stopped");
    return future.get();
  }

 private:
  void run();
  static void run_guarded(Task& task);

  std::chrono::milliseconds period_;
  Task tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  std::optional<std::chrono::steady_clock::time_point> tick_requested_;
  bool stopping_ = false;
  bool started_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace steward
