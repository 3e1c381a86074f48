#include "domain/order_state.hpp"

#include <cstdio>
#include <cstdlib>

#include "domain/pricing.hpp"

namespace ordo::domain {

namespace {

std::string money_text(const char* what, std::int64_t value) {
  return std::string{what} + " = " + std::to_string(value);
}

} // namespace

std::optional<std::string> find_invariant_violation(const order_state& state) {
  const auto& o = state.order;
  if (o.lines.empty())
    return "an order has at least one line";
  for (const auto& line : o.lines) {
    if (line.qty == 0 || line.price <= 0)
      return "line " + line.sku + " has no quantity or price";
    if (line.cancelled + line.returned > line.qty)
      return "line " + line.sku + ": cancelled + returned > qty";
  }
  if (o.subtotal < 0 || o.shipping_fee < 0 || o.total < 0 || o.refunded < 0)
    return "money is negative: " + money_text("subtotal", o.subtotal) + ", " +
           money_text("shipping_fee", o.shipping_fee) + ", " + money_text("total", o.total) +
           ", " + money_text("refunded", o.refunded);
  if (o.subtotal != subtotal_of(o.lines))
    return "subtotal " + std::to_string(o.subtotal) + " is not the sum of its lines " +
           std::to_string(subtotal_of(o.lines));
  if (o.total != o.subtotal + o.shipping_fee)
    return "total is not subtotal + shipping_fee";
  if (o.status == order_status::cancelled) {
    if (o.total != 0)
      return "a cancelled order still has a total";
    for (const auto& line : o.lines)
      if (line.cancelled != line.qty)
        return "a cancelled order has an uncancelled unit of " + line.sku;
  }
  if (state.charged < 0 || o.refunded > state.charged)
    return "refunded " + std::to_string(o.refunded) + " exceeds charged " +
           std::to_string(state.charged);
  switch (o.status) {
    case order_status::pending_payment:
      if (state.charged != 0 || o.refunded != 0)
        return "an unpaid order has money moved";
      break;
    case order_status::paid:
    case order_status::shipped:
    case order_status::delivered:
    case order_status::return_requested:
      if (state.charged - o.refunded != o.total)
        return "charged - refunded != total on a paid order";
      break;
    case order_status::cancelled:
      if (o.refunded != state.charged)
        return "a cancelled order was not refunded in full";
      break;
    case order_status::returned:
      break;
  }
  if (o.version == 0)
    return "a stored order has at least the placed event";
  if (o.updated_at < o.created_at)
    return "updated_at is before created_at";
  return std::nullopt;
}

void require_invariants(const order_state& state) {
  if (const auto violation = find_invariant_violation(state)) {
    std::fprintf(stderr, "ordo: invariant violated on order %s: %s\n", state.order.id.c_str(),
                 violation->c_str());
    std::abort();
  }
}

} // namespace ordo::domain
