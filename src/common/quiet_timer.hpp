#pragma once

namespace steward {

// Due once nothing has poked it for `quiet` seconds since the last poke: a burst of work
// pokes it at every piece, and memory is released once, after the last.
class QuietTimer {
 public:
  explicit QuietTimer(double quiet) : quiet_(quiet) {}
  void poke(double now) { due_at_ = now + quiet_; }
  // True once when due; false until the next poke after that.
  bool take(double now) {
    if (due_at_ < 0 || now < due_at_) return false;
    due_at_ = -1;
    return true;
  }

 private:
  double quiet_;
  double due_at_ = -1;
};

}  // namespace steward
