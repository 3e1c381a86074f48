// The pure domain's cost: decide + apply_event for the commands of one lifecycle.

#include <benchmark/benchmark.h>

#include "domain/order_aggregate.hpp"

namespace {

using namespace ordo;

domain::order_state paid_order(int lines) {
  domain::place_order cmd{"01JA00000000000000000000007Z", "alice", false, {}};
  for (int i = 0; i < lines; ++i)
    cmd.lines.push_back({"SKU-" + std::to_string(i), 3, 9'900});
  auto s = domain::apply_event(std::nullopt, *domain::decide(std::nullopt, cmd, 1));
  return domain::apply_event(s, *domain::decide(s, domain::authorize_payment{}, 2));
}

void place(benchmark::State& state) {
  domain::place_order cmd{"01JA00000000000000000000007Z", "alice", false, {}};
  for (int i = 0; i < state.range(0); ++i)
    cmd.lines.push_back({"SKU-" + std::to_string(i), 3, 9'900});
  for (auto _ : state) {
    auto s = domain::apply_event(std::nullopt, *domain::decide(std::nullopt, cmd, 1));
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(place)->Arg(1)->Arg(5)->Arg(100);

void partial_cancel(benchmark::State& state) {
  const auto paid = paid_order(static_cast<int>(state.range(0)));
  const domain::command cancel = domain::cancel_order{std::vector<line_quantity>{{"SKU-0", 1}}};
  for (auto _ : state) {
    auto s = domain::apply_event(paid, *domain::decide(paid, cancel, 3));
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(partial_cancel)->Arg(1)->Arg(5)->Arg(100);

} // namespace

BENCHMARK_MAIN();
