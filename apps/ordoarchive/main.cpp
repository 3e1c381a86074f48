// ordoarchive (docs/WAREHOUSE.md): the events streams into PostgreSQL, and archived orders
// out of Redis once their grace has passed. The work is runtime/archiver's; this reads the
// command line, serves the metrics when asked and turns SIGTERM/SIGINT into a clean stop.

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "runtime/archiver.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/metrics_server.hpp"

int main(int argc, char** argv) {
  using namespace ordo;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto parsed = archive_cli::parse(std::vector<std::string>(argv + 1, argv + argc));
  if (std::holds_alternative<archive_cli::show_help>(parsed)) {
    std::cout << archive_cli::help_text();
    return 0;
  }
  if (auto* bad = std::get_if<archive_cli::bad_usage>(&parsed)) {
    std::cerr << "ordoarchive: " << bad->message << '\n';
    return 2;
  }
  auto& settings = std::get<archive_cli::settings>(parsed);
  std::unique_ptr<runtime::archive_metrics> metrics;
  std::unique_ptr<runtime::metrics_server> endpoint;
  if (!settings.metrics.empty()) {
    metrics = std::make_unique<runtime::archive_metrics>();
    auto started = runtime::metrics_server::start(*runtime::parse_host_port(settings.metrics), *metrics);
    if (!started) {
      std::cerr << "ordoarchive: " << started.error().message << '\n';
      return 1;
    }
    endpoint = std::move(*started);
    runtime::log_event("info", "metrics_listening", {{"addr", endpoint->bound_address()}});
    settings.archiver.metrics = metrics.get();
  }
  std::atomic<bool> stop{false};
  std::thread signals{[&] {
    int signal = 0;
    ::sigwait(&stop_signals, &signal);
    runtime::log_event("info", "stopping", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
    if (metrics)
      metrics->set_phase(runtime::serving_phase::stopping);
    stop.store(true);
  }};
  const auto prefix = settings.archiver.key_prefix;
  const auto group = settings.archiver.group;
  const auto consumer = settings.archiver.consumer;
  runtime::archiver work{std::move(settings.archiver)};
  work.run(stop, [&] {
    if (metrics)
      metrics->set_phase(runtime::serving_phase::serving);
    runtime::log_event("info", "running", {{"prefix", prefix}, {"group", group}, {"consumer", consumer}});
    std::cout << "ordoarchive running" << std::endl;
  });
  signals.join();
  runtime::log_event("info", "stopped");
  return 0;
}
