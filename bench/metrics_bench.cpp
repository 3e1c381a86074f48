// The metrics' own cost per request, away from the noise of a whole engine: what one place
// adds on the request path (bench/metrics_cost measures ordod as a whole), and one scrape.
#include <benchmark/benchmark.h>

#include "runtime/metrics.hpp"

namespace {

using ordo::runtime::engine_metrics;
using ordo::runtime::metrics_clock;
using ordo::runtime::store_op;

const auto place_op = ordo::runtime::op_index(ordo::place_request{});

void request_answered(benchmark::State& state) {
  engine_metrics m;
  for (auto _ : state) {
    m.requests().entered();
    m.requests().answered(place_op, std::nullopt, std::chrono::microseconds{900});
    m.requests().left();
  }
}
BENCHMARK(request_answered);

void store_request_finished(benchmark::State& state) {
  engine_metrics m;
  for (auto _ : state)
    m.store().finished(store_op::commit, std::chrono::microseconds{700}, std::nullopt);
}
BENCHMARK(store_request_finished);

void actor_counter(benchmark::State& state) {
  engine_metrics m;
  for (auto _ : state)
    ordo::actors::bump(m.actors()->commit_conflicts);
}
BENCHMARK(actor_counter);

// Everything a durable place counts: its request, two commits (placed, paid) with their
// events, the activation, the payment outcome, a quarter of a round trip (eight commits per
// round trip is typical under load), and the two clock reads of its latencies.
void one_place(benchmark::State& state) {
  engine_metrics m;
  auto& a = *m.actors();
  for (auto _ : state) {
    const auto arrived = metrics_clock::now();
    m.requests().entered();
    ordo::actors::bump(a.of(ordo::actors::actor_kind::order).activations);
    ordo::actors::add(a.of(ordo::actors::actor_kind::order).resident, 1);
    for (int commit = 0; commit < 2; ++commit) {
      m.store().finished(store_op::commit, std::chrono::microseconds{700}, std::nullopt);
      ordo::actors::bump(a.events_committed[static_cast<std::size_t>(commit)]);
    }
    ordo::actors::bump(a.payment_outcomes[0]);
    if ((state.iterations() & 3) == 0)
      m.redis().round_trip(8, 8, std::chrono::microseconds{600});
    m.requests().answered(place_op, std::nullopt, metrics_clock::now() - arrived);
    m.requests().left();
  }
}
BENCHMARK(one_place);

void scrape(benchmark::State& state) {
  engine_metrics m;
  for (std::size_t op = 0; op < ordo::runtime::op_count; ++op)
    m.requests().answered_at_once(op, ordo::errc::bad_request);
  std::size_t bytes = 0;
  for (auto _ : state)
    bytes = m.exposition().size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(scrape);

} // namespace

BENCHMARK_MAIN();
