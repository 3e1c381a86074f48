// One engine: the Redis client and store, the payment simulator, the actor tree and the
// deadline scanner, assembled from ordo::engine_options on a caller's actor_system. ordod and
// the embedding API start it; tests start several, one after another, on one Redis.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "actors/actor_tree.hpp"
#include "actors/store.hpp"
#include "ordo/error.hpp"
#include "ordo/order.hpp"
#include "runtime/options.hpp"

namespace ordo::runtime {

class cluster_node;
class engine_metrics;
class redis_client;
class archive_reader;

class engine {
public:
  // Checks that Redis answers first: when it does not, start-up fails with an error that
  // names the address. `opts` must have passed validate(). The engine joins the other nodes
  // on the same Redis and key prefix as a node (runtime/cluster_node.hpp) reachable at
  // `advertise` ("-" when it serves no clients itself).
  // `metrics`, when given, is counted into and must outlive the engine.
  static result<std::unique_ptr<engine>> start(caf::actor_system& sys,
                                               const engine_options& opts,
                                               engine_metrics* metrics = nullptr,
                                               const std::string& advertise = "-");

  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Hands this node's tags to the other nodes and leaves them (waits up to `within`).
  void leave(std::chrono::milliseconds within);

  // Leaves, then stops every actor of this engine; requests still in flight get an error,
  // none hangs.
  void stop();

  const actors::actor_tree& tree() const { return tree_; }
  const actors::store_actor& store() const { return store_; }
  const cluster_node& node() const { return *node_; }
  std::shared_ptr<const cluster_node> shared_node() const { return node_; }

  // A push another node relayed: to this node's subscribers of the order's customer only
  // (never relayed on, so a push crosses one link).
  void deliver_push(ordo::order o) const;

private:
  engine() = default;

  caf::actor_system* sys_ = nullptr;
  std::shared_ptr<redis_client> client_;
  std::shared_ptr<archive_reader> archive_; // with --archive
  std::shared_ptr<cluster_node> node_;
  actors::store_actor store_;
  caf::actor payment_;
  caf::actor scanner_;
  actors::actor_tree tree_;
  bool stopped_ = false;
};

// The actors' shared settings for `opts` (without the store and payment handles).
actors::engine_context context_for(const engine_options& opts);

} // namespace ordo::runtime
