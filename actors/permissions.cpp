#include "actors/permissions.hpp"

#include <type_traits>

namespace ordo::actors {

bool role_may(ordo::role role, const request_body& body) {
  return std::visit(
    [role](const auto& req) {
      using T = std::decay_t<decltype(req)>;
      constexpr bool anyone = std::is_same_v<T, hello_request> ||
                              std::is_same_v<T, resume_request> || std::is_same_v<T, ping_request>;
      constexpr bool both = std::is_same_v<T, get_request>;
      constexpr bool operator_only = std::is_same_v<T, ship_request> ||
                                     std::is_same_v<T, deliver_request> ||
                                     std::is_same_v<T, refund_request>;
      if constexpr (anyone || both)
        return true;
      else if constexpr (operator_only)
        return role == ordo::role::operator_;
      else
        return role == ordo::role::customer;
    },
    body);
}

} // namespace ordo::actors
