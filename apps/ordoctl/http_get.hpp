// A blocking HTTP GET for ordoctl stats: one HTTP/1.0 request on a fresh connection, one
// answer read to its Content-Length or to the close, all of it within a timeout. No TLS, no
// redirects, no keep-alive: what reading ordod's /metrics needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ordo/error.hpp"

namespace ordo::ctl {

// A larger answer is not a node's metrics.
inline constexpr std::size_t max_http_answer_bytes = 16 * 1024 * 1024;

// The body of a 200 answer. Errors: unavailable when the host cannot be reached, does not
// answer within `timeout`, cuts the answer short or answers another status; bad_request when
// the answer is not HTTP.
result<std::string> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                             std::chrono::milliseconds timeout);

// The body of a complete answer as received, with the errors of http_get.
result<std::string> http_body(std::string_view answer);

} // namespace ordo::ctl
