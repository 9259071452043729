#pragma once

// REVIVE is expensive for a master (every filter of the framework is dropped), so revives are
// rate-limited with a token bucket: a burst of `capacity`, then one per `refill_seconds`.
// A revive that is refused stays wanted; the scheduler asks again on its next tick.

namespace steward::scheduler {

class ReviveLimiter {
 public:
  explicit ReviveLimiter(double capacity = 3, double refill_seconds = 1)
      : capacity_(capacity), refill_(refill_seconds), tokens_(capacity) {}

  // True (and a token spent) when a revive may go out at `now`.
  bool try_take(double now);

 private:
  double capacity_;
  double refill_;
  double tokens_;
  double last_ = -1;
};

}  // namespace steward::scheduler
