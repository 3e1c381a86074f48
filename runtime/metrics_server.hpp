// The metrics endpoint of a daemon (--metrics=HOST:PORT): Prometheus' text format at
// /metrics and readiness at /ready (200 while serving, 503 with the reason otherwise),
// on civetweb's threads, away from the engine's.
#pragma once

#include <memory>
#include <string>

#include "ordo/error.hpp"
#include "runtime/options.hpp"

class CivetServer;

namespace ordo::runtime {

class scrape_source;

class metrics_server {
public:
  // Listens before returning; `metrics` must outlive the server.
  static result<std::unique_ptr<metrics_server>> start(const host_port& address,
                                                      const scrape_source& metrics);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  // The address actually bound (a requested port 0 becomes the real one).
  const std::string& bound_address() const { return bound_; }

private:
  class handlers;
  metrics_server() = default;

  std::unique_ptr<handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  std::string bound_;
};

} // namespace ordo::runtime
