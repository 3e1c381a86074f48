// The gateway's door into the actors. The epoll thread is no actor, so it hands each
// request to a bridge actor, which asks the session's directory shard and puts the answer
// on the completion queue. A connection that subscribes gets a forwarder actor of its own,
// the push target its session knows; it dies with the connection.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "actors/shard_router.hpp"
#include "messages/request.hpp"
#include "runtime/completion_queue.hpp"

namespace ordo::runtime {

caf::actor spawn_gateway_bridge(caf::actor_system& sys, actors::shard_router sessions,
                                std::shared_ptr<completion_queue> done,
                                std::chrono::milliseconds request_timeout);

// Called from the epoll thread.
void bridge_submit(const caf::actor& bridge, std::uint64_t connection, std::uint64_t rid,
                   std::string session_id, ordo::request_body body);
void bridge_closed(const caf::actor& bridge, std::uint64_t connection);

} // namespace ordo::runtime
