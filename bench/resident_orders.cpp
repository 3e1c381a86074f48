// Bytes per resident order actor and activation (rehydration) time, measured side by side:
// N orders are stored in the in-memory store, then read one after another through their
// directory shard, which activates each (load, then reply) and keeps it resident. RSS is
// read before and after. With Redis the activation adds one round trip (see bench/e2e).
// Usage: resident_orders [ORDERS]

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "actors/actor_tree.hpp"
#include "actors/memory_store.hpp"
#include "actors/order_protocol.hpp"
#include "actors/payment.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "histogram.hpp"

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

} // namespace

int main(int argc, char** argv) {
  const std::uint64_t orders = argc > 1 ? std::stoull(argv[1]) : 100'000;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto data = std::make_shared<actors::memory_store_data>();
  std::vector<std::string> ids;
  for (std::uint64_t n = 0; n < orders; ++n) {
    auto s = stored_order(n);
    ids.push_back(s.order.id);
    data->orders.emplace(s.order.id, std::move(s));
  }
  actors::engine_context ctx;
  ctx.store = actors::spawn_memory_store(sys, data);
  ctx.payment = actors::spawn_payment_simulator(sys, {});
  ctx.now_ms = [] { return std::int64_t{1'764'000'001'000}; };
  ctx.max_resident_per_shard = orders; // nothing is passivated for the bound
  auto tree = actors::spawn_actor_tree(sys, ctx, 4);
  const auto before = rss_bytes();
  load::histogram activation;
  {
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
  }
  const auto after = rss_bytes();
  std::printf("resident order actors        %llu\n", static_cast<unsigned long long>(orders));
  std::printf("RSS growth                   %.1f MiB\n", static_cast<double>(after - before) / (1 << 20));
  std::printf("bytes per resident order     %.0f\n", static_cast<double>(after - before) / static_cast<double>(orders));
  std::printf("activation p50 / p99         %lld / %lld us (in-memory store, request to reply)\n",
              static_cast<long long>(activation.percentile(50)), static_cast<long long>(activation.percentile(99)));
  actors::stop_actor_tree(tree);
  caf::anon_send_exit(ctx.store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(ctx.payment, caf::exit_reason::user_shutdown);
  return 0;
}
