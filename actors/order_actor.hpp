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

#include "actors/directory_handles.hpp"
#include "actors/engine_context.hpp"
#include "domain/order_state.hpp"

namespace ordo::actors {

parked_order park(const domain::order_state& state, std::uint64_t epoch = 0);
std::optional<domain::order_state> unpark(const parked_order& parked);

// `directory` receives (retire_atom, id) when the actor has nothing to keep resident,
// (crashed_atom, id) when it dies of an exception, and (park_atom, id, parked_order) just
// before it answers (passivate_atom) -> true. `parked` starts the actor with that state
// instead of reading it from the store.
caf::actor spawn_order_actor(caf::local_actor* parent, context_ptr ctx,
                             order_directory_actor directory, std::string order_id, bool is_new,
                             std::optional<parked_order> parked);

// The local group an order's changes are pushed to: one per customer.
std::string order_push_group(const std::string& customer);

// The group every order's push goes to as well: other nodes' links join it, so that their
// subscribers hear of changes made on this node.
std::string every_order_push_group();

} // namespace ordo::actors

