// What the actors count for the engine's metrics: plain relaxed atomics, so that the actors
// need no metrics library and a figure costs one uncontended increment. The runtime reads
// them when Prometheus scrapes (runtime/metrics.cpp). One per engine, reached through
// engine_context::metrics, which is null when the engine runs without metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "domain/events.hpp"

namespace ordo::actors {

enum class actor_kind : std::uint8_t { order, session };
inline constexpr std::size_t actor_kind_count = 2;

// Payment decisions as the order actors receive them, in payment_decision's order.
inline constexpr std::size_t payment_outcome_count = 3;

struct directory_figures {
  std::atomic<std::int64_t> resident{0};
  std::atomic<std::int64_t> parked{0};
  std::atomic<std::uint64_t> activations{0};
  std::atomic<std::uint64_t> passivations{0};
  std::atomic<std::uint64_t> restarts{0}; // crashes: the next request starts the actor again
};

struct actor_metrics {
  std::array<directory_figures, actor_kind_count> directories;
  std::atomic<std::uint64_t> commit_conflicts{0};
  std::array<std::atomic<std::uint64_t>, payment_outcome_count> payment_outcomes{};
  std::atomic<std::uint64_t> deadline_expiries{0};
  // By the index of the event in domain::event_body.
  std::array<std::atomic<std::uint64_t>, std::variant_size_v<domain::event_body>> events_committed{};

  directory_figures& of(actor_kind kind) { return directories[static_cast<std::size_t>(kind)]; }
};

inline void bump(std::atomic<std::uint64_t>& figure) {
  figure.fetch_add(1, std::memory_order_relaxed);
}

inline void add(std::atomic<std::int64_t>& figure, std::int64_t delta) {
  figure.fetch_add(delta, std::memory_order_relaxed);
}

} // namespace ordo::actors
