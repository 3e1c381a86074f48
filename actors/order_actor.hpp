// The order actor: one per order, a virtual actor activated by its directory shard. It runs
// one command at a time (later ones wait in order), persists each event through the store
// with the expected version and replies only after the store confirms; a refused write
// leaves its state where it was. It also drives payment: it asks for authorization after
// `placed`, cancels at the payment deadline, and voids an authorization that came too late.
#pragma once

#include <caf/fwd.hpp>

#include <string>

#include "actors/engine_context.hpp"

namespace ordo::actors {

// `directory` receives (retire_atom, id) when the actor has nothing to keep resident and
// (crashed_atom, id) when it dies of an exception; it answers (passivate_atom) -> bool.
caf::actor spawn_order_actor(caf::event_based_actor* parent, context_ptr ctx,
                             caf::actor directory, std::string order_id, bool is_new);

// The local group an order's changes are pushed to: one per customer.
std::string order_push_group(const std::string& customer);

} // namespace ordo::actors
