#include "common/exit_watcher.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace steward {

ExitWatcher::ExitWatcher(std::function<void()> on_exit) : on_exit_(std::move(on_exit)) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  stop_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || stop_ < 0) return;  // watch() refuses; the loop's poll still works
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.fd = stop_;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, stop_, &e) != 0) return;
  thread_ = std::thread([this] { run(); });
}

ExitWatcher::~ExitWatcher() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    while (::write(stop_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int fd : pidfds_)
    ::close(fd);
  if (stop_ >= 0) ::close(stop_);
  if (epoll_ >= 0) ::close(epoll_);
}

bool ExitWatcher::watch(pid_t pid) {
  if (!thread_.joinable() || pid <= 0) return false;
#ifdef SYS_pidfd_open
  // A pidfd is close-on-exec from the start: no executor inherits it.
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return false;
  std::lock_guard lock(mutex_);
  // One-shot: a pidfd stays readable once its process has exited, and the thread closes it
  // after the first report.
  epoll_event e{};
  e.events = EPOLLIN | EPOLLONESHOT;
  e.data.fd = fd;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e) != 0) {
    ::close(fd);
    return false;
  }
  pidfds_.insert(fd);
  return true;
#else
  return false;
#endif
}

bool ExitWatcher::supported() {
#ifdef SYS_pidfd_open
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  if (fd < 0) return false;
  ::close(fd);
  return true;
#else
  return false;
#endif
}

void ExitWatcher::run() {
  epoll_event events[16];
  for (;;) {
    const int n = epoll_wait(epoll_, events, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    int exited = 0;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == stop_) return;
      std::lock_guard lock(mutex_);
      // Closing drops it from the epoll set too.
      if (pidfds_.erase(fd) > 0) ::close(fd);
      ++exited;
    }
    for (int i = 0; i < exited; ++i)
      on_exit_();
  }
}

}  // namespace steward
