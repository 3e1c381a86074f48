// Fee and refund arithmetic at and around every threshold of docs/DOMAIN.md.

#include <gtest/gtest.h>

#include "domain/pricing.hpp"
#include "order_fixture.hpp"

namespace ordo::domain {
namespace {

using namespace test;

TEST(pricing, non_member_pays_shipping_just_below_19800) {
  EXPECT_EQ(shipping_fee_for(false, 19'799), 3'000);
  EXPECT_EQ(shipping_fee_for(false, 1), 3'000);
}

TEST(pricing, non_member_ships_free_from_19800) {
  EXPECT_EQ(shipping_fee_for(false, 19'800), 0);
  EXPECT_EQ(shipping_fee_for(false, 19'801), 0);
}

TEST(pricing, members_never_pay_shipping) {
  EXPECT_EQ(shipping_fee_for(true, 1), 0);
  EXPECT_EQ(shipping_fee_for(true, 19'799), 0);
}

TEST(pricing, nothing_left_ships_for_nothing) {
  EXPECT_EQ(shipping_fee_for(false, 0), 0);
}

TEST(pricing, return_fee_is_taken_from_the_refund_but_never_below_zero) {
  EXPECT_EQ(return_refund_for(false, 4'999), 0);
  EXPECT_EQ(return_refund_for(false, 5'000), 0);
  EXPECT_EQ(return_refund_for(false, 5'001), 1);
  EXPECT_EQ(return_refund_for(false, 20'000), 15'000);
}

TEST(pricing, members_return_free) {
  EXPECT_EQ(return_refund_for(true, 4'999), 4'999);
}

TEST(pricing, placed_order_records_the_shipping_fee_at_the_threshold) {
  EXPECT_EQ(placed({{"A", 1, 19'799}}).order.total, 22'799);
  EXPECT_EQ(placed({{"A", 1, 19'800}}).order.total, 19'800);
  EXPECT_EQ(placed({{"A", 1, 19'799}}, true).order.total, 19'799);
}

TEST(pricing, partial_cancel_that_keeps_free_shipping_refunds_the_cancelled_part) {
  // 30,000 -> 20,000: still at or above 19,800.
  const auto s = step(paid({{"A", 3, 10'000}}), cancel_order{std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(s.order.shipping_fee, 0);
  EXPECT_EQ(s.order.refunded, 10'000);
}

TEST(pricing, partial_cancel_that_makes_shipping_due_refunds_less_the_fee) {
  // 30,000 -> 15,000 + 3,000 shipping: refund 12,000.
  const auto s = step(paid({{"A", 2, 15'000}}), cancel_order{std::vector<line_quantity>{{"A", 1}}});
  EXPECT_EQ(s.order.shipping_fee, 3'000);
  EXPECT_EQ(s.order.total, 18'000);
  EXPECT_EQ(s.order.refunded, 12'000);
}

TEST(pricing, partial_cancel_whose_refund_is_exactly_zero_is_allowed) {
  // 22,799 ships free; without the 3,000 item, 19,799 + 3,000 shipping = 22,799: refund 0.
  const auto s = step(paid({{"A", 1, 19'799}, {"B", 1, 3'000}}),
                      cancel_order{std::vector<line_quantity>{{"B", 1}}});
  EXPECT_EQ(s.order.status, order_status::paid);
  EXPECT_EQ(s.order.total, 22'799);
  EXPECT_EQ(s.order.refunded, 0);
}

TEST(pricing, partial_cancel_with_a_negative_refund_is_invalid_state) {
  // 20,000 -> 19,000 + 3,000 = 22,000: the customer would owe 2,000.
  EXPECT_EQ(refused_with(paid({{"A", 1, 19'000}, {"B", 1, 1'000}}),
                         cancel_order{std::vector<line_quantity>{{"B", 1}}}),
            errc::invalid_state);
}

TEST(pricing, members_partial_cancel_never_makes_shipping_due) {
  const auto s = step(paid({{"A", 1, 19'000}, {"B", 1, 1'000}}, true),
                      cancel_order{std::vector<line_quantity>{{"B", 1}}});
  EXPECT_EQ(s.order.refunded, 1'000);
  EXPECT_EQ(s.order.shipping_fee, 0);
}

TEST(pricing, full_cancel_after_a_partial_one_refunds_what_is_left_including_shipping) {
  const auto partly = step(paid({{"A", 2, 15'000}}), cancel_order{std::vector<line_quantity>{{"A", 1}}});
  const auto s = step(partly, cancel_order{});
  EXPECT_EQ(s.order.refunded, 30'000);
  EXPECT_EQ(s.charged, 30'000);
}

TEST(pricing, membership_recorded_at_placement_decides_the_return_fee) {
  const auto member = step(return_pending({{"A", 1, 4'000}}, true), refund_return{}, t0 + 3'000);
  EXPECT_EQ(member.order.refunded, 4'000);
  const auto non_member = step(return_pending({{"A", 1, 4'000}}), refund_return{}, t0 + 3'000);
  EXPECT_EQ(non_member.order.refunded, 0);
}

TEST(pricing, refund_of_a_partial_return_counts_only_returned_units) {
  const auto s = step(delivered({{"A", 2, 10'000}, {"B", 1, 8'000}}),
                      request_return{std::vector<line_quantity>{{"B", 1}}}, t0 + 2'000);
  const auto r = step(s, refund_return{}, t0 + 3'000);
  EXPECT_EQ(r.order.refunded, 3'000);
}

TEST(pricing, returned_units_exclude_cancelled_ones) {
  auto s = step(paid({{"A", 3, 10'000}}), cancel_order{std::vector<line_quantity>{{"A", 1}}});
  s = step(s, ship_order{"T"});
  s = step(s, deliver_order{}, t0 + 1'000);
  s = step(s, request_return{}, t0 + 2'000);
  EXPECT_EQ(s.order.lines[0].returned, 2u);
  s = step(s, refund_return{}, t0 + 3'000);
  EXPECT_EQ(s.order.refunded, 10'000 + 15'000);
}

} // namespace
} // namespace ordo::domain
