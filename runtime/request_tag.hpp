// Which customer shard tag a client request is about, so that a node can send it on to the
// node serving that tag (docs/CLUSTER.md, "Forwarding"): the tag in the order id of a request
// about one order, the customer's tag for a customer's place; none for the rest, which any
// node serves from Redis.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "ordo/error.hpp"
#include "ordo/request.hpp"

namespace ordo::runtime {

// `customer` is the session's subject when it is a customer's session, else empty.
std::optional<std::size_t> request_tag(const request_body& body, std::string_view customer);

// Whether a refusal says the node asked does not serve the request's tag (a hand-off under
// way, a view of the nodes a beat old): nothing was applied, and the request may go again
// to where the tag is served now.
bool served_elsewhere(errc code, std::string_view message);

// How soon such a request goes again: the view of the nodes may take a beat to move.
constexpr std::chrono::milliseconds served_elsewhere_retry{50};

} // namespace ordo::runtime
