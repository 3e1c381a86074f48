// Which customer shard tag a client request is about, so that a node can send it on to the
// node serving that tag (docs/CLUSTER.md, "Forwarding"): the tag in the order id of a request
// about one order, the customer's tag for a customer's place; none for the rest, which any
// node serves from Redis.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "ordo/request.hpp"

namespace ordo::runtime {

// `customer` is the session's subject when it is a customer's session, else empty.
std::optional<std::size_t> request_tag(const request_body& body, std::string_view customer);

} // namespace ordo::runtime
