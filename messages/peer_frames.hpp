// The frames nodes send each other on the port clients use (docs/CLUSTER.md, "Forwarding").
// A node's connection opens with a node_hello instead of a client's hello; after it, each
// frame forwards one client request (the client's own frame payload, under the session it
// was sent in), and the answers come back as ordinary reply and push frames. Peer frames are
// msgpack arrays and client frames maps, so the first byte tells them apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "ordo/error.hpp"

namespace ordo {

struct node_hello {
  std::string node;
  std::int64_t at_ms = 0;
  std::string proof; // auth/node_proof.hpp
  friend bool operator==(const node_hello&, const node_hello&) = default;
};

struct forwarded_request {
  std::string session;
  std::string request; // a client request frame's payload, its rid the forwarder's own
  friend bool operator==(const forwarded_request&, const forwarded_request&) = default;
};

using peer_frame = std::variant<node_hello, forwarded_request>;

// Whether a frame's payload is a peer frame (a msgpack array) rather than a client's (a map).
bool is_peer_frame(std::string_view payload) noexcept;

void encode_peer_frame(const peer_frame& frame, std::string& out);
result<peer_frame> decode_peer_frame(std::string_view payload) noexcept;

} // namespace ordo
