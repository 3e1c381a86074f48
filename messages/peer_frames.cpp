#include "messages/peer_frames.hpp"

#include "messages/detail/msgpack_io.hpp"
#include "messages/detail/overloaded.hpp"

namespace ordo {

namespace {

using messages::detail::pack_string;
using messages::detail::packer;
using messages::detail::string_sink;

// The first element of every peer frame says which it is.
enum class peer_kind : std::uint8_t { node_hello = 0, forwarded_request = 1 };

constexpr std::size_t max_name_bytes = 256;

bool string_at(const msgpack::object& array, std::uint32_t i, std::size_t max_bytes,
               std::string& out) {
  const auto& o = array.via.array.ptr[i];
  if (o.type != msgpack::type::STR || o.via.str.size > max_bytes)
    return false;
  out.assign(o.via.str.ptr, o.via.str.size);
  return true;
}

} // namespace

bool is_peer_frame(std::string_view payload) noexcept {
  if (payload.empty())
    return false;
  const auto first = static_cast<unsigned char>(payload.front());
  return (first >= 0x90 && first <= 0x9f) || first == 0xdc || first == 0xdd;
}

void encode_peer_frame(const peer_frame& frame, std::string& out) {
  string_sink sink{out};
  packer pk{sink};
  std::visit(messages::detail::overloaded{
               [&](const node_hello& h) {
                 pk.pack_array(4);
                 pk.pack(static_cast<std::uint8_t>(peer_kind::node_hello));
                 pack_string(pk, h.node);
                 pk.pack(h.at_ms);
                 pack_string(pk, h.proof);
               },
               [&](const forwarded_request& f) {
                 pk.pack_array(3);
                 pk.pack(static_cast<std::uint8_t>(peer_kind::forwarded_request));
                 pack_string(pk, f.session);
                 pk.pack_bin(static_cast<std::uint32_t>(f.request.size()));
                 pk.pack_bin_body(f.request.data(), static_cast<std::uint32_t>(f.request.size()));
               },
             },
             frame);
}

result<peer_frame> decode_peer_frame(std::string_view payload) noexcept {
  auto handle = messages::detail::unpack_whole(payload);
  if (!handle)
    return std::move(handle).error();
  const auto& o = handle->get();
  const error malformed{errc::bad_request, "malformed peer frame"};
  if (o.type != msgpack::type::ARRAY || o.via.array.size < 1 ||
      o.via.array.ptr[0].type != msgpack::type::POSITIVE_INTEGER)
    return malformed;
  const auto kind = o.via.array.ptr[0].via.u64;
  if (kind == static_cast<std::uint64_t>(peer_kind::node_hello) && o.via.array.size == 4) {
    node_hello h;
    const auto& at = o.via.array.ptr[2];
    if (!string_at(o, 1, max_name_bytes, h.node) || !string_at(o, 3, max_name_bytes, h.proof) ||
        (at.type != msgpack::type::POSITIVE_INTEGER && at.type != msgpack::type::NEGATIVE_INTEGER))
      return malformed;
    h.at_ms = at.via.i64;
    return peer_frame{std::move(h)};
  }
  if (kind == static_cast<std::uint64_t>(peer_kind::forwarded_request) && o.via.array.size == 3) {
    forwarded_request f;
    const auto& body = o.via.array.ptr[2];
    if (!string_at(o, 1, max_name_bytes, f.session) || body.type != msgpack::type::BIN)
      return malformed;
    f.request.assign(body.via.bin.ptr, body.via.bin.size);
    return peer_frame{std::move(f)};
  }
  return malformed;
}

} // namespace ordo
