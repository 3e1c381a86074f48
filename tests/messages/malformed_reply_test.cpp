// Clients refuse replies, pushes and ORDER maps that break the protocol (docs/PROTOCOL.md) instead of guessing.

#include <gtest/gtest.h>

#include "messages/codec.hpp"
#include "msgpack_builder.hpp"

namespace ordo {
namespace {

using test::entries;
using test::items;
using test::pack;
using test::value;
using test::with;

entries order_map() {
  return {{"id", "o-1"},
          {"customer", "alice"},
          {"status", "paid"},
          {"lines", items{entries{{"sku", "A"},
                                  {"qty", 2},
                                  {"price", 100},
                                  {"cancelled", 0},
                                  {"returned", 0}}}},
          {"subtotal", 200},
          {"shipping_fee", 3000},
          {"total", 3200},
          {"refunded", 0},
          {"version", 2},
          {"created_at", 1},
          {"updated_at", 2}};
}

void expect_refused(const entries& map, const std::string& message_part) {
  const auto decoded = decode_server_message(pack(map));
  ASSERT_FALSE(decoded.ok()) << "accepted a malformed server message";
  EXPECT_EQ(decoded.error().code, errc::bad_request);
  EXPECT_NE(decoded.error().message.find(message_part), std::string::npos)
    << "message was: " << decoded.error().message;
}

TEST(malformed_reply, the_valid_base_cases_are_accepted) {
  EXPECT_TRUE(decode_server_message(pack(entries{{"rid", 1}, {"ok", true}, {"order", order_map()}})).ok());
  EXPECT_TRUE(decode_server_message(pack(entries{{"push", "order"}, {"order", order_map()}})).ok());
  EXPECT_TRUE(decode_order(pack(order_map())).ok());
}

TEST(malformed_reply, reply_needs_rid_and_boolean_ok) {
  expect_refused(entries{{"ok", true}, {"pong", true}}, "'rid' is missing");
  expect_refused(entries{{"rid", 1}, {"pong", true}}, "'ok' is missing");
  expect_refused(entries{{"rid", 1}, {"ok", 1}, {"pong", true}}, "'ok' must be a boolean");
}

TEST(malformed_reply, success_without_a_known_result_is_refused) {
  expect_refused(entries{{"rid", 1}, {"ok", true}}, "no known result");
  expect_refused(entries{{"rid", 1}, {"ok", true}, {"weather", "fine"}}, "no known result");
}

TEST(malformed_reply, error_needs_a_known_code) {
  const entries base{{"rid", 1}, {"ok", false}, {"error", entries{{"code", "conflict"}, {"message", "m"}}}};
  EXPECT_TRUE(decode_server_message(pack(base)).ok());
  expect_refused(with(base, "error", std::nullopt), "'error' is missing");
  expect_refused(with(base, "error", value{entries{{"code", "oops"}}}), "'error.code' is not a known");
  expect_refused(with(base, "error", value{"conflict"}), "'error' must be a map");
}

TEST(malformed_reply, session_needs_a_known_role) {
  const entries base{{"rid", 1},        {"ok", true},   {"session", "s"},
                     {"subject", "bob"}, {"role", "operator"}, {"expires_at", 5}};
  EXPECT_TRUE(decode_server_message(pack(base)).ok());
  expect_refused(with(base, "role", value{"admin"}), "'role' is not a known role");
  expect_refused(with(base, "expires_at", std::nullopt), "'expires_at' is missing");
}

TEST(malformed_reply, order_fields_keep_their_limits) {
  const auto reply_with = [](entries o) {
    return entries{{"rid", 1}, {"ok", true}, {"order", o}};
  };
  expect_refused(reply_with(with(order_map(), "status", value{"lost"})),
                 "'order.status' is not a known status");
  expect_refused(reply_with(with(order_map(), "total", value{-1})), "'order.total'");
  expect_refused(reply_with(with(order_map(), "version", std::nullopt)), "'order.version' is missing");
  expect_refused(reply_with(with(order_map(), "lines", value{items{}})), "'order.lines' must have");
  expect_refused(reply_with(with(order_map(), "lines",
                                 value{items{entries{{"sku", "A"},
                                                     {"qty", 2},
                                                     {"price", 100},
                                                     {"cancelled", 3},
                                                     {"returned", 0}}}})),
                 "'order.lines[0].cancelled' must be between 0 and 2");
}

TEST(malformed_reply, push_must_be_an_order_push) {
  expect_refused(entries{{"push", "invoice"}, {"order", order_map()}}, "'push' is not a known push");
  expect_refused(entries{{"push", "order"}}, "'order' is missing");
}

} // namespace
} // namespace ordo
