#include "cluster/ownership.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ordo::cluster {

lease_timing timing_for(std::int64_t lease_ms) {
  assert(lease_ms >= 100);
  const lease_timing timing{lease_ms, lease_ms / 3, lease_ms / 5};
  assert(max_answer_delay_ms(timing) > 0); // the margin covers the drift, with room to spare
  return timing;
}

std::int64_t max_answer_delay_ms(const lease_timing& timing) {
  const auto lease_ms = static_cast<double>(timing.lease_ms);
  const auto margin_ms = static_cast<double>(timing.margin_ms);
  return static_cast<std::int64_t>(
      std::floor((margin_ms - lease_ms * max_drift) / (1 - max_drift)));
}

tag_ownership::tag_ownership(lease_timing timing)
    : timing_(timing) {
  // A margin below the drift is allowed (the simulation's broken node uses 0); one that
  // leaves no time to serve, or a renewal that comes after serving stopped, is not.
  assert(timing_.margin_ms >= 0 && timing_.margin_ms < timing_.lease_ms);
  assert(timing_.renew_after_ms > 0 &&
         timing_.renew_after_ms < timing_.lease_ms - timing_.margin_ms);
}

bool tag_ownership::may_serve(std::int64_t now_ms) const noexcept {
  return phase_ == tag_phase::held && now_ms < asked_at_ms_ + timing_.lease_ms - timing_.margin_ms;
}

bool tag_ownership::wants_acquire(std::int64_t now_ms) const noexcept {
  return phase_ == tag_phase::idle && now_ms >= retry_at_ms_;
}

tag_ownership::ticket tag_ownership::acquire_sent(std::int64_t now_ms) {
  assert(phase_ == tag_phase::idle);
  phase_ = tag_phase::acquiring;
  sent_at_ms_ = now_ms;
  return send();
}

bool tag_ownership::wants_renew(std::int64_t now_ms) const noexcept {
  return phase_ == tag_phase::held && !out_ && now_ms >= asked_at_ms_ + timing_.renew_after_ms;
}

tag_ownership::ticket tag_ownership::renew_sent(std::int64_t now_ms) {
  assert(phase_ == tag_phase::held && !out_);
  sent_at_ms_ = now_ms;
  return send();
}

void tag_ownership::hand_off() {
  assert(phase_ == tag_phase::held);
  phase_ = tag_phase::handing_off;
}

bool tag_ownership::wants_release() const noexcept {
  return (phase_ == tag_phase::handing_off || phase_ == tag_phase::releasing) && !out_;
}

tag_ownership::ticket tag_ownership::release_sent() {
  assert(wants_release());
  // From here on the epoch is never served again, whatever becomes of this release: a
  // release still on its way could free the lease after any later grant of the same epoch.
  retired_epoch_ = epoch_;
  phase_ = tag_phase::releasing;
  return send();
}

bool tag_ownership::granted(ticket t, std::uint64_t epoch) {
  if (!answers(t))
    return false;
  out_ = false;
  if (phase_ == tag_phase::acquiring) {
    // Redis never grants this owner an epoch it released or lost (a release is answered
    // before the next acquire goes out, and a lapsed lease comes back under a new epoch).
    assert(epoch > retired_epoch_);
    phase_ = tag_phase::held;
    epoch_ = epoch;
    asked_at_ms_ = sent_at_ms_;
    return true;
  }
  assert((phase_ == tag_phase::held || phase_ == tag_phase::handing_off) && epoch == epoch_);
  assert(sent_at_ms_ >= asked_at_ms_);
  asked_at_ms_ = sent_at_ms_;
  return false;
}

void tag_ownership::refused(ticket t, std::int64_t now_ms, std::int64_t lease_left_ms) {
  if (!answers(t))
    return;
  out_ = false;
  if (phase_ == tag_phase::acquiring) {
    phase_ = tag_phase::idle;
    // A clock running faster than Redis' asks a little early and is refused again, with
    // what is left; one out of bounds (a Redis clock that stepped) waits a lease at most.
    retry_at_ms_ = now_ms + std::clamp<std::int64_t>(lease_left_ms, 1, timing_.lease_ms);
    return;
  }
  assert(phase_ == tag_phase::held || phase_ == tag_phase::handing_off);
  retire();
}

void tag_ownership::released(ticket t) {
  if (!answers(t))
    return;
  assert(phase_ == tag_phase::releasing);
  out_ = false;
  phase_ = tag_phase::idle;
  epoch_ = 0;
}

void tag_ownership::timed_out(ticket t) {
  if (!answers(t))
    return;
  out_ = false;
  if (phase_ == tag_phase::acquiring)
    phase_ = tag_phase::idle;
}

void tag_ownership::lost(std::uint64_t epoch) {
  if ((phase_ == tag_phase::held || phase_ == tag_phase::handing_off) && epoch == epoch_)
    retire();
}

tag_ownership::ticket tag_ownership::send() {
  assert(!out_);
  out_ = true;
  return ++ticket_;
}

void tag_ownership::retire() {
  retired_epoch_ = epoch_;
  epoch_ = 0;
  out_ = false;
  phase_ = tag_phase::idle;
}

} // namespace ordo::cluster
