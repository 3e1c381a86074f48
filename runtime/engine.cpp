#include "runtime/engine.hpp"

#include <caf/all.hpp>

#include <unistd.h>

#include <atomic>

#include "actors/atoms.hpp"
#include "actors/deadline_scanner.hpp"
#include "actors/order_actor.hpp"
#include "actors/payment.hpp"
#include "runtime/cluster_node.hpp"
#include "runtime/metrics.hpp"
#include "runtime/redis_client.hpp"
#include "runtime/archive_reader.hpp"
#include "runtime/redis_store.hpp"

namespace ordo::runtime {

namespace {

// The deadline scanner's requests give up a little after the store's own redis_timeout, so
// the store's precise unavailable normally arrives first. (Passivation handshakes wait
// without a timeout: the actor answers at once, and CAF bounces the request if it is gone.)
constexpr std::chrono::milliseconds store_backstop{500};

constexpr std::int64_t node_leave_limit = 2'000;

// A name no other engine on the same Redis has: an embedded engine serves no clients of its
// own, so it has no address to be named by.
std::string embedded_node_name() {
  static std::atomic<unsigned> started{0};
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return "embedded-" + std::string{host} + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(started.fetch_add(1));
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// More shards than scheduler threads, so that one busy shard never holds up the others.
std::size_t shard_count(const engine_options& opts) {
  return std::max<std::size_t>(4, 2 * scheduler_thread_count(opts));
}

} // namespace

actors::engine_context context_for(const engine_options& opts) {
  actors::engine_context ctx;
  ctx.now_ms = wall_clock_ms;
  ctx.store_timeout = std::chrono::milliseconds{opts.redis_timeout_ms} + store_backstop;
  ctx.payment_timeout = std::chrono::milliseconds{opts.payment_timeout_ms};
  ctx.passivate_after = std::chrono::milliseconds{opts.passivate_after_ms};
  ctx.max_resident_per_shard =
    std::max<std::size_t>(1, static_cast<std::size_t>(opts.max_resident_orders) / shard_count(opts));
  ctx.max_parked_per_shard = static_cast<std::size_t>(opts.max_parked_orders) / shard_count(opts);
  ctx.auth_key = opts.auth_key;
  // A hand-off or a take-over completes within a lease or two.
  ctx.tag_wait = std::chrono::milliseconds{2 * opts.lease_ms};
  return ctx;
}

result<std::unique_ptr<engine>> engine::start(caf::actor_system& sys, const engine_options& opts,
                                              engine_metrics* metrics,
                                              const std::string& advertise) {
  const auto address = parse_host_port(opts.redis);
  if (!address)
    return error{errc::bad_request, "redis must be HOST:PORT, got '" + opts.redis + "'"};
  const std::chrono::milliseconds timeout{opts.redis_timeout_ms};
  if (auto reachable = redis_client::probe(address->host, address->port, timeout); !reachable)
    return error{errc::unavailable, "cannot reach redis at " + opts.redis + ": " +
                                      reachable.error().message};
  std::unique_ptr<engine> e{new engine};
  e->sys_ = &sys;
  redis_client::options client_opts{address->host, address->port, timeout};
  if (metrics)
    client_opts.metrics = &metrics->redis();
  e->client_ = std::make_shared<redis_client>(std::move(client_opts));
  redis_store_options store_opts;
  store_opts.key_prefix = opts.key_prefix;
  store_opts.timeout = timeout;
  store_opts.events_max_len = opts.events_max_len;
  if (!opts.archive.empty()) {
    e->archive_ = std::make_shared<archive_reader>(opts.archive, timeout);
    store_opts.archive = e->archive_;
  }
  if (metrics)
    store_opts.metrics = &metrics->store();
  e->store_ = spawn_redis_store(sys, e->client_, store_opts);
  e->payment_ = actors::spawn_payment_simulator(
    sys, {std::chrono::milliseconds{opts.payment_latency_ms}, opts.payment_decline_rate,
          static_cast<std::uint64_t>(opts.payment_seed)});
  cluster_node_options node_opts;
  node_opts.name = opts.node.empty() ? embedded_node_name() : opts.node;
  node_opts.address = advertise;
  node_opts.key_prefix = opts.key_prefix;
  node_opts.redis = *address;
  node_opts.redis_timeout = timeout;
  node_opts.lease_ms = opts.lease_ms;
  // Requests for the tags this node is to take wait for them (after a crash, until the
  // previous incarnation's leases have run out), so start-up does not: the other nodes may
  // already be forwarding to this one's address.
  e->node_ = std::make_shared<cluster_node>(std::move(node_opts));
  auto ctx = context_for(opts);
  ctx.tags = e->node_;
  ctx.store = e->store_;
  ctx.payment = e->payment_;
  if (metrics)
    ctx.metrics = metrics->actors();
  e->tree_ = actors::spawn_actor_tree(sys, std::move(ctx), shard_count(opts));
  e->scanner_ = actors::spawn_deadline_scanner(sys, e->tree_.ctx, {});
  return e;
}

engine::~engine() {
  stop();
}

void engine::deliver_push(ordo::order o) const {
  auto group = sys_->groups().get_local(actors::order_push_group(o.customer));
  caf::anon_send(group, actors::push_atom::value, std::move(o));
}

void engine::leave(std::chrono::milliseconds within) {
  node_->leave(within);
}

void engine::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  // Released leases let the next owner serve at once rather than after a lease.
  node_->leave(std::chrono::milliseconds{node_leave_limit});
  caf::anon_send_exit(scanner_, caf::exit_reason::user_shutdown);
  actors::stop_actor_tree(tree_);
  caf::anon_send_exit(payment_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store_, caf::exit_reason::user_shutdown);
  // Its threads are joined here, on the caller's thread, not on the CAF thread that drops the
  // store's last reference.
  if (archive_)
    archive_->stop();
}

} // namespace ordo::runtime
