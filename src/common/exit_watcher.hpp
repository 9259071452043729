#pragma once

// Notices processes exiting as it happens, so an event loop need not wait for its next tick
// to reap them: the cluster daemon its executors (to give their resources back), an executor
// its tasks and checks (to report them). Each watched process gets a pidfd in an epoll set,
// and a thread waits on the set. The watcher only signals: reaping and everything else stays
// with the loop, which polls on its tick anyway (the watcher is a shortcut, not the source of
// truth, and where pidfds are missing it does nothing).

#include <sys/types.h>

#include <functional>
#include <mutex>
#include <set>
#include <thread>

namespace steward {

class ExitWatcher {
 public:
  // `on_exit` runs on the watcher's thread, once for each watched process that exits.
  explicit ExitWatcher(std::function<void()> on_exit);
  ~ExitWatcher();
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  // Watches `pid` (a child, or any process this one may signal). False when it cannot:
  // the process is already gone, or the kernel has no pidfds.
  bool watch(pid_t pid);
  // Whether this kernel gives pidfds (Linux 5.3 and later, unless a sandbox refuses them).
  static bool supported();

 private:
  void run();

  std::function<void()> on_exit_;
  int epoll_ = -1;
  int stop_ = -1;  // an eventfd that ends the thread
  std::mutex mutex_;
  std::set<int> pidfds_;  // open pidfds, closed once their process exits or at the end
  std::thread thread_;
};

}  // namespace steward
