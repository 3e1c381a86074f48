// A pipelining Redis client on its own thread (hiredis' blocking API, used only there), so
// no CAF scheduler thread ever waits on Redis. Commands submitted while a batch is in flight
// form the next batch: one round trip carries many actors' writes (group commit).
//
// Calls of a script with a batch form (redis_batch_form) that are queued together travel as
// one call of that form: Redis parses, looks up and enters Lua once for all of them.
//
// Every command completes exactly once through its callback, on the client's thread: with
// Redis' reply, or with `unavailable` at once when the connection is refused or drops (what
// was sent then may or may not have been applied). The client reconnects by itself, at
// least once a second while Redis is down. Callbacks must be short: they hand the result
// to an actor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ordo/error.hpp"
#include "runtime/redis_value.hpp"

struct redisContext;

namespace ordo::runtime {

class redis_metrics;

// The batch form of a script: one call of it runs n calls of the script, taking their keys
// one call after another, then ARGV[1] = n and their args in the same order (each call has
// exactly keys_per_call keys and args_per_call args), and answers the array of their n
// replies (an error reply in place of a call that failed).
struct redis_batch_form {
  std::shared_ptr<const std::string> source;
  std::string sha1;
  std::size_t keys_per_call = 0;
  std::size_t args_per_call = 0;
  std::size_t max_calls = 64; // so that one call never holds Redis for long
};

struct redis_command {
  std::vector<std::string> args;
  // An EVALSHA carries its script: after a NOSCRIPT reply (Redis restarted, or its script
  // cache was flushed) it is sent again as EVAL, which caches the script once more.
  std::shared_ptr<const std::string> script;
  // Set on an EVALSHA whose script has a batch form: it may travel with others.
  const redis_batch_form* batch_form = nullptr;
};

using redis_callback = std::function<void(result<redis_value>)>;

class redis_client {
public:
  struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::chrono::milliseconds io_timeout{1'000}; // connect, send and receive
    std::chrono::milliseconds reconnect_interval{250};
    std::size_t max_batch = 4'096;
    redis_metrics* metrics = nullptr; // round trips and batch sizes, when set
    // Logs redis_down / redis_up; a second client of the same Redis in one process stays
    // quiet, so that an outage is told once.
    bool log_outages = true;
  };

  explicit redis_client(options opts);
  ~redis_client(); // fails whatever is still queued with unavailable, then joins the thread
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  void submit(redis_command cmd, redis_callback done);

  // Connects once, synchronously, and says why that failed. For start-up checks.
  static result<bool> probe(const std::string& host, std::uint16_t port,
                            std::chrono::milliseconds timeout);

private:
  struct job {
    redis_command cmd;
    redis_callback done;
  };

  void run();
  bool ensure_connected();
  void fail_all(std::deque<job>& jobs, const std::string& why);
  bool execute(std::deque<job>& batch); // false when the connection was lost
  static std::deque<job> combine(std::deque<job> batch);
  void send(std::deque<job> batch); // one round trip
  void disconnect();
  void note_down(const std::string& why);
  void note_answered();

  options opts_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool stopping_ = false;
  redisContext* ctx_ = nullptr; // owned by the client's thread
  bool down_ = false;           // as last logged; the client's thread only
  std::chrono::steady_clock::time_point next_connect_{};
  std::thread thread_;
};

} // namespace ordo::runtime
