// The payment service interface. An order actor asks it to authorize an order's total and
// later, if the order was cancelled before the answer applied, to void that authorization.
// The built-in simulator implements it; a real adapter (a PSP client) replaces it by
// answering the same messages.
//
//   (authorize_atom, order_id, amount_krw, answer_within_ms) -> payment_decision
//   (void_atom, order_id, amount_krw)                         -> nothing (fire and forget)
//   (stats_atom)                                              -> payment_stats
//
// Contract: an adapter answers every authorization within answer_within_ms (the time left
// to the order's payment deadline), with timed_out when the provider has not decided by
// then, and voids on its own an authorization the provider grants later. So order actors
// wait without timers of their own, as they do on the store; an engine that dies meanwhile
// leaves the deadline to the deadline scanner. An adapter must be idempotent per order id:
// after an engine restart an unpaid order asks again.
#pragma once

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>

namespace ordo::actors {

enum class payment_decision {
  authorized,
  declined,
  timed_out, // no decision by the order's payment deadline
};

struct payment_stats {
  std::uint64_t authorized = 0;
  std::uint64_t declined = 0;
  std::uint64_t voided = 0;
  std::uint64_t timed_out = 0;
};

struct payment_simulator_options {
  std::chrono::milliseconds latency{3};
  double decline_rate = 0.0; // 0..1
  std::uint64_t seed = 1;
};

caf::actor spawn_payment_simulator(caf::actor_system& sys, payment_simulator_options opts);

} // namespace ordo::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::payment_decision)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::payment_stats)
