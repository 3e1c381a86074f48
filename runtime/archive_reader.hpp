// The engine's reads of the warehouse (ordod --archive): libpq is blocking, so queries run
// on threads of their own, each with its own connection, never on CAF's. Every job runs
// exactly once, with a connection, or with `unavailable` when PostgreSQL cannot be reached
// (it is tried again on the next job, at most once a second while down). Jobs must be short:
// one query, then hand the result to an actor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ordo/error.hpp"

namespace ordo::warehouse {
class pg_connection;
}

namespace ordo::runtime {

class archive_reader {
public:
  using job = std::function<void(result<warehouse::pg_connection*>)>;

  // Each query may take `timeout` (PostgreSQL's statement_timeout).
  archive_reader(std::string conninfo, std::chrono::milliseconds timeout, std::size_t threads = 2);
  ~archive_reader(); // stop()
  archive_reader(const archive_reader&) = delete;
  archive_reader& operator=(const archive_reader&) = delete;

  // A job still queued at `deadline` (its caller has stopped waiting) runs with
  // `unavailable` instead of a query.
  void submit(job j, std::chrono::steady_clock::time_point deadline);

  // Runs what is queued with `unavailable` and joins the threads; idempotent. Called by the
  // engine from its own thread, so that no CAF thread ever waits on a query.
  void stop();

private:
  void run();

  struct queued {
    job run;
    std::chrono::steady_clock::time_point deadline;
  };

  std::string conninfo_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<queued> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point next_connect_{}; // while down, shared by the threads
  std::vector<std::thread> threads_;
};

} // namespace ordo::runtime
