#include "scheduler/revive_limiter.hpp"

#include <algorithm>

namespace steward::scheduler {

bool ReviveLimiter::try_take(double now) {
  if (last_ >= 0 && refill_ > 0) tokens_ = std::min(capacity_, tokens_ + (now - last_) / refill_);
  last_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace steward::scheduler
