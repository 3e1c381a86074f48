#include "ordo/order.hpp"

namespace ordo {

std::string_view to_string(order_status status) noexcept {
  switch (status) {
    case order_status::pending_payment:
      return "pending_payment";
    case order_status::paid:
      return "paid";
    case order_status::shipped:
      return "shipped";
    case order_status::delivered:
      return "delivered";
    case order_status::return_requested:
      return "return_requested";
    case order_status::returned:
      return "returned";
    case order_status::cancelled:
      return "cancelled";
  }
  return "cancelled";
}

std::optional<order_status> parse_order_status(std::string_view name) noexcept {
  for (auto status : all_order_statuses)
    if (to_string(status) == name)
      return status;
  return std::nullopt;
}

} // namespace ordo
