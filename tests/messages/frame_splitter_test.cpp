// The frame splitter: arbitrary chunking, N = 0, N > max_frame, and bounded buffering.

#include <gtest/gtest.h>

#include <random>

#include "messages/frame.hpp"

namespace ordo {
namespace {

std::string frame_of(std::string_view payload) {
  std::string out;
  const auto header = begin_frame(out);
  out.append(payload);
  end_frame(out, header);
  return out;
}

std::string header_of(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

TEST(frame_splitter, header_is_big_endian_length) {
  EXPECT_EQ(frame_of("abc"), std::string("\0\0\0\3abc", 7));
  EXPECT_EQ(frame_of(std::string(258, 'x')).substr(0, 4), std::string("\0\0\1\2", 4));
}

TEST(frame_splitter, one_whole_frame_in_one_chunk) {
  frame_splitter s{1024};
  s.append(frame_of("hello"));
  const auto event = s.next();
  ASSERT_EQ(event.status, frame_status::frame);
  EXPECT_EQ(event.payload, "hello");
  EXPECT_EQ(s.next().status, frame_status::need_more);
}

TEST(frame_splitter, frames_fed_one_byte_at_a_time) {
  frame_splitter s{1024};
  const auto stream = frame_of("first") + frame_of("second") + frame_of("x");
  std::vector<std::string> got;
  for (char c : stream) {
    s.append(std::string_view{&c, 1});
    for (auto e = s.next(); e.status == frame_status::frame; e = s.next())
      got.emplace_back(e.payload);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"first", "second", "x"}));
  EXPECT_EQ(s.buffered_bytes(), 0u);
}

TEST(frame_splitter, frames_fed_in_random_chunks) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  std::mt19937 rng{seed};
  std::vector<std::string> sent;
  std::string stream;
  for (int i = 0; i < 500; ++i) {
    sent.push_back(std::string(rng() % 300 + 1, static_cast<char>('a' + i % 26)));
    stream += frame_of(sent.back());
  }
  frame_splitter s{1024};
  std::vector<std::string> got;
  for (std::size_t pos = 0; pos < stream.size();) {
    const auto n = std::min<std::size_t>(rng() % 700 + 1, stream.size() - pos);
    s.append(std::string_view{stream}.substr(pos, n));
    pos += n;
    for (auto e = s.next(); e.status == frame_status::frame; e = s.next())
      got.emplace_back(e.payload);
  }
  EXPECT_EQ(got, sent);
}

TEST(frame_splitter, zero_length_frame_is_bad_request_and_parsing_goes_on) {
  frame_splitter s{1024};
  s.append(header_of(0) + frame_of("next"));
  const auto empty = s.next();
  EXPECT_EQ(empty.status, frame_status::empty);
  EXPECT_EQ(to_errc(empty.status), errc::bad_request);
  const auto event = s.next();
  ASSERT_EQ(event.status, frame_status::frame);
  EXPECT_EQ(event.payload, "next");
}

TEST(frame_splitter, frame_of_exactly_max_frame_is_accepted) {
  frame_splitter s{16};
  s.append(frame_of(std::string(16, 'm')));
  EXPECT_EQ(s.next().status, frame_status::frame);
}

TEST(frame_splitter, frame_above_max_frame_is_frame_too_large_from_the_header_alone) {
  frame_splitter s{16};
  s.append(header_of(17));
  const auto event = s.next();
  EXPECT_EQ(event.status, frame_status::too_large);
  EXPECT_EQ(event.declared_bytes, 17u);
  EXPECT_EQ(to_errc(event.status), errc::frame_too_large);
}

TEST(frame_splitter, after_frame_too_large_the_splitter_stays_broken_and_holds_nothing) {
  frame_splitter s{1024};
  s.append(header_of(0xffffffffu) + std::string(100, 'x'));
  EXPECT_EQ(s.next().status, frame_status::too_large);
  s.append(frame_of("valid"));
  EXPECT_TRUE(s.broken());
  EXPECT_EQ(s.next().status, frame_status::too_large);
  EXPECT_EQ(s.buffered_bytes(), 0u);
}

TEST(frame_splitter, a_declared_length_allocates_nothing_before_bytes_arrive) {
  frame_splitter s{1024 * 1024};
  s.append(header_of(1024 * 1024));
  EXPECT_EQ(s.next().status, frame_status::need_more);
  EXPECT_EQ(s.buffered_bytes(), 4u);
}

TEST(frame_splitter, partial_header_needs_more) {
  frame_splitter s{1024};
  s.append(std::string("\0\0", 2));
  EXPECT_EQ(s.next().status, frame_status::need_more);
  s.append(std::string("\0\1z", 3));
  const auto event = s.next();
  ASSERT_EQ(event.status, frame_status::frame);
  EXPECT_EQ(event.payload, "z");
}

TEST(frame_splitter, buffer_is_reclaimed_as_frames_are_consumed) {
  frame_splitter s{1024};
  const auto frame = frame_of(std::string(1000, 'p'));
  for (int i = 0; i < 10'000; ++i) {
    s.append(frame);
    ASSERT_EQ(s.next().status, frame_status::frame);
  }
  EXPECT_EQ(s.buffered_bytes(), 0u);
  EXPECT_LE(s.reserved_bytes(), 4 * frame.size());
}

} // namespace
} // namespace ordo
