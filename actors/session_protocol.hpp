// What the front of the engine (the TCP gateway, the embedding API) asks of a session, via
// its directory shard:
//   (request_atom, session_request) -> ordo::reply_body, or a caf::error with an ordo::errc
//   pushes arrive at a subscriber as (push_atom, ordo::order)
// A new session starts with hello under an id from make_session_id(); resume and every
// other op use the id hello returned.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include <string>

#include "ordo/reply.hpp"
#include "ordo/request.hpp"

namespace ordo::actors {

struct session_request {
  std::string session_id;
  ordo::request_body body;
};

} // namespace ordo::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::actors::session_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::reply_body)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::request_body)
