#include "runtime/metrics_server.hpp"

#include <CivetServer.h>

#include <exception>
#include <string>
#include <string_view>

#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace ordo::runtime {

namespace {

void respond(mg_connection* conn, int status, std::string_view reason, std::string_view type,
             std::string_view body) {
  mg_printf(conn,
            "HTTP/1.1 %d %.*s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\n\r\n",
            status, static_cast<int>(reason.size()), reason.data(),
            static_cast<int>(type.size()), type.data(), body.size());
  mg_write(conn, body.data(), body.size());
}

// An exception must not reach civetweb's C threads (it would end the process).
template <class Page>
bool answer_safely(mg_connection* conn, Page page) {
  try {
    page();
  } catch (const std::exception& e) {
    respond(conn, 500, "Internal Server Error", "text/plain; charset=utf-8",
            std::string{e.what()} + "\n");
  }
  return true;
}

class metrics_page : public CivetHandler {
public:
  explicit metrics_page(const scrape_source& m) : metrics_(m) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    return answer_safely(conn, [&] {
      respond(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics_.exposition());
    });
  }

private:
  const scrape_source& metrics_;
};

class ready_page : public CivetHandler {
public:
  explicit ready_page(const scrape_source& m) : metrics_(m) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    return answer_safely(conn, [&] {
      if (auto why = metrics_.not_ready())
        respond(conn, 503, "Service Unavailable", "text/plain; charset=utf-8", *why + "\n");
      else
        respond(conn, 200, "OK", "text/plain; charset=utf-8", "ready\n");
    });
  }

private:
  const scrape_source& metrics_;
};

// civetweb reports why it could not start only through its log callback, on the thread
// that starts it; later complaints (a client that misbehaves) go to the log.
thread_local bool starting = false;
thread_local std::string start_failure;

int log_civetweb(const mg_connection*, const char* message) {
  if (starting)
    start_failure = message;
  else
    log_event("warning", "metrics_http", {{"reason", message}});
  return 1; // handled: civetweb prints nothing itself
}

std::string listening_spec(const host_port& a) {
  const bool ipv6 = a.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

} // namespace

class metrics_server::handlers {
public:
  explicit handlers(const scrape_source& m) : metrics(m), ready(m) {}
  metrics_page metrics;
  ready_page ready;
};

result<std::unique_ptr<metrics_server>> metrics_server::start(const host_port& address,
                                                             const scrape_source& metrics) {
  const auto spec = listening_spec(address);
  CivetCallbacks callbacks;
  callbacks.log_message = log_civetweb;
  start_failure.clear();
  starting = true;
  std::unique_ptr<metrics_server> s{new metrics_server};
  try {
    // Prometheus scrapes one request at a time and a load balancer asks /ready now and then:
    // four threads, and a client has 2 s to send its request, so that slow or half-open
    // clients cannot hold every thread while a probe waits.
    s->server_ = std::make_unique<CivetServer>(
      std::vector<std::string>{"listening_ports", spec, "num_threads", "4", "request_timeout_ms",
                               "2000", "enable_keep_alive", "yes"},
      &callbacks);
  } catch (const CivetException& e) {
    starting = false;
    return error{errc::unavailable, "cannot serve metrics on " + spec + ": " +
                                      (start_failure.empty() ? e.what() : start_failure)};
  }
  starting = false;
  s->handlers_ = std::make_unique<handlers>(metrics);
  s->server_->addHandler("/metrics", s->handlers_->metrics);
  s->server_->addHandler("/ready", s->handlers_->ready);
  const auto ports = s->server_->getListeningPorts();
  s->bound_ = listening_spec({address.host, static_cast<std::uint16_t>(ports.empty() ? 0 : ports[0])});
  return s;
}

metrics_server::~metrics_server() {
  // Stop serving before the handlers it calls are destroyed.
  server_.reset();
}

} // namespace ordo::runtime
