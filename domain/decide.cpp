// decide(): the transition table of docs/DOMAIN.md and its money arithmetic.

#include <cassert>
#include <set>

#include "domain/order_aggregate.hpp"
#include "domain/pricing.hpp"
#include "ordo/limits.hpp"

namespace ordo::domain {

namespace {

error bad_request(std::string message) {
  return {errc::bad_request, std::move(message)};
}

error invalid_state(const order_state& state, std::string_view what) {
  return {errc::invalid_state, std::string{what} + " is not allowed while the order is " +
                                 std::string{to_string(state.order.status)}};
}

// The limits are checked once, before a command is made (messages/request_limits.hpp); the
// domain only asserts that its callers did.
bool within_limits(std::string_view sku, std::uint32_t qty) {
  return !sku.empty() && sku.size() <= limits::max_sku_bytes && qty >= limits::min_qty &&
         qty <= limits::max_qty;
}

bool within_limits(const std::vector<line_item>& lines) {
  if (lines.size() < limits::min_lines || lines.size() > limits::max_lines)
    return false;
  std::set<std::string_view> skus;
  for (const auto& line : lines)
    if (!within_limits(line.sku, line.qty) || !skus.insert(line.sku).second ||
        line.price < limits::min_price_krw || line.price > limits::max_price_krw)
      return false;
  return true;
}

result<event_body> decide_place(const place_order& cmd) {
  assert(!cmd.id.empty() && cmd.id.size() <= limits::max_order_id_bytes);
  assert(!cmd.customer.empty() && cmd.customer.size() <= limits::max_subject_bytes);
  assert(within_limits(cmd.lines));
  order_placed placed{cmd.id, cmd.customer, cmd.member, {}, 0, 0};
  for (const auto& line : cmd.lines)
    placed.lines.push_back({line.sku, line.qty, line.price, 0, 0});
  placed.subtotal = subtotal_of(placed.lines);
  placed.shipping_fee = shipping_fee_for(cmd.member, placed.subtotal);
  return event_body{std::move(placed)};
}

order_line* find_line(std::vector<order_line>& lines, std::string_view sku) {
  for (auto& line : lines)
    if (line.sku == sku)
      return &line;
  return nullptr;
}

// Applies `wanted` to a copy of the lines, adding to `cancelled` or `returned` after checking
// each against what is left of its line.
result<std::vector<order_line>> take_units(std::vector<order_line> lines,
                                           const std::vector<line_quantity>& wanted,
                                           bool returning, const order_state& state) {
  assert(wanted.size() >= limits::min_lines && wanted.size() <= limits::max_lines);
  [[maybe_unused]] std::set<std::string_view> seen;
  for (const auto& want : wanted) {
    assert(within_limits(want.sku, want.qty) && seen.insert(want.sku).second);
    auto* line = find_line(lines, want.sku);
    if (line == nullptr)
      return bad_request("order " + state.order.id + " has no line '" + want.sku + "'");
    const auto left = line->qty - line->cancelled - line->returned;
    if (want.qty > left)
      return error{errc::invalid_state, "only " + std::to_string(left) + " of '" + want.sku +
                                          "' can still be " +
                                          (returning ? "returned" : "cancelled")};
    (returning ? line->returned : line->cancelled) += want.qty;
  }
  return lines;
}

bool nothing_left(const std::vector<order_line>& lines) {
  for (const auto& line : lines)
    if (line.cancelled < line.qty)
      return false;
  return true;
}

result<event_body> decide_cancel(const order_state& state, const cancel_order& cmd) {
  const auto status = state.order.status;
  if (status != order_status::pending_payment && status != order_status::paid)
    return invalid_state(state, "cancel");
  const auto full_refund = status == order_status::paid ? state.order.total : 0;
  if (!cmd.lines)
    return event_body{order_cancelled{full_refund}};
  auto lines = take_units(state.order.lines, *cmd.lines, false, state);
  if (!lines)
    return std::move(lines).error();
  if (nothing_left(*lines))
    return event_body{order_cancelled{full_refund}};
  if (status != order_status::paid)
    return error{errc::invalid_state,
                 "a partial cancel needs a paid order; this one is pending_payment"};
  const auto subtotal = subtotal_of(*lines);
  const auto shipping_fee = shipping_fee_for(state.member, subtotal);
  const auto refund = state.order.total - (subtotal + shipping_fee);
  if (refund < 0)
    return error{errc::invalid_state, "this partial cancel would make the shipping fee due and "
                                      "cost more than it refunds (" +
                                        std::to_string(refund) + " KRW)"};
  return event_body{order_partially_cancelled{*cmd.lines, subtotal, shipping_fee, refund}};
}

result<event_body> decide_return(const order_state& state, const request_return& cmd,
                                 std::int64_t now_ms) {
  if (state.order.status != order_status::delivered)
    return invalid_state(state, "return");
  if (now_ms > state.delivered_at + return_window_ms)
    return error{errc::invalid_state, "the 30-day return window has closed"};
  std::vector<line_quantity> wanted;
  if (cmd.lines) {
    wanted = *cmd.lines;
  } else {
    for (const auto& line : state.order.lines)
      if (line.qty > line.cancelled)
        wanted.push_back({line.sku, line.qty - line.cancelled});
  }
  if (auto lines = take_units(state.order.lines, wanted, true, state); !lines)
    return std::move(lines).error();
  return event_body{return_requested{std::move(wanted)}};
}

result<event_body> decide_existing(const order_state& state, const command& cmd,
                                   std::int64_t now_ms) {
  const auto status = state.order.status;
  const auto require = [&](order_status wanted, std::string_view what,
                           event_body body) -> result<event_body> {
    if (status != wanted)
      return invalid_state(state, what);
    return body;
  };
  return std::visit(
    [&](const auto& c) -> result<event_body> {
      using T = std::decay_t<decltype(c)>;
      if constexpr (std::is_same_v<T, place_order>) {
        return error{errc::conflict, "order " + state.order.id + " exists already"};
      } else if constexpr (std::is_same_v<T, authorize_payment>) {
        return require(order_status::pending_payment, "a payment authorization",
                       payment_authorized{state.order.total});
      } else if constexpr (std::is_same_v<T, decline_payment>) {
        return require(order_status::pending_payment, "a payment decline", payment_declined{});
      } else if constexpr (std::is_same_v<T, expire_payment>) {
        return require(order_status::pending_payment, "a payment timeout", payment_timed_out{});
      } else if constexpr (std::is_same_v<T, cancel_order>) {
        return decide_cancel(state, c);
      } else if constexpr (std::is_same_v<T, ship_order>) {
        if (c.tracking.empty() || c.tracking.size() > limits::max_tracking_bytes)
          return bad_request("tracking has 1 to 128 bytes");
        return require(order_status::paid, "ship", order_shipped{c.tracking});
      } else if constexpr (std::is_same_v<T, deliver_order>) {
        return require(order_status::shipped, "deliver", order_delivered{});
      } else if constexpr (std::is_same_v<T, request_return>) {
        return decide_return(state, c, now_ms);
      } else {
        static_assert(std::is_same_v<T, refund_return>);
        const auto refund = return_refund_for(state.member, returned_value_of(state.order.lines));
        return require(order_status::return_requested, "refund", order_returned{refund});
      }
    },
    cmd);
}

} // namespace

result<event> decide(const std::optional<order_state>& state, const command& cmd,
                     std::int64_t now_ms) {
  result<event_body> body = error{errc::internal, "unreachable"};
  if (state)
    body = decide_existing(*state, cmd, now_ms);
  else if (const auto* place = std::get_if<place_order>(&cmd))
    body = decide_place(*place);
  else
    return error{errc::not_found, "no such order"};
  if (!body)
    return std::move(body).error();
  return event{now_ms, std::move(*body)};
}

} // namespace ordo::domain
