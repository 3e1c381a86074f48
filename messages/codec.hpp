// The msgpack codec of the wire protocol (docs/PROTOCOL.md): one frame's payload to and from
// the plain types of request.hpp and reply.hpp. Decoding never throws and accepts only what
// the protocol allows: a map with string keys, known op, every field present and well typed,
// every limit of docs/DOMAIN.md kept; anything else is a bad_request error value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ordo/error.hpp"
#include "ordo/order.hpp"
#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo {

// Why a request could not be decoded, and the rid to answer with (0 when unknown).
struct request_error {
  std::uint64_t rid = 0;
  ordo::error error;
  std::optional<std::size_t> op; // the op's index in request_body, when it was recognised
  friend bool operator==(const request_error&, const request_error&) = default;
};

result<request, request_error> decode_request(std::string_view payload) noexcept;
result<server_message> decode_server_message(std::string_view payload) noexcept;
result<order> decode_order(std::string_view payload) noexcept;

// Encoders append one msgpack map to `out`.
void encode_request(const request& req, std::string& out);
void encode_reply(const reply& rep, std::string& out);
void encode_push(const order_push& push, std::string& out);
void encode_order(const order& o, std::string& out);

} // namespace ordo
