// The store interface (actors/store.hpp) on Redis. Each request becomes one Redis command
// (a Lua script for every state change) handed to the pipelining redis_client; the reply
// comes back as a message, so this actor never blocks. A request Redis does not answer
// within `timeout` is answered unavailable then; a late answer is dropped. The same holds for
// the warehouse's reads.
#pragma once

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/store.hpp"
#include "runtime/redis_client.hpp"

namespace ordo::runtime {

class store_metrics;
class archive_reader;

struct redis_store_options {
  std::string key_prefix = "ordo:";
  std::chrono::milliseconds timeout{1'000};
  std::int64_t idem_ttl_s = 24 * 60 * 60;
  // 0: never trim the events stream. Otherwise trim it towards this length in the
  // background, never past what a consumer group still needs.
  std::int64_t events_max_len = 0;
  std::chrono::milliseconds trim_interval{1'000};
  store_metrics* metrics = nullptr; // request latencies and the stream's length, when set
  // The warehouse (ordod --archive), when set: an order that is not in Redis is looked for
  // there, a list merges both, and a change to an archived order brings it back into Redis
  // in the same step that applies it (docs/WAREHOUSE.md).
  std::shared_ptr<archive_reader> archive;
};

actors::store_actor spawn_redis_store(caf::actor_system& sys, std::shared_ptr<redis_client> client,
                                      redis_store_options opts);

} // namespace ordo::runtime
