#pragma once

// REVIVE is expensive for a master (every filter of the framework is dropped), so revives are
// rate-limited with a token bucket: a burst of `capacity`, then one per `refill_seconds`.
// A revive that is refused stays wanted; the scheduler asks again on its next tick.
// A serial plan REVIVEs about once per hand-off between steps (the offers it declined while
// the last step ran are filtered): hello-world's deploy sends five in under half a second,
// and a burst of 3 refilled once a second held its fourth hand-off for most of a second.
// A parallel deploy of 10,000 pods sends one.

namespace steward::scheduler {

class ReviveLimiter {
 public:
  explicit ReviveLimiter(double capacity = 10, double refill_seconds = 0.25)
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
