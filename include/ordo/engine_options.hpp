// What an embedding process sets to start ordo::engine: the store, the auth key, payment,
// virtual actors and threads, each with its default and units in its name. ordod's options
// add its TCP gateway's to these (runtime/options.hpp), so both share one set of defaults.
#pragma once

#include <cstdint>
#include <string>

namespace ordo {

struct engine_options {
  std::string redis = "127.0.0.1:6379"; // HOST:PORT
  std::string auth_key;                 // signs tokens; required
  std::string key_prefix = "ordo:";     // of every Redis key, so engines can share a Redis
  // A Redis step not confirmed within this is answered unavailable.
  std::int64_t redis_timeout_ms = 1000;
  // A request not answered within this is answered unavailable (an order stuck behind a
  // long outage, say); the store's own timeout normally answers first.
  std::int64_t request_timeout_ms = 10'000;
  // 0 keeps every event; otherwise the events stream is trimmed towards this length, never
  // past an entry a consumer group still needs.
  std::int64_t events_max_len = 0;
  // The warehouse (a libpq connection string, docs/WAREHOUSE.md): orders that left Redis for
  // it are read, listed and changed again through it. Empty: only what Redis holds is served.
  std::string archive;

  // Payment: the built-in simulator, and how long an order may wait for it.
  std::int64_t payment_latency_ms = 3;
  double payment_decline_rate = 0.0;
  std::int64_t payment_seed = 1;
  std::int64_t payment_timeout_ms = 10'000;

  // Virtual actors: when an idle order is passivated, how many stay resident (live actors)
  // at most, and how many passivated orders keep their state in memory (parked).
  std::int64_t passivate_after_ms = 60'000;
  std::int64_t max_resident_orders = 100'000;
  std::int64_t max_parked_orders = 1'000'000;

  // CAF scheduler worker threads; 0 means one per core.
  std::int64_t scheduler_threads = 0;

  // Several engines on one Redis (same redis, key_prefix and auth_key) are one engine of
  // several nodes. `node` names this one, unique among them (no spaces; empty: ordod uses
  // its advertised address, an embedded engine "embedded-HOST-PID"). Each customer shard
  // tag is served by one node at a time under a lease of lease_ms, renewed well before it
  // ends.
  std::string node;
  std::int64_t lease_ms = 3'000;
  // HOST:PORT where an embedded engine serves the other nodes (and clients, with the wire
  // protocol), so that it owns customer tags of its own. Empty: it owns none while nodes with
  // an address exist, and sends every order's request on to the node serving it. (ordod
  // serves the other nodes on its --listen address and ignores this.)
  std::string node_listen;
};

} // namespace ordo
