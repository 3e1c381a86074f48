// Peer frames: both kinds round-trip, client frames are never taken for them, and anything
// malformed is a bad_request value.

#include <gtest/gtest.h>

#include "messages/codec.hpp"
#include "messages/peer_frames.hpp"

namespace ordo {
namespace {

std::string encoded(const peer_frame& f) {
  std::string out;
  encode_peer_frame(f, out);
  return out;
}

TEST(peer_frames, both_kinds_round_trip) {
  const node_hello hello{"10.0.0.7:7400", 1'764'000'000'123, std::string(64, 'a')};
  std::string request;
  encode_request(ordo::request{42, get_request{"ORDER"}}, request);
  const forwarded_request forward{std::string(34, 'f'), request};
  for (const peer_frame& f : {peer_frame{hello}, peer_frame{forward}}) {
    const auto bytes = encoded(f);
    EXPECT_TRUE(is_peer_frame(bytes));
    const auto back = decode_peer_frame(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, f);
  }
  // The forwarded payload is the client's request, intact.
  const auto back = decode_peer_frame(encoded(forward));
  const auto inner = decode_request(std::get<forwarded_request>(*back).request);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->rid, 42u);
}

TEST(peer_frames, a_client_frame_is_never_a_peer_frame) {
  std::string request;
  encode_request(ordo::request{1, ping_request{}}, request);
  EXPECT_FALSE(is_peer_frame(request));
  EXPECT_FALSE(is_peer_frame(""));
}

TEST(peer_frames, malformed_frames_are_bad_requests) {
  const std::vector<std::string> bad{
    "\x90",                         // []
    "\x91\x07",                     // [7]
    "\x92\x00\xa1x",                // a hello without its time and proof
    "\x94\x00\x01\x02\x03",         // a hello with numbers for strings
    "\x93\x01\xa1s\xa1r",           // a forward whose request is a str, not bin
    "\x93\x01\xa1s",                // truncated
  };
  for (const auto& b : bad) {
    const auto decoded = decode_peer_frame(b);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, errc::bad_request);
  }
}

} // namespace
} // namespace ordo
