// The one check of a request's limits (include/ordo/limits.hpp, docs/DOMAIN.md and
// docs/PROTOCOL.md), on a request that is already typed. The decoder runs it on every frame
// (after checking shape and types only) and the session actor on every request, whichever
// door it came through (the embedding API hands typed requests straight in); the domain
// only asserts what it guarantees. Messages are built from the named limits.
#pragma once

#include <optional>

#include "ordo/error.hpp"
#include "ordo/request.hpp"

namespace ordo {

// bad_request naming the first field that breaks a limit (e.g. "field 'lines[2].qty' must
// be between 1 and 1000"), or nothing.
std::optional<error> check_limits(const request_body& body);

} // namespace ordo
