#include "actors/restart_limiter.hpp"

#include <cassert>

namespace ordo::actors {

restart_limiter::restart_limiter(std::size_t max_restarts, std::int64_t period_ms)
  : max_restarts_(max_restarts), period_ms_(period_ms) {
  assert(period_ms > 0);
}

void restart_limiter::expire(std::int64_t now_ms) {
  while (!crashes_ms_.empty() && crashes_ms_.front() + period_ms_ <= now_ms)
    crashes_ms_.pop_front();
}

void restart_limiter::record_crash(std::int64_t now_ms) {
  expire(now_ms);
  crashes_ms_.push_back(now_ms);
  // Only the crashes that can still decide matter; older ones would expire first anyway.
  while (crashes_ms_.size() > max_restarts_ + 1)
    crashes_ms_.pop_front();
}

bool restart_limiter::allows_start(std::int64_t now_ms) {
  expire(now_ms);
  return crashes_ms_.size() <= max_restarts_;
}

bool restart_limiter::forgotten(std::int64_t now_ms) {
  expire(now_ms);
  return crashes_ms_.empty();
}

} // namespace ordo::actors
