// A private Prometheus (Debian's /usr/bin/prometheus) for one test: a free loopback port and
// its own temp dir (config and TSDB), scraping the given targets every second; stopped by
// pid (never by name) and removed when the test ends, killed with the test process too
// (PR_SET_PDEATHSIG). Tests read what it scraped back through its HTTP API, as Grafana would.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ordo::test {

class prometheus_server {
 public:
  // `targets` are HOST:PORT addresses serving /metrics, scraped as job `job`.
  explicit prometheus_server(std::vector<std::string> targets, std::string job = "ordod");
  ~prometheus_server();
  prometheus_server(const prometheus_server&) = delete;
  prometheus_server& operator=(const prometheus_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  const std::string& job() const { return job_; }

  // The parsed answer of /api/v1/query for `expr` at the current time: {"status": "success",
  // "data": {...}} or Prometheus' own {"status": "error", "error": ...}. When Prometheus
  // cannot be reached the answer has the same shape, with errorType "transport".
  nlohmann::json query(const std::string& expr) const;

  // Queries `expr` until its `data.result` satisfies `done` or `timeout` passes; true if it
  // did. Failed queries are retried, so a target not scraped yet only delays the answer.
  bool wait_for(const std::string& expr, const std::function<bool(const nlohmann::json&)>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds{30}) const;

  // The last lines of Prometheus' log, for failure messages.
  std::string log_tail() const;

  // SIGTERM and wait (bounded), then SIGKILL.
  void stop();

 private:
  // On a new free port; false if Prometheus exited at start (its port was taken, say).
  bool start();
  bool wait_until_ready();

  std::string job_;
  std::uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// The value of the first sample of an instant-vector `data.result`, if there is one.
std::optional<double> first_value(const nlohmann::json& result);

} // namespace ordo::test
