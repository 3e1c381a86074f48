// The session directory: shards of detail::directory_shard for session actors, keyed by
// session id. See session_protocol.hpp for its messages.
#pragma once

#include <caf/fwd.hpp>

#include "actors/directory_handles.hpp"
#include "actors/engine_context.hpp"

namespace ordo::actors {

session_directory_actor spawn_session_directory_shard(caf::actor_system& sys, context_ptr ctx,
                                         std::size_t max_resident);

} // namespace ordo::actors
