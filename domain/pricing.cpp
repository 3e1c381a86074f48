#include "domain/pricing.hpp"

#include <algorithm>
#include <cassert>

namespace ordo::domain {

std::int64_t shipping_fee_for(bool member, std::int64_t subtotal_krw) {
  assert(subtotal_krw >= 0);
  if (member || subtotal_krw == 0 || subtotal_krw >= free_shipping_from_krw)
    return 0;
  return shipping_fee_krw;
}

std::int64_t return_refund_for(bool member, std::int64_t returned_value_krw) {
  assert(returned_value_krw >= 0);
  const auto fee = member ? 0 : return_fee_krw;
  return std::max<std::int64_t>(0, returned_value_krw - fee);
}

std::int64_t subtotal_of(const std::vector<order_line>& lines) {
  std::int64_t sum = 0;
  for (const auto& line : lines)
    sum += line.price * static_cast<std::int64_t>(line.qty - line.cancelled);
  return sum;
}

std::int64_t returned_value_of(const std::vector<order_line>& lines) {
  std::int64_t sum = 0;
  for (const auto& line : lines)
    sum += line.price * static_cast<std::int64_t>(line.returned);
  return sum;
}

} // namespace ordo::domain
