// The request decoder (and the client's reply decoder) on arbitrary payloads: never a crash,
// an allocation beyond the unpack limits, or undefined behaviour; and a request that
// decodes is encoded back to bytes that decode to the same request.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "messages/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload{reinterpret_cast<const char*>(data), size};
  (void)ordo::decode_server_message(payload);
  auto decoded = ordo::decode_request(payload);
  if (!decoded)
    return 0;
  std::string again;
  ordo::encode_request(*decoded, again);
  auto round_trip = ordo::decode_request(again);
  if (!round_trip || !(*round_trip == *decoded))
    std::abort();
  return 0;
}
