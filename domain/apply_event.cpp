// apply_event(): records an event decided earlier. It trusts decide() for the rules and checks
// the result's invariants, so a wrong event crashes instead of being persisted.

#include <algorithm>
#include <cassert>

#include "domain/order_aggregate.hpp"
#include "domain/pricing.hpp"

namespace ordo::domain {

namespace {

order_line& line_of(order_state& state, std::string_view sku) {
  for (auto& line : state.order.lines)
    if (line.sku == sku)
      return line;
  assert(false && "event names a line the order does not have");
  std::abort();
}

void cancel_everything(order_state& state, std::int64_t refund, std::string_view reason) {
  for (auto& line : state.order.lines)
    line.cancelled = line.qty;
  state.order.subtotal = 0;
  state.order.shipping_fee = 0;
  state.order.total = 0;
  state.order.refunded += refund;
  state.order.status = order_status::cancelled;
  state.order.reason = std::string{reason};
}

order_state placed_state(const order_placed& e, std::int64_t at) {
  order_state state;
  state.member = e.member;
  auto& o = state.order;
  o.id = e.id;
  o.customer = e.customer;
  o.status = order_status::pending_payment;
  o.lines = e.lines;
  o.subtotal = e.subtotal;
  o.shipping_fee = e.shipping_fee;
  o.total = e.subtotal + e.shipping_fee;
  o.created_at = at;
  o.updated_at = at;
  return state;
}

} // namespace

std::string_view event_type(const event_body& body) noexcept {
  static constexpr std::string_view names[] = {
    "placed",    "paid",    "payment_declined", "payment_timeout",  "cancelled",
    "partially_cancelled", "shipped", "delivered", "return_requested", "returned",
  };
  static_assert(std::size(names) == std::variant_size_v<event_body>);
  return names[body.index()];
}

order_state apply_event(const std::optional<order_state>& previous, const event& e) {
  assert(previous.has_value() != std::holds_alternative<order_placed>(e.body));
  order_state state;
  if (const auto* placed = std::get_if<order_placed>(&e.body))
    state = placed_state(*placed, e.at);
  else
    state = *previous;
  std::visit(
    [&](const auto& ev) {
      using T = std::decay_t<decltype(ev)>;
      auto& o = state.order;
      if constexpr (std::is_same_v<T, payment_authorized>) {
        state.charged = ev.amount;
        o.status = order_status::paid;
      } else if constexpr (std::is_same_v<T, payment_declined>) {
        cancel_everything(state, 0, reason_payment_declined);
      } else if constexpr (std::is_same_v<T, payment_timed_out>) {
        cancel_everything(state, 0, reason_payment_timeout);
      } else if constexpr (std::is_same_v<T, order_cancelled>) {
        cancel_everything(state, ev.refund, reason_customer_cancel);
      } else if constexpr (std::is_same_v<T, order_partially_cancelled>) {
        for (const auto& cancelled : ev.lines)
          line_of(state, cancelled.sku).cancelled += cancelled.qty;
        o.subtotal = ev.subtotal;
        o.shipping_fee = ev.shipping_fee;
        o.total = ev.subtotal + ev.shipping_fee;
        o.refunded += ev.refund;
      } else if constexpr (std::is_same_v<T, order_shipped>) {
        o.tracking = ev.tracking;
        o.status = order_status::shipped;
      } else if constexpr (std::is_same_v<T, order_delivered>) {
        state.delivered_at = e.at;
        o.status = order_status::delivered;
      } else if constexpr (std::is_same_v<T, return_requested>) {
        for (const auto& returned : ev.lines)
          line_of(state, returned.sku).returned += returned.qty;
        o.status = order_status::return_requested;
      } else if constexpr (std::is_same_v<T, order_returned>) {
        o.refunded += ev.refund;
        o.status = order_status::returned;
      }
    },
    e.body);
  // Clocks of different nodes may disagree; an order's timestamps never go backwards.
  state.order.updated_at = std::max(state.order.updated_at, e.at);
  state.order.version = previous ? previous->order.version + 1 : 1;
  assert(!previous || state.order.version > previous->order.version);
  require_invariants(state);
  return state;
}

} // namespace ordo::domain
