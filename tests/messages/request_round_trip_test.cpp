// Every request survives encode -> frame -> split -> decode unchanged.

#include <gtest/gtest.h>

#include "messages/codec.hpp"
#include "messages/frame.hpp"
#include "sample_messages.hpp"

namespace ordo {
namespace {

TEST(request_round_trip, every_sample_request_decodes_to_itself) {
  for (const auto& req : test::sample_requests()) {
    SCOPED_TRACE(std::string{op_name(req.body)} + " rid=" + std::to_string(req.rid));
    std::string payload;
    encode_request(req, payload);
    const auto decoded = decode_request(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().error.message;
    EXPECT_EQ(*decoded, req);
  }
}

TEST(request_round_trip, every_op_has_a_sample) {
  std::vector<bool> seen(std::variant_size_v<request_body>, false);
  for (const auto& req : test::sample_requests())
    seen[req.body.index()] = true;
  for (std::size_t i = 0; i < seen.size(); ++i)
    EXPECT_TRUE(seen[i]) << "no sample for variant index " << i;
}

TEST(request_round_trip, framed_requests_split_back_one_by_one) {
  std::string stream;
  const auto requests = test::sample_requests();
  for (const auto& req : requests) {
    const auto header = begin_frame(stream);
    encode_request(req, stream);
    end_frame(stream, header);
  }
  frame_splitter splitter{limits::default_max_frame_bytes};
  splitter.append(stream);
  for (const auto& req : requests) {
    const auto event = splitter.next();
    ASSERT_EQ(event.status, frame_status::frame);
    const auto decoded = decode_request(event.payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().error.message;
    EXPECT_EQ(*decoded, req);
  }
  EXPECT_EQ(splitter.next().status, frame_status::need_more);
  EXPECT_EQ(splitter.buffered_bytes(), 0u);
}

TEST(request_round_trip, op_names_are_the_wire_names) {
  EXPECT_EQ(op_name(hello_request{}), "hello");
  EXPECT_EQ(op_name(return_request{}), "return");
  EXPECT_EQ(op_name(subscribe_request{}), "subscribe");
  EXPECT_EQ(op_name(membership_request{}), "membership");
}

TEST(request_round_trip, list_without_limit_takes_the_default) {
  std::string payload;
  encode_request({9, list_request{}}, payload);
  const auto decoded = decode_request(payload);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<list_request>(decoded->body).limit, limits::default_list_limit);
}

} // namespace
} // namespace ordo
