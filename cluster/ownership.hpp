// A node's own view of its lease on one customer shard tag (one tag_ownership per tag on a
// node): when to ask Redis for the lease, when to renew it, when to give it up, and above
// all whether the node may serve the tag right now. Driven by the node's monotonic clock,
// which the caller passes in as `now_ms` (this file reads no clock), and by the answers to
// the requests it says it sent. Redis applies cluster/lease_rules.hpp to those requests.
//
// CLOCK ASSUMPTION. The node's monotonic clock and Redis' clock advance at rates whose ratio
// stays within [1 - max_drift, 1 + max_drift]. A lease is counted from the moment its
// request was SENT (node clock), which is before Redis began the term, and the node stops
// serving `margin_ms` before that count reaches `lease_ms`. The node's `lease_ms - margin_ms`
// take at most (lease_ms - margin_ms) / (1 - max_drift) of Redis' time, so the node's last
// answer leaves before Redis can hand the tag to anybody else as long as the time between
// reading the clock for may_serve and sending the answer stays under
//   max_answer_delay_ms = (margin_ms - lease_ms * max_drift) / (1 - max_drift).
// With timing_for's margin of lease/5 and max_drift = 5 % that is 15.8 % of the lease
// (473 ms of a 3 s lease): NTP slews a monotonic clock by at most 0.05 %, so 5 % leaves
// room for virtualised clocks, and an actor reads the clock per message, so the delay is a
// handler's run time. A process stopped longer than that (SIGSTOP, a VM pause) between the
// check and the send can answer stale; one stopped anywhere else finds on waking that its
// clock has moved on. Redis' side must hold too: its clock must not step (a Lua script
// should read a monotonic time, or Redis' host must never have its clock set), or a lease
// can end early.
//
// The caller sends at most one lease request per tag at a time and reports its answer, or
// its timeout, under the ticket that *_sent returned; an answer under any other ticket is to
// a request given up on and changes nothing.
#pragma once

#include <cstdint>

namespace ordo::cluster {

inline constexpr double max_drift = 0.05;

struct lease_timing {
  std::int64_t lease_ms = 3000;
  std::int64_t renew_after_ms = 1000; // renew this long after the last grant was asked for
  std::int64_t margin_ms = 600;       // stop serving this long before the lease can end
};

// renew_after = lease / 3, margin = lease / 5.
lease_timing timing_for(std::int64_t lease_ms);

// The longest a node may take between deciding with may_serve and sending its answer (see
// the clock assumption above); negative when the margin does not even cover the drift.
std::int64_t max_answer_delay_ms(const lease_timing& timing);

enum class tag_phase {
  idle,        // not held, not asked for
  acquiring,   // an acquire is out
  held,        // granted; served while may_serve
  handing_off, // held but serving nothing new: release once the work in flight has finished
  releasing,   // a release is out; acquiring again waits for its answer
};

class tag_ownership {
public:
  using ticket = std::uint64_t;

  explicit tag_ownership(lease_timing timing);

  tag_phase phase() const noexcept { return phase_; }

  // The epoch held, handed off or being released; 0 when there is none.
  std::uint64_t epoch() const noexcept { return epoch_; }

  // The newest epoch this node has held: what an acquire asks Redis to exceed.
  std::uint64_t epoch_floor() const noexcept { return epoch_ > retired_epoch_ ? epoch_ : retired_epoch_; }

  // Held, and the lease cannot have run out yet by this node's clock, with the margin.
  bool may_serve(std::int64_t now_ms) const noexcept;

  // Idle, and past the end of the lease that refused the last acquire.
  bool wants_acquire(std::int64_t now_ms) const noexcept;
  ticket acquire_sent(std::int64_t now_ms);

  // Held, nothing out, and renew_after_ms since the newest grant was asked for.
  bool wants_renew(std::int64_t now_ms) const noexcept;
  ticket renew_sent(std::int64_t now_ms);

  // The tag is not this node's any more: serve nothing new, then release.
  void hand_off();

  // Handing off or releasing with nothing out. The caller releases only once the tag's
  // commits in flight have been answered or have timed out.
  bool wants_release() const noexcept;
  ticket release_sent();

  // An acquire or renew was granted under `epoch`. True when the tag just became held: its
  // data must be loaded afresh before it is served, since another holder may have changed
  // it (every acquired epoch is new to this node).
  bool granted(ticket t, std::uint64_t epoch);

  // An acquire refused: somebody else holds the lease, which Redis showed with
  // `lease_left_ms` to run (its expiry less Redis' now); it is asked for again once that
  // has passed by this node's clock, when the holder will have renewed it or lost it. Or a
  // renew refused (`lease_left_ms` does not matter): the lease is gone, idle.
  void refused(ticket t, std::int64_t now_ms, std::int64_t lease_left_ms);

  void released(ticket t);

  // No answer in time. The request may still have been applied: an acquire is simply asked
  // again (the rules grant a live holder its own epoch), a renew or release likewise.
  void timed_out(ticket t);

  // Redis refused a commit decided under `epoch` for want of a current lease. About an
  // epoch other than the one held, it changes nothing.
  void lost(std::uint64_t epoch);

private:
  bool answers(ticket t) const noexcept { return out_ && t == ticket_; }
  ticket send();
  void retire();

  lease_timing timing_;
  tag_phase phase_ = tag_phase::idle;
  std::uint64_t epoch_ = 0;
  // The newest epoch this node released or lost: it never serves under it again.
  std::uint64_t retired_epoch_ = 0;
  std::int64_t asked_at_ms_ = 0; // send time of the newest granted request
  std::int64_t retry_at_ms_ = 0;
  bool out_ = false; // a request is out under ticket_
  ticket ticket_ = 0;
  std::int64_t sent_at_ms_ = 0; // of the acquire or renew out
};

} // namespace ordo::cluster
