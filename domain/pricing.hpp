// Money rules of docs/DOMAIN.md (KRW, no minor unit) for membership ("WOW"): shipping fee,
// return fee, line sums.
#pragma once

#include <cstdint>
#include <vector>

#include "ordo/order.hpp"

namespace ordo::domain {

inline constexpr std::int64_t shipping_fee_krw = 3'000;
inline constexpr std::int64_t free_shipping_from_krw = 19'800;
inline constexpr std::int64_t return_fee_krw = 5'000;
inline constexpr std::int64_t return_window_ms = 30LL * 24 * 60 * 60 * 1000;

// Members ship free; others pay below the threshold. Nothing left to ship costs nothing.
std::int64_t shipping_fee_for(bool member, std::int64_t subtotal_krw);

// Members return free; others give up the fee from the refund, which never goes below 0.
std::int64_t return_refund_for(bool member, std::int64_t returned_value_krw);

// Sum of price x (qty - cancelled): what the customer still buys.
std::int64_t subtotal_of(const std::vector<order_line>& lines);

// Sum of price x returned.
std::int64_t returned_value_of(const std::vector<order_line>& lines);

} // namespace ordo::domain
