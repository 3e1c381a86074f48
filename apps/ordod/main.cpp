// ordod, the engine daemon (docs/OPERATIONS.md): reads its configuration, starts the metrics
// endpoint when asked (answering /ready with 503 until it serves), the engine on Redis and
// the TCP gateway, prints the ready line, and on SIGTERM or SIGINT reports itself not ready,
// stops accepting, finishes what is in flight and exits 0.

#include <caf/actor_system.hpp>

#include <csignal>
#include <iostream>
#include <sstream>
#include <string>

#include "runtime/cluster_node.hpp"
#include "runtime/config.hpp"
#include "runtime/engine.hpp"
#include "runtime/gateway.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/metrics_server.hpp"

namespace {

// How long a graceful stop waits for requests in flight: a store round trip and then some.
std::chrono::milliseconds drain_limit(const ordo::runtime::options& opts) {
  return std::chrono::milliseconds{opts.redis_timeout_ms} * 3 + std::chrono::seconds{2};
}

int serve(ordo::runtime::config& cfg, const sigset_t& stop_signals) {
  using namespace ordo::runtime;
  std::unique_ptr<engine_metrics> metrics;
  std::unique_ptr<metrics_server> metrics_endpoint;
  if (!cfg.opts.metrics.empty()) {
    metrics = std::make_unique<engine_metrics>();
    auto endpoint = metrics_server::start(*parse_host_port(cfg.opts.metrics), *metrics);
    if (!endpoint) {
      std::cerr << "ordod: " << endpoint.error().message << '\n';
      return 1;
    }
    metrics_endpoint = std::move(*endpoint);
    log_event("info", "metrics_listening", {{"addr", metrics_endpoint->bound_address()}});
  }
  caf::actor_system sys{cfg};
  cfg.opts.node = node_name(cfg.opts);
  auto started = engine::start(sys, cfg.opts, metrics.get(), advertised_address(cfg.opts));
  if (!started) {
    std::cerr << "ordod: " << started.error().message << '\n';
    return 1;
  }
  auto& eng = **started;
  if (metrics)
    metrics->watch_cluster(eng.shared_node());
  gateway_options gw;
  gw.listen = *parse_host_port(cfg.opts.listen);
  gw.max_frame_bytes = static_cast<std::size_t>(cfg.opts.max_frame_bytes);
  gw.max_in_flight_per_connection = static_cast<std::size_t>(cfg.opts.max_in_flight);
  gw.max_write_buffer_bytes = static_cast<std::size_t>(cfg.opts.max_write_buffer_bytes);
  gw.max_connections = static_cast<std::size_t>(cfg.opts.max_connections);
  gw.auth_timeout = std::chrono::milliseconds{cfg.opts.auth_timeout_ms};
  gw.request_timeout = std::chrono::milliseconds{cfg.opts.request_timeout_ms};
  if (metrics) {
    gw.requests = &metrics->requests();
    gw.connections = &metrics->connections();
  }
  gw.node = cfg.opts.node;
  gw.auth_key = cfg.opts.auth_key;
  gw.route = [&eng](std::size_t tag) { return eng.node().forward_address(tag); };
  gw.nodes = [&eng] { return eng.node().peer_addresses(); };
  gw.pushed = [&eng](ordo::order o) { eng.deliver_push(std::move(o)); };
  auto listening = gateway::start(sys, eng.tree().sessions, gw);
  if (!listening) {
    std::cerr << "ordod: " << listening.error().message << '\n';
    eng.stop();
    return 1;
  }
  auto& gate = **listening;
  log_event("info", "listening",
            {{"addr", gate.bound_address()}, {"redis", cfg.opts.redis}, {"prefix", cfg.opts.key_prefix}});
  if (metrics)
    metrics->set_phase(serving_phase::serving);
  std::cout << "ordod listening on " << cfg.opts.listen << std::endl;
  int signal = 0;
  ::sigwait(&stop_signals, &signal);
  if (metrics)
    metrics->set_phase(serving_phase::stopping);
  log_event("info", "stopping", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"},
                                 {"in_flight", std::to_string(gate.current().in_flight)}});
  // The other nodes take this one's tags over first, so that what clients send meanwhile
  // is served there; then the requests in flight here finish.
  eng.leave(drain_limit(cfg.opts));
  gate.drain(drain_limit(cfg.opts));
  (*listening).reset();
  eng.stop();
  log_event("info", "stopped");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Blocked before any thread starts, so every thread inherits the mask and sigwait below
  // is the one place that takes the stop signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ordo::runtime::config cfg;
  const auto parsed = ordo::runtime::parse_command_line(cfg, argc, argv);
  switch (parsed.outcome) {
    case ordo::runtime::parse_outcome::help_shown:
      return 0;
    case ordo::runtime::parse_outcome::print_config:
      std::cout << cfg.render_settings() << std::flush;
      return 0;
    case ordo::runtime::parse_outcome::failed: {
      std::istringstream problems{parsed.message};
      for (std::string line; std::getline(problems, line);)
        std::cerr << "ordod: " << line << '\n';
      return 2;
    }
    case ordo::runtime::parse_outcome::run:
      break;
  }
  return serve(cfg, stop_signals);
}
