// A pipelining Redis client on its own thread (hiredis' blocking API, used only there), so
// no CAF scheduler thread ever waits on Redis. Commands submitted while a batch is in flight
// form the next batch: one round trip carries many actors' writes (group commit).
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

#include "messages/error.hpp"
#include "runtime/redis_value.hpp"

struct redisContext;

namespace ordo::runtime {

struct redis_command {
  std::vector<std::string> args;
  // An EVALSHA carries its script: after a NOSCRIPT reply (Redis restarted, or its script
  // cache was flushed) it is sent again as EVAL, which caches the script once more.
  std::shared_ptr<const std::string> script;
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
  void execute(std::deque<job>& batch);
  void disconnect();

  options opts_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool stopping_ = false;
  redisContext* ctx_ = nullptr; // owned by the client's thread
  std::chrono::steady_clock::time_point next_connect_{};
  std::thread thread_;
};

} // namespace ordo::runtime
