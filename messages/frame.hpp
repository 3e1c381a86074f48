// Framing of docs/PROTOCOL.md: a 4-byte big-endian length N, then N bytes of payload.
// frame_splitter turns arbitrary chunks from a socket into whole payloads; it only ever
// holds bytes that actually arrived, so a huge declared N costs nothing before it is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ordo/errc.hpp"

namespace ordo {

enum class frame_status {
  frame,     // `payload` holds one whole frame
  need_more, // no whole frame buffered yet
  empty,     // a frame with N = 0 was consumed: answer bad_request, keep going
  too_large, // N > max_frame: answer frame_too_large and close; the splitter stays broken
};

struct frame_event {
  frame_status status = frame_status::need_more;
  std::string_view payload; // valid until the next call on the splitter
  std::uint32_t declared_bytes = 0;
};

// The error a non-frame event stands for (bad_request or frame_too_large).
errc to_errc(frame_status status) noexcept;

class frame_splitter {
public:
  explicit frame_splitter(std::size_t max_frame_bytes);

  void append(std::string_view chunk);
  frame_event next();

  // Bytes received and not yet returned as frames.
  std::size_t buffered_bytes() const noexcept { return buffer_.size() - read_pos_; }
  // Memory the splitter holds for this connection, consumed or not.
  std::size_t reserved_bytes() const noexcept { return buffer_.capacity(); }
  bool broken() const noexcept { return broken_; }

private:
  std::size_t max_frame_bytes_;
  std::string buffer_;
  std::size_t read_pos_ = 0;
  bool broken_ = false;
};

// Framing on the way out: reserve the header, append the payload, then patch its length in.
std::size_t begin_frame(std::string& out);
void end_frame(std::string& out, std::size_t header_pos);

} // namespace ordo
