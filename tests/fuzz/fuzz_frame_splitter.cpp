// The frame splitter on arbitrary bytes arriving in arbitrary chunks: it never crashes,
// never yields a payload larger than the bound or one it did not receive, and once it
// reports too_large it stays broken.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "messages/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  // The first byte picks the bound, the second the chunk size of the "socket reads".
  const std::size_t max_frame = 1 + data[0] * 16;
  const std::size_t chunk = 1 + data[1] % 64;
  std::string_view rest{reinterpret_cast<const char*>(data) + 2, size - 2};
  ordo::frame_splitter splitter{max_frame};
  std::size_t received = 0;
  std::size_t yielded = 0;
  bool broken = false;
  while (!rest.empty()) {
    const auto piece = rest.substr(0, chunk);
    rest.remove_prefix(piece.size());
    splitter.append(piece);
    received += piece.size();
    for (;;) {
      const auto event = splitter.next();
      if (broken && event.status != ordo::frame_status::too_large)
        std::abort(); // a broken splitter must stay broken
      if (event.status == ordo::frame_status::need_more)
        break;
      if (event.status == ordo::frame_status::too_large) {
        broken = true;
        break;
      }
      if (event.status == ordo::frame_status::empty)
        yielded += 4;
      if (event.status == ordo::frame_status::frame) {
        if (event.payload.size() > max_frame)
          std::abort();
        yielded += 4 + event.payload.size();
        if (yielded > received)
          std::abort();
      }
    }
  }
  return 0;
}
