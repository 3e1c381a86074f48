#include "sample_messages.hpp"

#include <string>

namespace ordo::test {

order sample_order() {
  order o;
  o.id = "01J9Z3K4M5N6P7Q8R9S0T1V2W3";
  o.customer = "alice-42";
  o.status = order_status::shipped;
  o.lines = {{"SKU-1", 2, 9'900, 0, 0}, {"SKU-2", 1, 100'000'000, 0, 0}};
  o.subtotal = 2 * 9'900 + 100'000'000;
  o.shipping_fee = 0;
  o.total = o.subtotal;
  o.refunded = 0;
  o.version = 3;
  o.created_at = 1'764'000'000'000;
  o.updated_at = 1'764'000'050'000;
  o.tracking = "TRK-000123";
  return o;
}

order sample_cancelled_order() {
  order o;
  o.id = "x";
  o.customer = "bob";
  o.status = order_status::cancelled;
  o.lines = {{"A", 1000, 1, 1000, 0}};
  o.refunded = 4'000;
  o.version = 2;
  o.created_at = 1;
  o.updated_at = 2;
  o.reason = "payment_timeout";
  return o;
}

std::vector<request> sample_requests() {
  std::vector<line_item> hundred_lines;
  for (int i = 0; i < 100; ++i)
    hundred_lines.push_back({"sku-" + std::to_string(i), static_cast<std::uint32_t>(i + 1),
                             static_cast<std::int64_t>(i) * 1'000'000 + 1});
  return {
    {1, hello_request{"customer.alice.1764000000.abcdef"}},
    {2, resume_request{"s-123"}},
    {3, ping_request{}},
    {4, place_request{"idem-1", {{"SKU-1", 2, 9'900}}}},
    {5, place_request{std::string(64, 'k'), hundred_lines}},
    {6, get_request{"01J9Z3K4M5N6P7Q8R9S0T1V2W3"}},
    {7, list_request{}},
    {8, list_request{100, "01J9Z3K4M5N6P7Q8R9S0T1V2W3"}},
    {9, cancel_request{"o1", "idem-2", std::nullopt}},
    {10, cancel_request{"o1", "idem-3", std::vector<line_quantity>{{"SKU-1", 1}, {"B", 1000}}}},
    {11, ship_request{"o1", "TRK-1"}},
    {12, deliver_request{"o1"}},
    {13, return_request{"o1", "idem-4", std::nullopt}},
    {14, return_request{"o1", "idem-5", std::vector<line_quantity>{{"SKU-1", 2}}}},
    {15, refund_request{"o1"}},
    {16, membership_request{true}},
    {17, membership_request{false}},
    {18, subscribe_request{}},
    {0, ping_request{}},
    {UINT64_MAX, ping_request{}},
  };
}

std::vector<reply> sample_replies() {
  return {
    {1, session_result{"s-123", "alice", role::customer, 1'764'000'000'000}},
    {2, session_result{"s-124", "ops-1", role::operator_, 1}},
    {3, pong_result{}},
    {4, order_result{sample_order()}},
    {5, order_result{sample_cancelled_order()}},
    {6, orders_result{}},
    {7, orders_result{{sample_order(), sample_cancelled_order()}}},
    {8, membership_result{true}},
    {9, membership_result{false}},
    {10, subscribed_result{}},
    {11, error_result{errc::invalid_state, "order is shipped"}},
    {0, error_result{errc::bad_request, ""}},
  };
}

} // namespace ordo::test
