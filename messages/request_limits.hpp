// The limits of SPEC sections 2 and 4 on a request that is already typed: what the session
// actor checks for every door into the engine (the TCP gateway decodes with the same
// limits; the embedding API hands typed requests straight in).
#pragma once

#include <optional>

#include "ordo/error.hpp"
#include "ordo/request.hpp"

namespace ordo {

// bad_request naming the first field that breaks a limit, or nothing.
std::optional<error> check_limits(const request_body& body);

} // namespace ordo
