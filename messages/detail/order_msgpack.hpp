// The ORDER map in msgpack, shared by replies, pushes and the events stream's order_state.
#pragma once

#include "messages/detail/map_reader.hpp"
#include "messages/detail/msgpack_io.hpp"
#include "ordo/order.hpp"

namespace ordo::messages::detail {

void pack_order(packer& pk, const order& o);

order read_order(map_reader& reader);

} // namespace ordo::messages::detail
