// How ordoload reaches the engine: TCP connections to ordod (one per simulated customer, or
// fewer, shared by switching sessions), or an engine embedded in the process. Either way requests are asynchronous and their
// completions (and pushes) are delivered by pump() on the calling thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ordo/error.hpp"
#include "ordo/reply.hpp"
#include "ordo/request.hpp"
#include "runtime/options.hpp"

namespace ordo::load {

using done_callback = std::function<void(result<reply_body>)>;
using push_callback = std::function<void(const order&)>;

class transport {
public:
  virtual ~transport() = default;

  // Opens one channel per token (hello on each); channel i is token i's. The first
  // `subscribers` channels also subscribe: their customers' order changes go to on_push.
  virtual result<bool> open(const std::vector<std::string>& tokens, std::size_t subscribers) = 0;
  push_callback on_push;
  virtual void submit(std::size_t channel, request_body body, done_callback done) = 0;
  // Delivers what has completed, waiting at most `max_wait` for the first completion.
  virtual void pump(std::chrono::milliseconds max_wait) = 0;
  virtual std::size_t in_flight() const = 0;
  // Connections that dropped (and were opened again, their sessions resumed).
  virtual std::uint64_t connections_lost() const { return 0; }
};

// `connections` 0: one connection per channel; otherwise the channels share that many.
// Connections are spread over the targets (nodes of one engine) in turn; one whose node
// stops answering is opened again on the next target.
std::unique_ptr<transport> tcp_transport(std::vector<runtime::host_port> targets,
                                         std::size_t connections);
result<std::unique_ptr<transport>> inproc_transport(engine_options opts);

} // namespace ordo::load
