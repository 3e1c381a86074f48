// ordo::errc across actor boundaries: caf::error in the "ordo" category, and back. Errors
// from CAF itself (a timed-out request, a receiver that died) map to the protocol's codes.
#pragma once

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <string>

#include "ordo/error.hpp"

namespace ordo::actors {

caf::error make_error(errc code, std::string message);
caf::error make_error(const ordo::error& err);

// The protocol error an actor-level error stands for: our own category as is, a request
// timeout as unavailable, anything else as internal.
ordo::error to_ordo_error(const caf::error& err);

// Lets actor_system::render() print our errors.
void add_error_category(caf::actor_system_config& cfg);

} // namespace ordo::actors
