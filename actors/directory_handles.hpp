// The typed handles of the two directories' shards, so that the compiler names the handler
// of every message sent to one (actors/directory_shard.hpp implements both):
//   order shards:   order commands and reads, a customer's list, and what an order actor
//                   tells its shard (nothing to keep, crashed, parked state before it goes);
//   session shards: every request of the front (gateway, embedding API), and what a
//                   session actor tells its shard.
// Both answer (resident_atom) with their resident actors; order shards (park_atom) with
// their parked orders.
#pragma once

#include <cstddef>
#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/order_protocol.hpp"
#include "actors/session_protocol.hpp"
#include "actors/store.hpp"

namespace ordo::actors {

using order_directory_actor = caf::typed_actor<
    caf::replies_to<order_atom, order_request>::with<ordo::order>,
    caf::replies_to<list_atom, list_query>::with<order_page>,
    caf::reacts_to<retire_atom, std::string>, caf::reacts_to<crashed_atom, std::string>,
    caf::reacts_to<park_atom, std::string, parked_order>, caf::reacts_to<sweep_atom, bool>,
    caf::replies_to<resident_atom>::with<std::size_t>,
    caf::replies_to<park_atom>::with<std::size_t>>;

using session_directory_actor =
    caf::typed_actor<caf::replies_to<request_atom, session_request>::with<ordo::reply_body>,
                     caf::reacts_to<retire_atom, std::string>,
                     caf::reacts_to<crashed_atom, std::string>, caf::reacts_to<sweep_atom, bool>,
                     caf::replies_to<resident_atom>::with<std::size_t>>;

} // namespace ordo::actors
