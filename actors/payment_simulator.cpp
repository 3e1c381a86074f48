// The built-in payment service: answers after a configurable latency and declines a
// configurable share of authorizations, deterministically for a seed.

#include <caf/all.hpp>

#include <map>
#include <random>

#include "actors/atoms.hpp"
#include "actors/payment.hpp"

namespace ordo::actors {

namespace {

struct payment_simulator_state {
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  payment_stats stats;
  // Answers waiting out their latency, by ticket.
  std::map<std::uint64_t, std::pair<caf::response_promise, payment_decision>> pending;
  std::uint64_t next_ticket = 0;
  static inline const char* name = "ordo.payment_simulator";
};

caf::behavior payment_simulator(caf::stateful_actor<payment_simulator_state>* self,
                                payment_simulator_options opts) {
  self->state.rng.seed(opts.seed);
  return {
    [=](authorize_atom, const std::string& order_id, std::int64_t amount_krw) {
      auto& st = self->state;
      const bool declined = st.uniform(st.rng) < opts.decline_rate;
      ++(declined ? st.stats.declined : st.stats.authorized);
      auto promise = self->make_response_promise();
      const auto decision = declined ? payment_decision::declined : payment_decision::authorized;
      // The answer waits out the latency in a timer; this actor never blocks.
      const auto ticket = st.next_ticket++;
      st.pending.emplace(ticket, std::make_pair(promise, decision));
      self->delayed_send(self, opts.latency, settle_atom::value, ticket);
      return promise;
    },
    [=](settle_atom, std::uint64_t ticket) {
      auto it = self->state.pending.find(ticket);
      if (it == self->state.pending.end())
        return;
      it->second.first.deliver(it->second.second);
      self->state.pending.erase(it);
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
