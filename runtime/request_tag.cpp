#include "runtime/request_tag.hpp"

#include <type_traits>
#include <variant>

#include "domain/order_id.hpp"

namespace ordo::runtime {

std::optional<std::size_t> request_tag(const request_body& body, std::string_view customer) {
  return std::visit(
    [&](const auto& b) -> std::optional<std::size_t> {
      using T = std::decay_t<decltype(b)>;
      if constexpr (std::is_same_v<T, get_request> || std::is_same_v<T, cancel_request> ||
                    std::is_same_v<T, ship_request> || std::is_same_v<T, deliver_request> ||
                    std::is_same_v<T, return_request> || std::is_same_v<T, refund_request>) {
        const auto tag = domain::tag_index(domain::order_id_tag(b.order));
        return tag < domain::customer_tags ? std::optional{tag} : std::nullopt;
      } else if constexpr (std::is_same_v<T, place_request>) {
        if (customer.empty())
          return std::nullopt;
        return domain::tag_index(domain::customer_tag(customer));
      } else {
        return std::nullopt;
      }
    },
    body);
}

bool served_elsewhere(errc code, std::string_view message) {
  // What the order actor answers then (actors/order_actor.cpp, await_tag).
  return code == errc::unavailable && message.find("is not served by this node") != std::string_view::npos;
}

} // namespace ordo::runtime
