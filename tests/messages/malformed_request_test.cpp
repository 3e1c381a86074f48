// Every way a request can break the protocol (docs/PROTOCOL.md) is refused with bad_request, with the rid when it
// could be read and 0 otherwise, and a message that names the problem.

#include <gtest/gtest.h>

#include "messages/codec.hpp"
#include "messages/request_limits.hpp"
#include "msgpack_builder.hpp"

namespace ordo {
namespace {

using test::entries;
using test::items;
using test::pack;
using test::value;
using test::with;

entries line(value sku, value qty, value price) {
  return {{"sku", sku}, {"qty", qty}, {"price", price}};
}

entries place(value lines) {
  return {{"op", "place"}, {"rid", 42}, {"idem", "k-1"}, {"lines", lines}};
}

entries valid_place() {
  return place(items{line("A", 1, 100)});
}

entries cancel(value lines) {
  return {{"op", "cancel"}, {"rid", 42}, {"order", "o-1"}, {"idem", "k-1"}, {"lines", lines}};
}

void expect_bad_request(const std::string& payload, std::uint64_t rid,
                        const std::string& message_part) {
  const auto decoded = decode_request(payload);
  ASSERT_FALSE(decoded.ok()) << "accepted a malformed request";
  EXPECT_EQ(decoded.error().error.code, errc::bad_request);
  EXPECT_EQ(decoded.error().rid, rid);
  EXPECT_NE(decoded.error().error.message.find(message_part), std::string::npos)
    << "message was: " << decoded.error().error.message;
}

void expect_bad_request(const entries& map, const std::string& message_part) {
  expect_bad_request(pack(map), 42, message_part);
}

TEST(malformed_request, the_valid_base_case_is_accepted) {
  EXPECT_TRUE(decode_request(pack(valid_place())).ok());
  EXPECT_TRUE(decode_request(pack(cancel(items{entries{{"sku", "A"}, {"qty", 1}}}))).ok());
}

TEST(malformed_request, empty_payload_is_bad_request) {
  expect_bad_request("", 0, "empty");
}

TEST(malformed_request, non_map_is_bad_request_with_rid_0) {
  expect_bad_request(pack(items{1, 2}), 0, "must be a map");
  expect_bad_request(pack(7), 0, "must be a map");
  expect_bad_request(pack("place"), 0, "must be a map");
  expect_bad_request(pack(nullptr), 0, "must be a map");
}

TEST(malformed_request, trailing_bytes_are_bad_request) {
  expect_bad_request(pack(valid_place()) + '\x01', 0, "trailing bytes");
  expect_bad_request(pack(valid_place()) + pack(valid_place()), 0, "trailing bytes");
}

TEST(malformed_request, truncated_map_is_bad_request) {
  const auto whole = pack(valid_place());
  for (std::size_t cut = 1; cut < whole.size(); ++cut)
    expect_bad_request(whole.substr(0, cut), 0, "");
}

TEST(malformed_request, non_string_key_is_bad_request) {
  auto map = valid_place();
  map.emplace_back(value{1}, value{2});
  expect_bad_request(pack(map), 0, "keys must be strings");
}

TEST(malformed_request, duplicate_key_is_bad_request) {
  auto map = valid_place();
  map.emplace_back("idem", "other");
  expect_bad_request(pack(map), 0, "duplicate key 'idem'");
}

TEST(malformed_request, missing_or_ill_typed_rid_answers_rid_0) {
  expect_bad_request(pack(with(valid_place(), "rid", std::nullopt)), 0, "'rid' is missing");
  expect_bad_request(pack(with(valid_place(), "rid", value{-1})), 0, "'rid'");
  expect_bad_request(pack(with(valid_place(), "rid", value{"42"})), 0, "'rid' must be an integer");
  expect_bad_request(pack(with(valid_place(), "rid", value{4.2})), 0, "'rid' must be an integer");
}

TEST(malformed_request, missing_ill_typed_or_unknown_op_answers_with_the_rid) {
  expect_bad_request(with(valid_place(), "op", std::nullopt), "'op' is missing");
  expect_bad_request(with(valid_place(), "op", value{3}), "'op' must be a string");
  expect_bad_request(with(valid_place(), "op", value{"teleport"}), "unknown op 'teleport'");
  expect_bad_request(with(valid_place(), "op", value{"PLACE"}), "unknown op");
}

TEST(malformed_request, hello_and_resume_need_their_credential) {
  expect_bad_request(entries{{"op", "hello"}, {"rid", 42}}, "'token' is missing");
  expect_bad_request(entries{{"op", "hello"}, {"rid", 42}, {"token", 5}}, "'token' must be a string");
  expect_bad_request(entries{{"op", "hello"}, {"rid", 42}, {"token", ""}}, "'token' must have 1 to");
  expect_bad_request(entries{{"op", "hello"}, {"rid", 42}, {"token", std::string(513, 't')}},
                     "'token' must have 1 to 512");
  expect_bad_request(entries{{"op", "resume"}, {"rid", 42}}, "'session' is missing");
}

TEST(malformed_request, place_idem_must_be_1_to_64_bytes) {
  expect_bad_request(with(valid_place(), "idem", std::nullopt), "'idem' is missing");
  expect_bad_request(with(valid_place(), "idem", value{""}), "'idem' must have 1 to 64");
  expect_bad_request(with(valid_place(), "idem", value{std::string(65, 'k')}), "'idem'");
  expect_bad_request(with(valid_place(), "idem", value{7}), "'idem' must be a string");
}

TEST(malformed_request, place_lines_must_hold_1_to_100_maps) {
  expect_bad_request(with(valid_place(), "lines", std::nullopt), "'lines' is missing");
  expect_bad_request(place(items{}), "'lines' must have 1 to 100 entries");
  items too_many;
  for (int i = 0; i < 101; ++i)
    too_many.push_back(line("S" + std::to_string(i), 1, 1));
  expect_bad_request(place(too_many), "'lines' must have 1 to 100 entries");
  expect_bad_request(place(value{"A:1:100"}), "'lines' must be an array");
  expect_bad_request(place(items{value{1}}), "'lines[0]' must be a map");
}

TEST(malformed_request, place_line_fields_keep_their_limits) {
  expect_bad_request(place(items{entries{{"qty", 1}, {"price", 1}}}), "'lines[0].sku' is missing");
  expect_bad_request(place(items{line("", 1, 1)}), "'lines[0].sku' must have 1 to 64");
  expect_bad_request(place(items{line(std::string(65, 's'), 1, 1)}), "'lines[0].sku'");
  expect_bad_request(place(items{line("A", 0, 1)}), "'lines[0].qty' must be between 1 and 1000");
  expect_bad_request(place(items{line("A", 1001, 1)}), "'lines[0].qty' must be between 1 and 1000");
  expect_bad_request(place(items{line("A", -1, 1)}), "'lines[0].qty' must be between 1 and 1000");
  expect_bad_request(place(items{line("A", 1.0, 1)}), "'lines[0].qty' must be an integer");
  expect_bad_request(place(items{line("A", "1", 1)}), "'lines[0].qty' must be an integer");
  expect_bad_request(place(items{line("A", 1, 0)}), "'lines[0].price' must be between 1 and");
  expect_bad_request(place(items{line("A", 1, -5)}), "'lines[0].price' must be between 1 and");
  expect_bad_request(place(items{line("A", 1, std::int64_t{100'000'001})}),
                     "'lines[0].price' must be between 1 and 100000000");
  expect_bad_request(place(items{line("A", 1, std::uint64_t{UINT64_MAX})}), "'lines[0].price'");
  expect_bad_request(place(items{line("A", 1, 1), line("B", 1, 1), line("C", 2000, 1)}),
                     "'lines[2].qty'");
}

TEST(malformed_request, place_sku_may_appear_only_once) {
  expect_bad_request(place(items{line("A", 1, 1), line("B", 1, 1), line("A", 2, 5)}),
                     "names sku 'A' more than once");
}

TEST(malformed_request, order_id_must_be_1_to_32_bytes) {
  const entries get{{"op", "get"}, {"rid", 42}, {"order", "o-1"}};
  EXPECT_TRUE(decode_request(pack(get)).ok());
  expect_bad_request(with(get, "order", std::nullopt), "'order' is missing");
  expect_bad_request(with(get, "order", value{""}), "'order' must have 1 to 32");
  expect_bad_request(with(get, "order", value{std::string(33, 'o')}), "'order' must have 1 to 32");
  expect_bad_request(with(get, "order", value{12}), "'order' must be a string");
}

TEST(malformed_request, list_limit_and_before_keep_their_limits) {
  const entries list{{"op", "list"}, {"rid", 42}};
  EXPECT_TRUE(decode_request(pack(list)).ok());
  expect_bad_request(with(list, "limit", value{0}), "'limit' must be between 1 and 100");
  expect_bad_request(with(list, "limit", value{101}), "'limit' must be between 1 and 100");
  expect_bad_request(with(list, "limit", value{"5"}), "'limit' must be an integer");
  expect_bad_request(with(list, "before", value{""}), "'before' must have 1 to 32");
  expect_bad_request(with(list, "before", value{std::string(33, 'b')}), "'before'");
}

TEST(malformed_request, cancel_and_return_lines_keep_their_limits) {
  for (const char* op : {"cancel", "return"}) {
    SCOPED_TRACE(op);
    const auto base = with(cancel(items{entries{{"sku", "A"}, {"qty", 1}}}), "op", value{op});
    EXPECT_TRUE(decode_request(pack(base)).ok());
    EXPECT_TRUE(decode_request(pack(with(base, "lines", std::nullopt))).ok());
    expect_bad_request(with(base, "idem", std::nullopt), "'idem' is missing");
    expect_bad_request(with(base, "order", std::nullopt), "'order' is missing");
    expect_bad_request(with(base, "lines", value{items{}}), "'lines' must have 1 to 100 entries");
    expect_bad_request(with(base, "lines", value{items{entries{{"sku", "A"}, {"qty", 0}}}}),
                       "'lines[0].qty' must be between 1 and 1000");
    expect_bad_request(with(base, "lines", value{items{entries{{"qty", 1}}}}),
                       "'lines[0].sku' is missing");
    expect_bad_request(with(base, "lines",
                            value{items{entries{{"sku", "A"}, {"qty", 1}},
                                        entries{{"sku", "A"}, {"qty", 1}}}}),
                       "names sku 'A' more than once");
  }
}

TEST(malformed_request, ship_needs_a_tracking_string) {
  const entries ship{{"op", "ship"}, {"rid", 42}, {"order", "o-1"}, {"tracking", "T-1"}};
  EXPECT_TRUE(decode_request(pack(ship)).ok());
  expect_bad_request(with(ship, "tracking", std::nullopt), "'tracking' is missing");
  expect_bad_request(with(ship, "tracking", value{""}), "'tracking' must have 1 to 128");
  expect_bad_request(with(ship, "tracking", value{std::string(129, 't')}), "'tracking'");
}

TEST(malformed_request, membership_needs_a_boolean) {
  const entries membership{{"op", "membership"}, {"rid", 42}, {"member", true}};
  EXPECT_TRUE(decode_request(pack(membership)).ok());
  expect_bad_request(with(membership, "member", std::nullopt), "'member' is missing");
  expect_bad_request(with(membership, "member", value{1}), "'member' must be a boolean");
  expect_bad_request(with(membership, "member", value{"true"}), "'member' must be a boolean");
}

TEST(malformed_request, unknown_extra_fields_are_ignored) {
  auto map = valid_place();
  map.emplace_back("trace_id", "abc");
  EXPECT_TRUE(decode_request(pack(map)).ok());
}

TEST(malformed_request, a_huge_declared_array_is_refused_without_allocating_it) {
  // map32-free: fixmap(1) "x" array32 of 4,294,967,295 entries, with no entries following.
  const std::string payload = "\x81\xa1x\xdd\xff\xff\xff\xff";
  expect_bad_request(payload, 0, "");
  const std::string huge_map = "\xdf\xff\xff\xff\xff";
  expect_bad_request(huge_map, 0, "");
  const std::string huge_string = "\x81\xa1x\xdb\xff\xff\xff\xf0";
  expect_bad_request(huge_string, 0, "");
}

TEST(malformed_request, deep_nesting_is_refused) {
  std::string payload = "\x81\xa1x";
  for (int i = 0; i < 10'000; ++i)
    payload += '\x91';
  payload += '\x01';
  expect_bad_request(payload, 0, "");
}

} // namespace
} // namespace ordo

namespace ordo {
namespace {

// The typed check every door shares: what the decoder refuses, check_limits refuses too.
TEST(request_limits, typed_requests_are_held_to_the_same_limits) {
  EXPECT_FALSE(check_limits(place_request{"k", {{"A", 1, 1}}}));
  EXPECT_TRUE(check_limits(place_request{"", {{"A", 1, 1}}}));
  EXPECT_TRUE(check_limits(place_request{std::string(65, 'k'), {{"A", 1, 1}}}));
  EXPECT_TRUE(check_limits(place_request{"k", {}}));
  EXPECT_TRUE(check_limits(place_request{"k", {{"A", 0, 1}}}));
  EXPECT_TRUE(check_limits(place_request{"k", {{"A", 1, 0}}}));
  EXPECT_TRUE(check_limits(place_request{"k", {{"A", 1, 1}, {"A", 1, 1}}}));
  EXPECT_TRUE(check_limits(get_request{""}));
  EXPECT_TRUE(check_limits(get_request{std::string(33, 'o')}));
  EXPECT_TRUE(check_limits(list_request{0, std::nullopt}));
  EXPECT_TRUE(check_limits(list_request{101, std::nullopt}));
  EXPECT_TRUE(check_limits(cancel_request{"o", "", std::nullopt}));
  EXPECT_TRUE(check_limits(cancel_request{"o", "k", std::vector<line_quantity>{}}));
  EXPECT_TRUE(check_limits(return_request{"o", "k", std::vector<line_quantity>{{"A", 1001}}}));
  EXPECT_TRUE(check_limits(ship_request{"o", ""}));
  EXPECT_TRUE(check_limits(hello_request{""}));
  EXPECT_FALSE(check_limits(ping_request{}));
  EXPECT_EQ(check_limits(place_request{"", {{"A", 1, 1}}})->code, errc::bad_request);
}

} // namespace
} // namespace ordo
