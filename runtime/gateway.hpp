// The TCP gateway of the wire protocol (docs/PROTOCOL.md) on its own epoll thread: framing,
// decoding, the per-connection rules, and hand-off to the session actors through the
// bridge. Every connection has a bounded number of requests in flight (beyond it:
// overloaded, nothing applied), a bounded write buffer (a client that stops reading is
// disconnected), and a deadline to authenticate. Nothing a client sends can take down more
// than its own connection.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/shard_router.hpp"
#include "ordo/order.hpp"
#include "ordo/error.hpp"
#include "runtime/options.hpp"

namespace ordo::runtime {

class completion_queue;
class connection_metrics;
class request_metrics;

struct gateway_options {
  host_port listen;
  std::size_t max_frame_bytes = 1024 * 1024;
  std::size_t max_in_flight_per_connection = 256;
  std::size_t max_write_buffer_bytes = 16 * 1024 * 1024; // a full list reply is ~1 MiB
  std::size_t max_connections = 100'000;
  std::chrono::milliseconds auth_timeout{10'000}; // to send a successful hello or resume
  std::chrono::milliseconds request_timeout{engine_options{}.request_timeout_ms};
  request_metrics* requests = nullptr;       // counted when set
  connection_metrics* connections = nullptr; // counted when set

  // Several nodes (docs/CLUSTER.md): a request for a customer shard tag that another node
  // serves goes there through `peers`; `route` names that node's address, or none to serve
  // the tag here. Other nodes' connections prove themselves with the auth key.
  std::function<std::optional<std::string>(std::size_t tag)> route;
  // The other nodes' addresses, read every second: a link stays open to each, for pushes.
  std::function<std::vector<std::string>()> nodes;
  // A push another node sent, for this node's subscribers.
  std::function<void(ordo::order)> pushed;
  std::string node; // this node's name
  std::string auth_key;
};

class gateway {
public:
  // Binds (SO_REUSEADDR) and listens before returning; the port accepts from then on.
  static result<std::unique_ptr<gateway>> start(caf::actor_system& sys,
                                                actors::session_router sessions,
                                                gateway_options opts);
  ~gateway(); // closes everything at once; call drain() first for a graceful stop

  // The address actually bound (a requested port 0 becomes the real one).
  std::string bound_address() const;

  // Stops accepting and reading new requests, waits at most `limit` for every request in
  // flight to be answered and written, then closes every connection.
  void drain(std::chrono::milliseconds limit);

  struct stats {
    std::size_t connections = 0;
    std::size_t in_flight = 0;
  };
  stats current() const;

private:
  class loop;
  explicit gateway(std::unique_ptr<loop> l);
  std::unique_ptr<loop> loop_;
};

} // namespace ordo::runtime
