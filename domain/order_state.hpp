// The order aggregate's state: the ORDER of docs/PROTOCOL.md plus what the rules need and the
// wire does not show (the membership recorded at placement, when it was delivered).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ordo/order.hpp"

namespace ordo::domain {

struct order_state {
  ordo::order order;
  bool member = false;         // membership when placed; decides every fee of this order
  std::int64_t delivered_at = 0; // Unix ms; starts the 30-day return window
  std::int64_t charged = 0;      // what the payment captured; refunds never exceed it

  friend bool operator==(const order_state&, const order_state&) = default;
};

// The first broken invariant, or nothing: money never negative; subtotal and total equal
// the sum of their lines and fees; cancelled + returned <= qty; a cancelled order is all
// zero; what was charged less what was refunded is what the order still costs.
std::optional<std::string> find_invariant_violation(const order_state& state);

// Aborts with the violation printed: a broken invariant must crash, never persist.
void require_invariants(const order_state& state);

} // namespace ordo::domain
