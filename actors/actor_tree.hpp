// Spawns the actors of one engine below the store and payment service: the order directory
// shards, the session directory shards, and the root supervisor that watches them. A shard
// holds only routing state, so a shard that dies is a bug in the engine itself: the root
// then stops the whole tree and exits with the shard's reason, and the process supervisor
// restarts the engine from Redis (OTP's escalation, one level up).
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/engine_context.hpp"
#include "actors/shard_router.hpp"

namespace ordo::actors {

struct actor_tree {
  context_ptr ctx; // as the sessions see it: with the order router filled in
  session_router sessions;
  caf::actor root; // (resident_atom) -> std::size_t: resident order actors of all shards
};

actor_tree spawn_actor_tree(caf::actor_system& sys, engine_context ctx, std::size_t shards);

// Stops every shard and the actors they hold (user_shutdown).
void stop_actor_tree(const actor_tree& tree);

} // namespace ordo::actors
