// OTP's restart intensity for one supervised child: at most `max_restarts` crashes within
// `period_ms`; beyond that the child stays down until the window has slid past.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace ordo::actors {

class restart_limiter {
public:
  restart_limiter(std::size_t max_restarts, std::int64_t period_ms);

  void record_crash(std::int64_t now_ms);

  // Whether the child may be (re)started now.
  bool allows_start(std::int64_t now_ms);

  // True once no crash is within the window: the limiter can be forgotten.
  bool forgotten(std::int64_t now_ms);

private:
  void expire(std::int64_t now_ms);

  std::size_t max_restarts_;
  std::int64_t period_ms_;
  std::deque<std::int64_t> crashes_ms_;
};

} // namespace ordo::actors
