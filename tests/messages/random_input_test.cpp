// Seeded random and mutated inputs: the decoders and the splitter never crash, never throw,
// and whatever they accept re-encodes to an equal value. Set ORDO_TEST_SEED to replay a run.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "messages/codec.hpp"
#include "messages/frame.hpp"
#include "sample_messages.hpp"

namespace ordo {
namespace {

constexpr int random_inputs = 100'000;
constexpr int mutated_inputs = 100'000;

std::uint64_t test_seed() {
  if (const char* text = std::getenv("ORDO_TEST_SEED"))
    return std::strtoull(text, nullptr, 10);
  return std::random_device{}();
}

std::string random_bytes(std::mt19937_64& rng, std::size_t size) {
  std::string out(size, '\0');
  for (auto& c : out)
    c = static_cast<char>(rng());
  // Half the inputs start like a map, so the decoders get past the first byte.
  if (!out.empty() && rng() % 2 == 0)
    out[0] = static_cast<char>(0x80 | (rng() % 16));
  return out;
}

std::string mutate(std::mt19937_64& rng, std::string input) {
  const auto edits = 1 + rng() % 4;
  for (std::uint64_t i = 0; i < edits && !input.empty(); ++i) {
    const auto pos = rng() % input.size();
    switch (rng() % 5) {
      case 0:
        input[pos] = static_cast<char>(rng());
        break;
      case 1:
        input[pos] = static_cast<char>(input[pos] ^ (1 << (rng() % 8)));
        break;
      case 2:
        input.erase(pos, 1 + rng() % 4);
        break;
      case 3:
        input.insert(pos, 1, static_cast<char>(rng()));
        break;
      default:
        input.resize(pos);
        break;
    }
  }
  return input;
}

// Whatever decodes must survive a second round trip unchanged.
void check_request_input(const std::string& input) {
  const auto decoded = decode_request(input);
  if (!decoded.ok()) {
    ASSERT_EQ(decoded.error().error.code, errc::bad_request);
    return;
  }
  std::string again;
  encode_request(*decoded, again);
  const auto redecoded = decode_request(again);
  ASSERT_TRUE(redecoded.ok());
  ASSERT_EQ(*redecoded, *decoded);
}

void check_server_input(const std::string& input) {
  const auto decoded = decode_server_message(input);
  if (!decoded.ok()) {
    ASSERT_EQ(decoded.error().code, errc::bad_request);
    return;
  }
  std::string again;
  if (const auto* rep = std::get_if<reply>(&*decoded))
    encode_reply(*rep, again);
  else
    encode_push(std::get<order_push>(*decoded), again);
  const auto redecoded = decode_server_message(again);
  ASSERT_TRUE(redecoded.ok());
  ASSERT_EQ(*redecoded, *decoded);
}

TEST(random_input, random_bytes_never_crash_the_decoders) {
  const auto seed = test_seed();
  SCOPED_TRACE("ORDO_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng{seed};
  for (int i = 0; i < random_inputs; ++i) {
    const auto input = random_bytes(rng, rng() % 96);
    ASSERT_NO_FATAL_FAILURE(check_request_input(input));
    ASSERT_NO_FATAL_FAILURE(check_server_input(input));
    (void) decode_order(input);
  }
}

TEST(random_input, mutated_valid_messages_never_crash_the_decoders) {
  const auto seed = test_seed();
  SCOPED_TRACE("ORDO_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng{seed};
  std::vector<std::string> requests;
  for (const auto& req : test::sample_requests()) {
    requests.emplace_back();
    encode_request(req, requests.back());
  }
  std::vector<std::string> replies;
  for (const auto& rep : test::sample_replies()) {
    replies.emplace_back();
    encode_reply(rep, replies.back());
  }
  for (int i = 0; i < mutated_inputs; ++i) {
    ASSERT_NO_FATAL_FAILURE(check_request_input(mutate(rng, requests[rng() % requests.size()])));
    ASSERT_NO_FATAL_FAILURE(check_server_input(mutate(rng, replies[rng() % replies.size()])));
  }
}

TEST(random_input, random_streams_never_crash_the_splitter) {
  const auto seed = test_seed();
  SCOPED_TRACE("ORDO_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng{seed};
  constexpr std::size_t max_frame = 256;
  for (int stream = 0; stream < 2'000; ++stream) {
    frame_splitter splitter{max_frame};
    for (int chunk = 0; chunk < 20 && !splitter.broken(); ++chunk) {
      std::string bytes = random_bytes(rng, rng() % 64);
      // Small declared lengths so that whole frames do complete.
      if (bytes.size() >= 4 && rng() % 2 == 0) {
        bytes[0] = bytes[1] = 0;
        bytes[2] = static_cast<char>(rng() % 2);
      }
      splitter.append(bytes);
      for (auto e = splitter.next(); e.status != frame_status::need_more; e = splitter.next()) {
        if (e.status == frame_status::too_large)
          break;
        if (e.status == frame_status::frame) {
          ASSERT_LE(e.payload.size(), max_frame);
          (void) decode_request(e.payload);
        }
      }
      ASSERT_LE(splitter.buffered_bytes(), 20u * 64u);
    }
  }
}

} // namespace
} // namespace ordo
