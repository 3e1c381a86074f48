#include "actors/session_directory.hpp"

#include "actors/directory_shard.hpp"
#include "actors/session_actor.hpp"
#include "actors/session_protocol.hpp"

namespace ordo::actors {

namespace {

struct session_directory_traits {
  using request = session_request;
  using route_atom = request_atom;
  static constexpr const char* directory_name = "ordo.session_directory";

  static const std::string& key_of(const session_request& req) { return req.session_id; }

  static caf::actor spawn(caf::event_based_actor* self, const context_ptr& ctx,
                          const std::string& key, const session_request& first) {
    const bool opening = std::holds_alternative<hello_request>(first.body);
    return spawn_session_actor(self, ctx, caf::actor_cast<caf::actor>(self), key, opening);
  }

  static caf::message_handler extra(caf::event_based_actor*, const context_ptr&) { return {}; }
};

} // namespace

caf::actor spawn_session_directory_shard(caf::actor_system& sys, context_ptr ctx,
                                         std::size_t max_resident) {
  return sys.spawn(detail::directory_shard<session_directory_traits>, std::move(ctx),
                   max_resident);
}

} // namespace ordo::actors
