#include "messages/frame.hpp"

#include <cassert>
#include <limits>

#include "ordo/limits.hpp"

namespace ordo {

namespace {

std::uint32_t read_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

} // namespace

errc to_errc(frame_status status) noexcept {
  return status == frame_status::too_large ? errc::frame_too_large : errc::bad_request;
}

frame_splitter::frame_splitter(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
  assert(max_frame_bytes >= 1);
}

void frame_splitter::append(std::string_view chunk) {
  if (broken_)
    return;
  // Reclaim consumed bytes before growing, so the buffer stays near one frame's size.
  if (read_pos_ > 0 && (read_pos_ == buffer_.size() || read_pos_ >= buffer_.size() / 2)) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  buffer_.append(chunk);
}

frame_event frame_splitter::next() {
  if (broken_)
    return {frame_status::too_large, {}, 0};
  const auto available = buffer_.size() - read_pos_;
  if (available < limits::frame_header_bytes)
    return {};
  const auto declared = read_be32(buffer_.data() + read_pos_);
  if (declared == 0) {
    read_pos_ += limits::frame_header_bytes;
    return {frame_status::empty, {}, 0};
  }
  if (declared > max_frame_bytes_) {
    broken_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    read_pos_ = 0;
    return {frame_status::too_large, {}, declared};
  }
  if (available - limits::frame_header_bytes < declared)
    return {frame_status::need_more, {}, declared};
  const std::string_view payload{buffer_.data() + read_pos_ + limits::frame_header_bytes,
                                 declared};
  read_pos_ += limits::frame_header_bytes + declared;
  return {frame_status::frame, payload, declared};
}

std::size_t begin_frame(std::string& out) {
  const auto header_pos = out.size();
  out.append(limits::frame_header_bytes, '\0');
  return header_pos;
}

void end_frame(std::string& out, std::size_t header_pos) {
  assert(out.size() >= header_pos + limits::frame_header_bytes);
  const auto payload_bytes = out.size() - header_pos - limits::frame_header_bytes;
  assert(payload_bytes <= std::numeric_limits<std::uint32_t>::max());
  const auto n = static_cast<std::uint32_t>(payload_bytes);
  out[header_pos + 0] = static_cast<char>((n >> 24) & 0xff);
  out[header_pos + 1] = static_cast<char>((n >> 16) & 0xff);
  out[header_pos + 2] = static_cast<char>((n >> 8) & 0xff);
  out[header_pos + 3] = static_cast<char>(n & 0xff);
}

} // namespace ordo
