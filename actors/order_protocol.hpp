// What sessions (and the engine itself) ask of an order actor, through its directory shard:
//   (order_atom, order_request) -> ordo::order, or a caf::error carrying an ordo::errc.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "actors/store.hpp"
#include "domain/commands.hpp"

namespace ordo::actors {

// Who asks: a customer may only touch their own orders (others are not_found); an operator
// may touch any. The session has already checked that the role may use the op at all.
struct caller {
  std::string subject;
  ordo::role role = ordo::role::customer;
};

struct read_order {};

using order_op = std::variant<read_order, domain::command>;

// An idle order's state kept by its directory shard without a live actor: the order
// encoded as on the wire (a few hundred bytes, against some 3 KiB for a live actor), so
// that its next command activates it without a store round trip.
struct parked_order {
  std::string encoded; // messages/codec encode_order
  std::int64_t delivered_at = 0;
  std::int64_t charged = 0;
  bool member = false;
  std::uint64_t epoch = 0; // the tag's lease it was current under (0: unfenced engine)
};

struct order_request {
  std::string order_id;
  std::optional<caller> from; // empty: the engine itself (payment outcome, deadline)
  order_op op;
  std::optional<idem_claim> idem;
  bool is_new = false; // a place under a freshly generated id: there is nothing to load
};

} // namespace ordo::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::order_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::parked_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::order)
