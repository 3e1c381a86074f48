// The engine's metrics (docs/OPERATIONS.md, "Metrics"): Prometheus families kept with
// prometheus-cpp, one object per process. Each part of the runtime gets the piece it
// updates (requests for the doors, the Redis client's round trips, the store's requests,
// connections for the gateway); the actors count into plain atomics (actors/actor_metrics.hpp)
// read at scrape time. Every label set a hot path uses is resolved once, so a request
// costs a few atomic increments and one histogram observation, never a lookup by labels.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "actors/actor_metrics.hpp"
#include "ordo/errc.hpp"
#include "ordo/request.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
} // namespace prometheus

namespace ordo::runtime {

class cluster_node;

using metrics_clock = std::chrono::steady_clock;

// The request's op as a metrics index; a frame that does not decode has no op (`unknown`).
inline constexpr std::size_t unknown_op = std::variant_size_v<request_body>;
inline constexpr std::size_t op_count = unknown_op + 1;
inline std::size_t op_index(const request_body& body) { return body.index(); }

inline constexpr std::size_t errc_count = std::size(all_errcs);

// Requests answered by the doors into the engine: the gateway's own answers and the
// bridge's. Thread-safe.
class request_metrics {
public:
  explicit request_metrics(prometheus::Registry& registry);

  // A request handed to the actors, and its answer back at the gateway: the in-flight gauge.
  void entered();
  void left();
  // A request the bridge answered, `failure` empty for success.
  void answered(std::size_t op, std::optional<errc> failure, metrics_clock::duration took);
  // A request the gateway answered itself, never in flight (ping, refusals before any actor).
  void answered_at_once(std::size_t op, std::optional<errc> failure);
  // A request sent on to the node serving its customer tag (that node counts its answer).
  void forwarded();

private:
  prometheus::Counter& counter(std::size_t op, std::optional<errc> failure);

  // [op][0] is success, [op][1 + code] each error. All made up front: a series that first
  // appears at 1 is invisible to rate(), so the first error of a kind would not show.
  std::array<std::array<prometheus::Counter*, errc_count + 1>, op_count> by_code_{};
  std::array<prometheus::Histogram*, op_count> durations_{};
  prometheus::Gauge* in_flight_;
  prometheus::Counter* forwarded_;
};

class connection_metrics {
public:
  explicit connection_metrics(prometheus::Registry& registry);
  void opened();
  void closed();
  void refused();

private:
  prometheus::Gauge* open_;
  prometheus::Counter* accepted_;
  prometheus::Counter* refused_;
};

// The Redis client's round trips, on its own thread.
class redis_metrics {
public:
  explicit redis_metrics(prometheus::Registry& registry);
  void round_trip(std::size_t commands, std::size_t commits, metrics_clock::duration took);
  void connection_failed();
  void set_up(bool up);
  bool up() const { return up_.load(std::memory_order_relaxed); }

private:
  prometheus::Counter* round_trips_;
  prometheus::Histogram* commands_;
  prometheus::Histogram* commits_;
  prometheus::Histogram* duration_;
  prometheus::Counter* failures_;
  prometheus::Gauge* up_gauge_;
  std::atomic<bool> up_{true}; // the engine starts only once Redis answered
};

// The store's requests, as the store actor issues them.
enum class store_op : std::uint8_t {
  load,
  commit,
  idempotency,
  list,
  membership_read,
  membership_write,
  session_write,
  session_read,
  deadlines,
  stream_length,
  trim,
  archive,  // a read of the warehouse (ordod --archive), not of Redis
  announce, // naming the events stream in the set of streams
};
inline constexpr std::size_t store_op_count = 13;

class store_metrics {
public:
  explicit store_metrics(prometheus::Registry& registry);
  void finished(store_op op, metrics_clock::duration took, std::optional<errc> failure);
  void stream_length(std::int64_t entries);

private:
  // [op][0] unavailable, [op][1] internal: the only codes Redis' failures map to.
  std::array<std::array<prometheus::Counter*, 2>, store_op_count> errors_{};
  std::array<prometheus::Histogram*, store_op_count> durations_{};
  prometheus::Gauge* stream_length_;
};

// Whether a process serves: what /ready and ordo_ready say.
enum class serving_phase : std::uint8_t { starting, serving, stopping };

// What the metrics endpoint (runtime/metrics_server.hpp) serves; read on its threads.
class scrape_source {
public:
  virtual ~scrape_source() = default;
  // Every family in Prometheus' text format (version 0.0.4).
  virtual std::string exposition() const = 0;
  // Why the process does not serve right now; empty when it does.
  virtual std::optional<std::string> not_ready() const = 0;
};

class engine_metrics final : public scrape_source {
public:
  engine_metrics();
  ~engine_metrics();
  engine_metrics(const engine_metrics&) = delete;
  engine_metrics& operator=(const engine_metrics&) = delete;

  request_metrics& requests() { return *requests_; }
  connection_metrics& connections() { return *connections_; }
  redis_metrics& redis() { return *redis_; }
  store_metrics& store() { return *store_; }
  const std::shared_ptr<actors::actor_metrics>& actors() const { return actors_; }

  void set_phase(serving_phase phase) { phase_.store(phase); }

  // This node's view of the engine's nodes, read at every scrape.
  void watch_cluster(std::shared_ptr<const cluster_node> node);
  std::optional<std::string> not_ready() const override;
  std::string exposition() const override;

private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<request_metrics> requests_;
  std::unique_ptr<connection_metrics> connections_;
  std::unique_ptr<redis_metrics> redis_;
  std::unique_ptr<store_metrics> store_;
  std::shared_ptr<actors::actor_metrics> actors_;
  std::atomic<serving_phase> phase_{serving_phase::starting};
  mutable std::mutex node_mutex_; // scrapes run on the endpoint's threads
  std::shared_ptr<const cluster_node> node_;
};

// ordoarchive's metrics (docs/WAREHOUSE.md, "Metrics"). The archiver's one thread updates
// them; scrapes read them on the endpoint's.
class archive_metrics final : public scrape_source {
public:
  archive_metrics();
  ~archive_metrics();
  archive_metrics(const archive_metrics&) = delete;
  archive_metrics& operator=(const archive_metrics&) = delete;

  void batch_written(std::size_t events, metrics_clock::duration took);
  void batch_failed();
  void unreadable(std::size_t entries);
  void claimed(std::size_t entries);
  void evicted(std::size_t orders);
  void lag(std::int64_t entries, double seconds);
  void set_phase(serving_phase phase) { phase_.store(phase); }
  void set_connected(bool redis, bool postgres);

  std::optional<std::string> not_ready() const override;
  std::string exposition() const override;

private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* events_;
  prometheus::Counter* batches_;
  prometheus::Counter* failures_;
  prometheus::Counter* unreadable_;
  prometheus::Counter* claimed_;
  prometheus::Counter* evicted_;
  prometheus::Gauge* lag_entries_;
  prometheus::Gauge* lag_seconds_;
  prometheus::Histogram* batch_duration_;
  std::atomic<serving_phase> phase_{serving_phase::starting};
  std::atomic<bool> redis_up_{false};
  std::atomic<bool> postgres_up_{false};
};

} // namespace ordo::runtime
