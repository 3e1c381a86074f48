// The order directory: shards of detail::directory_shard for order actors, keyed by order
// id, plus `list` of a customer's orders.
//   (order_atom, order_request) -> ordo::order
//   (list_atom, list_query)     -> order_page
//   (resident_atom)             -> std::size_t, resident order actors of this shard
#pragma once

#include <caf/fwd.hpp>

#include "actors/directory_handles.hpp"
#include "actors/engine_context.hpp"

namespace ordo::actors {

order_directory_actor spawn_order_directory_shard(caf::actor_system& sys, context_ptr ctx,
                                       std::size_t max_resident);

} // namespace ordo::actors
