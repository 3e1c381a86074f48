// ordoarchive's work (docs/WAREHOUSE.md): every events stream the engine names in
// PREFIX event-streams, read through one consumer group, written into PostgreSQL in batches
// (runtime/../warehouse/archive_writer.hpp), acknowledged only once the batch committed.
// Entries another archiver of the group left pending too long are claimed. Orders whose
// last change is archived are marked in Redis, and leave it once unchanged for the grace.
//
// One thread: run() returns once `stop` is set, the batch in flight finished (or, with
// PostgreSQL down, left pending for whoever archives next). Either side down: it logs once
// and tries again every second, never exits for it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/options.hpp"

namespace ordo::runtime {

class archive_metrics;

struct archiver_options {
  host_port redis{"127.0.0.1", 6379};
  std::string postgres; // libpq connection string
  std::string key_prefix = "ordo:";
  std::string group = "archive";
  std::string consumer; // unique per process; several archivers share the group's work
  std::size_t batch = 1'000;
  std::chrono::milliseconds claim_idle{30'000};  // pending longer than this: claimed
  std::chrono::milliseconds grace{3'600'000};     // unchanged this long after archived: evicted
  std::chrono::milliseconds redis_timeout{2'000};
  archive_metrics* metrics = nullptr;
};

class archiver {
public:
  explicit archiver(archiver_options opts);
  ~archiver();
  archiver(const archiver&) = delete;
  archiver& operator=(const archiver&) = delete;

  // `running` is called once, when both Redis and PostgreSQL first answered.
  void run(const std::atomic<bool>& stop, const std::function<void()>& running);

private:
  struct state;
  std::unique_ptr<state> st_;
};

} // namespace ordo::runtime
