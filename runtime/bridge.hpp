// The door into the actors for code that is no actor: the TCP gateway's epoll thread and the
// embedding API. Each request goes to a bridge actor, which asks the session's directory
// shard and hands the answer to the sink (on an engine thread: the sink must not block). A
// subscriber (a connection, an embedded subscription) gets a forwarder actor of its own,
// the push target its session knows; it dies when the subscriber is closed.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "actors/shard_router.hpp"
#include "ordo/request.hpp"
#include "runtime/completion_queue.hpp"

namespace ordo::runtime {

using completion_sink = std::function<void(completion)>;

class request_metrics;

// `metrics`, when set, counts every answer by op and outcome, with its latency from
// bridge_submit on.
caf::actor spawn_bridge(caf::actor_system& sys, actors::session_router sessions,
                        completion_sink sink, std::chrono::milliseconds request_timeout,
                        request_metrics* metrics = nullptr);

// Thread-safe. `connection` names the subscriber that pushes of a subscribe go to.
void bridge_submit(const caf::actor& bridge, std::uint64_t connection, std::uint64_t rid,
                   std::string session_id, ordo::request_body body);
void bridge_closed(const caf::actor& bridge, std::uint64_t connection);

// Sends the push of every order this node changes to `connection`, another node's link, for
// that node's subscribers (until the connection is closed).
void bridge_relay_pushes(const caf::actor& bridge, std::uint64_t connection);

} // namespace ordo::runtime
