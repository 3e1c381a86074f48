// What every actor of one engine shares: the store and payment service handles, the clock,
// the timeouts and bounds. Built once by the engine assembly (runtime/) or a test, then
// shared read-only.
#pragma once

#include <caf/actor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/actor_metrics.hpp"
#include "actors/served_tags.hpp"
#include "actors/shard_router.hpp"
#include "actors/store.hpp"

namespace ordo::actors {

// Where a test may make an actor throw, to exercise supervision. Empty in production.
enum class fault_point {
  before_decide,   // the command is taken, nothing is written
  after_commit,    // the store confirmed; the reply is not sent yet
};

struct fault_injector {
  std::function<void(const std::string& order_id, fault_point)> hook;
};

struct engine_context {
  store_actor store;
  caf::actor payment;
  order_router orders; // set once the order directory is up; sessions route through it
  std::function<std::int64_t()> now_ms; // wall clock, Unix ms

  // Commands wait on the store without a timer of their own: the store answers every request
  // within its own timeout (store.hpp). This bounds the deadline scanner's requests.
  std::chrono::milliseconds store_timeout{1'500};
  std::chrono::milliseconds payment_timeout{10'000};
  std::chrono::milliseconds passivate_after{10'000};
  std::chrono::milliseconds order_request_timeout{10'000}; // a session waiting on an order
  std::size_t max_resident_per_shard = 100'000;
  std::size_t max_parked_per_shard = 1'000'000; // passivated orders' state kept compactly

  // Supervision: a virtual actor crashing more than this often stays down for the period.
  std::size_t max_restarts = 3;
  std::chrono::milliseconds restart_period{10'000};

  // Several nodes on one store: the tags this one serves (actors/served_tags.hpp); null when
  // this engine is alone and owns every tag. A request for a tag not served now waits this
  // long for a hand-off or take-over before it is answered unavailable.
  std::shared_ptr<served_tags> tags;
  std::chrono::milliseconds tag_wait{6'000};

  std::string auth_key;
  std::shared_ptr<fault_injector> faults;
  std::shared_ptr<actor_metrics> metrics; // null: the engine counts nothing
};

using context_ptr = std::shared_ptr<const engine_context>;

} // namespace ordo::actors
