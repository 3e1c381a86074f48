// The session actor: one per authenticated session, a virtual actor of the session
// directory. hello verifies a token and opens the session (kept in the store until the
// token expires, so resume works across engine restarts); every other op is checked against
// the session's role and routed: order ops to the order directory, membership to the store,
// subscribe to the customer's push group.
#pragma once

#include <caf/fwd.hpp>

#include <string>

#include "actors/directory_handles.hpp"
#include "actors/engine_context.hpp"

namespace ordo::actors {

// `opening`: the first request is a hello under a fresh id, so there is nothing to load.
caf::actor spawn_session_actor(caf::local_actor* parent, context_ptr ctx,
                               session_directory_actor directory, std::string session_id,
                               bool opening);

} // namespace ordo::actors
