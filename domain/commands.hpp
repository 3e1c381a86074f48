// What can be asked of an order: customers' and operators' commands and the payment
// outcomes the engine feeds back. Already decoded and authorized; decide() judges them
// against the order's state.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ordo/request.hpp"

namespace ordo::domain {

struct place_order {
  std::string id;
  std::string customer;
  bool member = false;
  std::vector<line_item> lines;
};

struct authorize_payment {};
struct decline_payment {};
struct expire_payment {};

// Absent lines cancel everything that remains.
struct cancel_order {
  std::optional<std::vector<line_quantity>> lines;
};

struct ship_order {
  std::string tracking;
};

struct deliver_order {};

// Absent lines return every unit that was not cancelled.
struct request_return {
  std::optional<std::vector<line_quantity>> lines;
};

struct refund_return {};

using command = std::variant<place_order, authorize_payment, decline_payment, expire_payment,
                             cancel_order, ship_order, deliver_order, request_return,
                             refund_return>;

} // namespace ordo::domain
