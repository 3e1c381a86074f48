// Every reply, push and ORDER map survives encode -> decode unchanged.

#include <gtest/gtest.h>

#include "messages/codec.hpp"
#include "sample_messages.hpp"

namespace ordo {
namespace {

TEST(reply_round_trip, every_sample_reply_decodes_to_itself) {
  for (const auto& rep : test::sample_replies()) {
    SCOPED_TRACE("rid=" + std::to_string(rep.rid));
    std::string payload;
    encode_reply(rep, payload);
    const auto decoded = decode_server_message(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_TRUE(std::holds_alternative<reply>(*decoded));
    EXPECT_EQ(std::get<reply>(*decoded), rep);
  }
}

TEST(reply_round_trip, every_reply_kind_has_a_sample) {
  std::vector<bool> seen(std::variant_size_v<reply_body>, false);
  for (const auto& rep : test::sample_replies())
    seen[rep.body.index()] = true;
  for (std::size_t i = 0; i < seen.size(); ++i)
    EXPECT_TRUE(seen[i]) << "no sample for variant index " << i;
}

TEST(reply_round_trip, every_error_code_round_trips_by_its_wire_name) {
  for (auto code : all_errcs) {
    SCOPED_TRACE(std::string{to_string(code)});
    EXPECT_EQ(parse_errc(to_string(code)), code);
    std::string payload;
    encode_reply({7, error_result{code, "why"}}, payload);
    const auto decoded = decode_server_message(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(std::get<error_result>(std::get<reply>(*decoded).body).code, code);
  }
}

TEST(reply_round_trip, every_status_round_trips_by_its_wire_name) {
  for (auto status : all_order_statuses) {
    auto o = test::sample_order();
    o.status = status;
    std::string payload;
    encode_order(o, payload);
    const auto decoded = decode_order(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, o);
  }
}

TEST(reply_round_trip, push_decodes_as_push) {
  const order_push push{test::sample_order()};
  std::string payload;
  encode_push(push, payload);
  const auto decoded = decode_server_message(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(std::holds_alternative<order_push>(*decoded));
  EXPECT_EQ(std::get<order_push>(*decoded), push);
}

TEST(reply_round_trip, error_reply_carries_ok_false_and_the_code_string) {
  std::string payload;
  encode_reply({5, error_result{errc::not_found, "no such order"}}, payload);
  // fixmap(3) "rid" 5 "ok" false "error" fixmap(2) "code" "not_found" ...
  EXPECT_NE(payload.find("not_found"), std::string::npos);
  EXPECT_NE(payload.find("no such order"), std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(payload[0]), 0x83);
}

} // namespace
} // namespace ordo
