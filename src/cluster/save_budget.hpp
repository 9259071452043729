#pragma once

// How often the cluster daemon may write its checkpoint. A checkpoint holds the whole state,
// so its cost grows with the tasks held, and saving at every change made a deploy of
// thousands of tasks quadratic. Saves may take a tenth of the daemon's time over any long
// stretch (at most T/10 + burst over T seconds): each spends its cost from a budget that
// refills at a tenth of the time passing, and none starts while the budget is spent. Up to
// `burst` seconds of it is banked while nothing is saved, so that the saves in a row a serial
// plan's hand-offs need (updates, their acknowledgements, the executors' ends: 2-4 ms apiece for a
// small cluster, a few dozen in hello-world's deploy, which a bank of 20 ms still held back by
// 20-60 ms a hand-off) need not each wait ten times the last one's cost; a save of a large cluster
// (0.2-0.3 s at 10,000 tasks) costs more than the bank, and is spaced nearly as if there
// were none. Times are seconds on one clock.

#include <algorithm>

namespace steward::cluster {

class SaveBudget {
 public:
  explicit SaveBudget(double ratio = 10, double burst = 0.1)
      : ratio_(ratio), burst_(burst), budget_(burst) {}

  // Whether a save may start at `now` (the budget is brought up to date first).
  bool may_save(double now) {
    refill(now);
    return budget_ > -1e-9;  // a refill to exactly 0 may round just below it
  }
  // A save that started at or after the last may_save() took `cost` seconds.
  void spent(double cost) { budget_ -= std::max(0.0, cost); }
  // How long after the last may_save() the next save may start (0: at once).
  double wait() const { return budget_ >= 0 ? 0 : -budget_ * ratio_; }

 private:
  void refill(double now) {
    if (started_) budget_ = std::min(burst_, budget_ + std::max(0.0, now - at_) / ratio_);
    started_ = true;
    at_ = now;
  }

  double ratio_;
  double burst_;
  double budget_;
  double at_ = 0;
  bool started_ = false;
};

}  // namespace steward::cluster
