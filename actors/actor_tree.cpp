#include "actors/actor_tree.hpp"

#include <caf/all.hpp>

#include "actors/order_directory.hpp"
#include "actors/session_directory.hpp"

namespace ordo::actors {

namespace {

struct root_state {
  std::vector<order_directory_actor> order_shards;
  std::vector<caf::actor> shards; // order shards, then session shards, to watch and stop
  static inline const char* name = "ordo.root";
};

using root_self = caf::stateful_actor<root_state>*;

template <class Atom>
caf::response_promise sum_over_shards(root_self self, Atom question) {
  auto rp = self->make_response_promise();
  auto total = std::make_shared<std::size_t>(0);
  auto missing = std::make_shared<std::size_t>(self->state.order_shards.size());
  for (const auto& shard : self->state.order_shards)
    self->request(shard, caf::infinite, question)
      .then(
        [=](std::size_t count) mutable {
          *total += count;
          if (--*missing == 0)
            rp.deliver(*total);
        },
        [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::behavior root_supervisor(root_self self,
                              std::vector<order_directory_actor> order_shards,
                              std::vector<session_directory_actor> session_shards) {
  auto& st = self->state;
  st.order_shards = std::move(order_shards);
  for (const auto& shard : st.order_shards)
    st.shards.push_back(caf::actor_cast<caf::actor>(shard));
  for (const auto& shard : session_shards)
    st.shards.push_back(caf::actor_cast<caf::actor>(shard));
  for (const auto& shard : st.shards)
    self->monitor(shard);
  const auto stop_all = [self](const caf::error& reason) {
    for (const auto& shard : self->state.shards)
      self->send_exit(shard, reason);
    self->quit(reason);
  };
  self->set_down_handler([=](caf::down_msg& down) {
    if (down.reason && down.reason != caf::exit_reason::user_shutdown)
      stop_all(down.reason);
  });
  self->set_exit_handler([=](caf::exit_msg& msg) { stop_all(msg.reason); });
  return {
    // Resident order actors and parked orders over all shards, for metrics and tests.
    [=](resident_atom) { return sum_over_shards(self, resident_atom::value); },
    [=](park_atom) { return sum_over_shards(self, park_atom::value); },
  };
}

} // namespace

actor_tree spawn_actor_tree(caf::actor_system& sys, engine_context ctx, std::size_t shards) {
  const auto per_shard = std::max<std::size_t>(1, ctx.max_resident_per_shard);
  auto order_ctx = std::make_shared<const engine_context>(ctx);
  for (std::size_t i = 0; i < shards; ++i)
    ctx.orders.shards.push_back(spawn_order_directory_shard(sys, order_ctx, per_shard));
  actor_tree tree;
  tree.ctx = std::make_shared<const engine_context>(ctx);
  for (std::size_t i = 0; i < shards; ++i)
    tree.sessions.shards.push_back(spawn_session_directory_shard(sys, tree.ctx, per_shard));
  tree.root = sys.spawn(root_supervisor, ctx.orders.shards, tree.sessions.shards);
  return tree;
}

void stop_actor_tree(const actor_tree& tree) {
  caf::anon_send_exit(tree.root, caf::exit_reason::user_shutdown);
}

} // namespace ordo::actors
