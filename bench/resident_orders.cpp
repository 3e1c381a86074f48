// Bytes per resident order and activation time, measured side by side: N orders are stored
// in the in-memory store, then read one after another through their directory shard, which
// activates each (load, then reply) and keeps it resident as a live actor; then they idle
// past passivate-after, their shards park them (compact state, no actor), and they are read
// again, each activated from its parked state. Memory is the heap in use (mallinfo2) and
// RSS, before and after each step. Given a Redis, the orders are written there through the
// Redis store and activation reads them back from it (bench/activation starts a private one).
// Usage: resident_orders [ORDERS] [REDIS_HOST:PORT]

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <thread>
#include <unistd.h>

#include "actors/actor_tree.hpp"
#include "support/memory_store.hpp"
#include "actors/order_protocol.hpp"
#include "actors/payment.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "histogram.hpp"
#include "runtime/options.hpp"
#include "runtime/redis_store.hpp"

namespace {

using namespace ordo;

long rss_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

domain::order_state stored_order(std::uint64_t n) {
  std::array<std::uint8_t, 10> entropy{};
  for (std::size_t i = 0; i < 8; ++i)
    entropy[i] = static_cast<std::uint8_t>(n >> (8 * i));
  const auto customer = "customer-" + std::to_string(n % 10'000);
  const auto id = domain::make_order_id(1'764'000'000'000, entropy, domain::customer_tag(customer));
  domain::place_order cmd{id, customer, false, {{"SKU-1", 2, 9'900}, {"SKU-2", 1, 4'500}, {"SKU-3", 3, 1'200}}};
  auto state = domain::apply_event(std::nullopt, *domain::decide(std::nullopt, cmd, 1'764'000'000'000));
  return domain::apply_event(state, domain::event{1'764'000'000'100, domain::payment_authorized{state.order.total}});
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

// Reads every order once through the shards; returns the activation time histogram.
load::histogram read_all(caf::actor_system& sys, const actors::actor_tree& tree,
                         const std::vector<std::string>& ids) {
  load::histogram activation;
  caf::scoped_actor self{sys};
  const actors::caller op{"bench", role::operator_};
  for (const auto& id : ids) {
    const auto started = std::chrono::steady_clock::now();
    self->request(tree.ctx->orders.pick(id), std::chrono::seconds{10}, actors::order_atom::value,
                  actors::order_request{id, op, actors::read_order{}, std::nullopt, false})
      .receive([](ordo::order&) {}, [](caf::error&) { std::abort(); });
    activation.record(std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started).count());
  }
  return activation;
}

template <class Atom>
std::size_t count(caf::actor_system& sys, const actors::actor_tree& tree, Atom question) {
  caf::scoped_actor self{sys};
  std::size_t n = 0;
  self->request(tree.root, std::chrono::seconds{10}, question)
    .receive([&](std::size_t value) { n = value; }, [](caf::error&) { std::abort(); });
  return n;
}

} // namespace

int main(int argc, char** argv) {
  const std::uint64_t orders = argc > 1 ? std::stoull(argv[1]) : 100'000;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto data = std::make_shared<actors::memory_store_data>();
  std::vector<std::string> ids;
  std::vector<domain::order_state> states;
  for (std::uint64_t n = 0; n < orders; ++n) {
    states.push_back(stored_order(n));
    ids.push_back(states.back().order.id);
  }
  const auto redis = argc > 2 ? runtime::parse_host_port(argv[2]) : std::nullopt;
  if (argc > 2 && !redis) {
    std::fprintf(stderr, "resident_orders: '%s' is not HOST:PORT\n", argv[2]);
    return 2;
  }
  actors::store_actor store;
  if (redis) {
    auto client = std::make_shared<runtime::redis_client>(
      runtime::redis_client::options{redis->host, redis->port, std::chrono::milliseconds{5'000}});
    runtime::redis_store_options store_opts;
    store_opts.key_prefix = "bench:";
    store = runtime::spawn_redis_store(sys, client, std::move(store_opts));
    caf::scoped_actor self{sys};
    for (auto& state : states) {
      const domain::event placed{state.order.created_at, domain::payment_authorized{state.order.total}};
      self->request(store, std::chrono::seconds{10}, actors::commit_atom::value,
                    actors::order_commit{0, state, placed, std::nullopt, std::nullopt, std::nullopt, std::nullopt})
        .receive([](actors::commit_reply&) {}, [](caf::error&) { std::abort(); });
    }
  } else {
    for (auto& state : states)
      data->orders.emplace(state.order.id, state);
    store = actors::spawn_memory_store(sys, data);
  }
  states.clear();
  actors::engine_context ctx;
  ctx.store = store;
  ctx.payment = actors::spawn_payment_simulator(sys, {});
  // The engine's clock, moved forward by hand so the orders go idle at once; the sweeps
  // that notice run on real timers every passivate_after / 4.
  auto skew_ms = std::make_shared<std::atomic<std::int64_t>>(0);
  ctx.now_ms = [skew_ms] { return std::int64_t{1'764'000'001'000} + skew_ms->load(); };
  ctx.passivate_after = std::chrono::milliseconds{400};
  ctx.max_resident_per_shard = orders; // nothing is passivated for the bound
  ctx.max_parked_per_shard = orders;
  auto tree = actors::spawn_actor_tree(sys, ctx, 4);

  const auto heap_before = heap_in_use();
  const auto rss_before = rss_bytes();
  const auto from_store = read_all(sys, tree, ids);
  const auto heap_live = heap_in_use();
  const auto rss_live = rss_bytes();

  skew_ms->store(10 * ctx.passivate_after.count());
  while (count(sys, tree, actors::park_atom::value) < orders)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  while (count(sys, tree, actors::resident_atom::value) > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  const auto heap_parked = heap_in_use();
  const auto from_parked = read_all(sys, tree, ids);

  const auto per_order = [&](double bytes) { return bytes / static_cast<double>(orders); };
  std::printf("orders                                   %llu (3 lines each, paid)\n",
              static_cast<unsigned long long>(orders));
  std::printf("live actors: heap in use per order       %.0f bytes\n",
              per_order(static_cast<double>(heap_live - heap_before)));
  std::printf("live actors: RSS growth per order        %.0f bytes (%.1f MiB in all)\n",
              per_order(static_cast<double>(rss_live - rss_before)),
              static_cast<double>(rss_live - rss_before) / (1 << 20));
  std::printf("parked: heap in use per order            %.0f bytes\n",
              per_order(static_cast<double>(heap_parked - heap_before)));
  std::printf("activation from the store p50 / p99      %lld / %lld us (%s)\n",
              static_cast<long long>(from_store.percentile(50)),
              static_cast<long long>(from_store.percentile(99)),
              redis ? "Redis on loopback" : "in-memory store");
  std::printf("activation from parked state p50 / p99   %lld / %lld us\n",
              static_cast<long long>(from_parked.percentile(50)),
              static_cast<long long>(from_parked.percentile(99)));
  actors::stop_actor_tree(tree);
  caf::anon_send_exit(ctx.store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(ctx.payment, caf::exit_reason::user_shutdown);
  return 0;
}
