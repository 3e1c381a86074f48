// What happened to an order. Each event carries every figure decide() computed, so apply_event()
// only records and the events stream (docs/PROTOCOL.md, events) is self-explanatory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordo/order.hpp"
#include "ordo/request.hpp"

namespace ordo::domain {

struct order_placed {
  std::string id;
  std::string customer;
  bool member = false;
  std::vector<order_line> lines;
  std::int64_t subtotal = 0;
  std::int64_t shipping_fee = 0;
  friend bool operator==(const order_placed&, const order_placed&) = default;
};

struct payment_authorized {
  std::int64_t amount = 0;
  friend bool operator==(const payment_authorized&, const payment_authorized&) = default;
};

struct payment_declined {
  friend bool operator==(const payment_declined&, const payment_declined&) = default;
};

struct payment_timed_out {
  friend bool operator==(const payment_timed_out&, const payment_timed_out&) = default;
};

// A customer's full cancel, from pending_payment or paid.
struct order_cancelled {
  std::int64_t refund = 0;
  friend bool operator==(const order_cancelled&, const order_cancelled&) = default;
};

struct order_partially_cancelled {
  std::vector<line_quantity> lines;
  std::int64_t subtotal = 0;
  std::int64_t shipping_fee = 0;
  std::int64_t refund = 0;
  friend bool operator==(const order_partially_cancelled&,
                         const order_partially_cancelled&) = default;
};

struct order_shipped {
  std::string tracking;
  friend bool operator==(const order_shipped&, const order_shipped&) = default;
};

struct order_delivered {
  friend bool operator==(const order_delivered&, const order_delivered&) = default;
};

struct return_requested {
  std::vector<line_quantity> lines;
  friend bool operator==(const return_requested&, const return_requested&) = default;
};

struct order_returned {
  std::int64_t refund = 0;
  friend bool operator==(const order_returned&, const order_returned&) = default;
};

using event_body =
  std::variant<order_placed, payment_authorized, payment_declined, payment_timed_out,
               order_cancelled, order_partially_cancelled, order_shipped, order_delivered,
               return_requested, order_returned>;

struct event {
  std::int64_t at = 0; // Unix ms
  event_body body;
  friend bool operator==(const event&, const event&) = default;
};

// The `type` of the events contract of docs/PROTOCOL.md: "placed", "paid", "cancelled", ...
std::string_view event_type(const event_body& body) noexcept;

// The `reason` a cancelling event records.
inline constexpr std::string_view reason_customer_cancel = "customer_cancel";
inline constexpr std::string_view reason_payment_declined = "payment_declined";
inline constexpr std::string_view reason_payment_timeout = "payment_timeout";

} // namespace ordo::domain
