#include "actors/order_directory.hpp"

#include "actors/directory_shard.hpp"
#include "actors/order_actor.hpp"
#include "actors/order_protocol.hpp"

namespace ordo::actors {

namespace {

struct order_directory_traits {
  using handle = order_directory_actor;
  using request = order_request;
  using reply = ordo::order;
  using route_atom = order_atom;
  using parked = parked_order;
  static constexpr const char* directory_name = "ordo.order_directory";
  static constexpr actor_kind kind = actor_kind::order;

  static const std::string& key_of(const order_request& req) { return req.order_id; }

  template <class Self>
  static caf::actor spawn(Self self, const context_ptr& ctx, const std::string& key,
                          const order_request& first, std::optional<parked_order> parked) {
    return spawn_order_actor(self, ctx, caf::actor_cast<order_directory_actor>(self), key,
                             first.is_new, std::move(parked));
  }

  template <class Self>
  static auto extra(Self self, const context_ptr& ctx) {
    return std::make_tuple([=](list_atom, list_query& query) {
      return self->delegate(ctx->store, list_atom::value, std::move(query));
    });
  }
};

} // namespace

order_directory_actor spawn_order_directory_shard(caf::actor_system& sys, context_ptr ctx,
                                       std::size_t max_resident) {
  return sys.spawn(detail::directory_shard<order_directory_traits>, std::move(ctx), max_resident);
}

} // namespace ordo::actors
