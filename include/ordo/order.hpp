// The ORDER map of docs/PROTOCOL.md as a plain value: what replies, pushes and the events
// stream carry. The domain keeps its own richer state and renders it into this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ordo {

enum class order_status {
  pending_payment,
  paid,
  shipped,
  delivered,
  return_requested,
  returned,
  cancelled,
};

inline constexpr order_status all_order_statuses[] = {
  order_status::pending_payment, order_status::paid,     order_status::shipped,
  order_status::delivered,       order_status::return_requested, order_status::returned,
  order_status::cancelled,
};

std::string_view to_string(order_status status) noexcept;
std::optional<order_status> parse_order_status(std::string_view name) noexcept;

struct order_line {
  std::string sku;
  std::uint32_t qty = 0;
  std::int64_t price = 0;
  std::uint32_t cancelled = 0;
  std::uint32_t returned = 0;

  friend bool operator==(const order_line&, const order_line&) = default;
};

struct order {
  std::string id;
  std::string customer;
  order_status status = order_status::pending_payment;
  std::vector<order_line> lines;
  std::int64_t subtotal = 0;
  std::int64_t shipping_fee = 0;
  std::int64_t total = 0;
  std::int64_t refunded = 0;
  std::uint64_t version = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> tracking;
  std::optional<std::string> reason;

  friend bool operator==(const order&, const order&) = default;
};

} // namespace ordo
