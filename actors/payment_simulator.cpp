// The built-in payment service: answers after a configurable latency and declines a
// configurable share of authorizations, deterministically for a seed. An authorization
// whose deadline comes before its latency is answered timed_out at the deadline.

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <random>

#include "actors/atoms.hpp"
#include "actors/payment.hpp"

namespace ordo::actors {

namespace {

using clock_type = caf::actor_clock;

struct pending_answer {
  caf::response_promise promise;
  payment_decision decision;
};

struct payment_simulator_state {
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  payment_stats stats;
  // Answers waiting out their latency, by when they are due. One timer serves them all (a
  // timer per answer would cost a trip through CAF's clock thread per order).
  std::multimap<clock_type::time_point, pending_answer> pending;
  std::optional<clock_type::time_point> armed; // when the next settle tick comes
  static inline const char* name = "ordo.payment_simulator";
};

using simulator_self = caf::stateful_actor<payment_simulator_state>*;

void arm(simulator_self self, clock_type::time_point due) {
  auto& st = self->state;
  if (st.armed && *st.armed <= due)
    return;
  st.armed = due;
  const auto wait = std::max(clock_type::duration_type::zero(), due - self->clock().now());
  self->delayed_send(self, wait, settle_atom::value, due.time_since_epoch().count());
}

void settle_due(simulator_self self, clock_type::time_point tick) {
  auto& st = self->state;
  if (st.armed && *st.armed == tick)
    st.armed.reset();
  const auto now = self->clock().now();
  auto it = st.pending.begin();
  for (; it != st.pending.end() && it->first <= now; ++it)
    it->second.promise.deliver(it->second.decision);
  st.pending.erase(st.pending.begin(), it);
  if (!st.pending.empty())
    arm(self, st.pending.begin()->first);
}

caf::behavior payment_simulator(simulator_self self, payment_simulator_options opts) {
  self->state.rng.seed(opts.seed);
  return {
    [=](authorize_atom, const std::string&, std::int64_t, std::int64_t answer_within_ms) {
      auto& st = self->state;
      const bool declined = st.uniform(st.rng) < opts.decline_rate;
      const auto within = std::chrono::milliseconds{std::max<std::int64_t>(0, answer_within_ms)};
      auto decision = declined ? payment_decision::declined : payment_decision::authorized;
      auto delay = std::chrono::duration_cast<clock_type::duration_type>(opts.latency);
      if (within < opts.latency) {
        decision = payment_decision::timed_out;
        delay = std::chrono::duration_cast<clock_type::duration_type>(within);
      }
      ++(decision == payment_decision::timed_out ? st.stats.timed_out
         : declined                              ? st.stats.declined
                                                 : st.stats.authorized);
      auto promise = self->make_response_promise();
      const auto due = self->clock().now() + delay;
      st.pending.emplace(due, pending_answer{promise, decision});
      arm(self, due);
      return promise;
    },
    [=](settle_atom, clock_type::duration_type::rep tick) {
      settle_due(self, clock_type::time_point{clock_type::duration_type{tick}});
    },
    [=](void_atom, const std::string&, std::int64_t) { ++self->state.stats.voided; },
    [=](stats_atom) { return self->state.stats; },
  };
}

} // namespace

caf::actor spawn_payment_simulator(caf::actor_system& sys, payment_simulator_options opts) {
  return sys.spawn(payment_simulator, opts);
}

} // namespace ordo::actors
