#include "actors/session_directory.hpp"

#include "actors/directory_shard.hpp"
#include "actors/session_actor.hpp"
#include "actors/session_protocol.hpp"

namespace ordo::actors {

namespace {

struct session_directory_traits {
  using handle = session_directory_actor;
  using request = session_request;
  using reply = ordo::reply_body;
  using route_atom = request_atom;
  static constexpr const char* directory_name = "ordo.session_directory";
  static constexpr actor_kind kind = actor_kind::session;

  static const std::string& key_of(const session_request& req) { return req.session_id; }

  template <class Self>
  static caf::actor spawn(Self self, const context_ptr& ctx, const std::string& key,
                          const session_request& first) {
    const bool opening = std::holds_alternative<hello_request>(first.body);
    return spawn_session_actor(self, ctx, caf::actor_cast<session_directory_actor>(self), key,
                               opening);
  }

  template <class Self>
  static std::tuple<> extra(Self, const context_ptr&) {
    return {};
  }
};

} // namespace

session_directory_actor spawn_session_directory_shard(caf::actor_system& sys, context_ptr ctx,
                                         std::size_t max_resident) {
  return sys.spawn(detail::directory_shard<session_directory_traits>, std::move(ctx),
                   max_resident);
}

} // namespace ordo::actors
