// The order actor: one per order, a virtual actor activated by its directory shard. It runs
// one command at a time (later ones wait in order), persists each event through the store
// with the expected version and replies only after the store confirms; a refused write
// leaves its state where it was. It also drives payment: it asks for authorization after
// `placed`, cancels at the payment deadline, and voids an authorization that came too late.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "actors/engine_context.hpp"
#include "domain/order_state.hpp"

namespace ordo::actors {

// An idle order's state kept by its directory shard without a live actor: the order
// encoded as on the wire (a few hundred bytes, against some 3 KiB for a live actor), so
// that its next command activates it without a store round trip.
struct parked_order {
  std::string encoded; // messages/codec encode_order
  std::int64_t delivered_at = 0;
  std::int64_t charged = 0;
  bool member = false;
};

parked_order park(const domain::order_state& state);
std::optional<domain::order_state> unpark(const parked_order& parked);

// `directory` receives (retire_atom, id) when the actor has nothing to keep resident,
// (crashed_atom, id) when it dies of an exception, and (park_atom, id, parked_order) just
// before it answers (passivate_atom) -> true. `parked` starts the actor with that state
// instead of reading it from the store.
caf::actor spawn_order_actor(caf::event_based_actor* parent, context_ptr ctx,
                             caf::actor directory, std::string order_id, bool is_new,
                             std::optional<parked_order> parked);

// The local group an order's changes are pushed to: one per customer.
std::string order_push_group(const std::string& customer);

} // namespace ordo::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::parked_order)
