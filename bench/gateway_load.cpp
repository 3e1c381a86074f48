// The gateway's ceiling: requests per second over many connections, each keeping a window
// of requests in flight. `ping` is answered by the gateway thread itself; `get` goes through
// the bridge, a session and an order actor (no Redis write). One client thread drives every
// connection with poll(), so the figure is the engine's, not the client's, as long as the
// client thread is not the one at 100 %.
// Usage: gateway_load HOST:PORT AUTH_KEY ping|get [CONNECTIONS] [SECONDS] [WINDOW]

#include <poll.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "messages/codec.hpp"
#include "runtime/options.hpp"

namespace {

using namespace ordo;
using clock_type = std::chrono::steady_clock;

std::string frame_of(const request& req) {
  std::string out;
  const auto header = begin_frame(out);
  encode_request(req, out);
  end_frame(out, header);
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: gateway_load HOST:PORT AUTH_KEY ping|get [CONNECTIONS] [SECONDS] [WINDOW]\n");
    return 2;
  }
  const auto target = runtime::parse_host_port(argv[1]);
  const std::string auth_key = argv[2];
  const std::string mode = argv[3];
  const int connections = argc > 4 ? std::stoi(argv[4]) : 1'000;
  const int seconds = argc > 5 ? std::stoi(argv[5]) : 5;
  const int window = argc > 6 ? std::stoi(argv[6]) : 4;
  if (!target || (mode != "ping" && mode != "get"))
    return 2;
  const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count() + 3600;
  std::vector<client> clients;
  std::string order_id;
  for (int i = 0; i < connections; ++i) {
    auto c = client::connect(target->host, target->port);
    if (!c) {
      std::fprintf(stderr, "gateway_load: %s\n", c.error().message.c_str());
      return 1;
    }
    if (mode == "get") {
      const auto customer = "load-" + std::to_string(i % 100);
      auto hello = c->call_as<session_result>(
        hello_request{auth::mint_token(role::customer, customer, expiry, auth_key)});
      if (!hello) {
        std::fprintf(stderr, "gateway_load: hello: %s\n", hello.error().message.c_str());
        return 1;
      }
      auto placed = c->call_as<order_result>(place_request{"bench-" + customer, {{"A", 1, 1'000}}});
      if (!placed) {
        std::fprintf(stderr, "gateway_load: place: %s\n", placed.error().message.c_str());
        return 1;
      }
      if (i < 100)
        order_id = placed->order.id;
    }
    clients.push_back(std::move(*c));
  }
  // Each connection reads its own order in `get` mode: customers' orders differ.
  std::vector<std::string> requests(static_cast<std::size_t>(connections));
  for (int i = 0; i < connections; ++i) {
    request_body body = ping_request{};
    if (mode == "get") {
      auto own = clients[static_cast<std::size_t>(i)].call_as<orders_result>(list_request{1, std::nullopt});
      body = get_request{own ? own->orders.at(0).id : order_id};
    }
    requests[static_cast<std::size_t>(i)] = frame_of({1, body});
  }
  std::vector<int> outstanding(static_cast<std::size_t>(connections), 0);
  std::uint64_t answered = 0;
  std::uint64_t failures = 0;
  const auto started = clock_type::now();
  const auto deadline = started + std::chrono::seconds{seconds};
  while (clock_type::now() < deadline) {
    for (int i = 0; i < connections; ++i) {
      auto& c = clients[static_cast<std::size_t>(i)];
      auto& n = outstanding[static_cast<std::size_t>(i)];
      while (n < window && c.send_raw(requests[static_cast<std::size_t>(i)]).ok())
        ++n;
      while (n > 0) {
        auto m = c.receive(std::chrono::milliseconds{0});
        if (!m)
          break;
        --n;
        ++answered;
        if (const auto* r = std::get_if<reply>(&*m); r && as_error(r->body))
          ++failures;
      }
    }
  }
  const std::chrono::duration<double> took = clock_type::now() - started;
  std::printf("%s over %d connections, window %d: %.0f requests/s (%llu answered, %llu errors)\n",
              mode.c_str(), connections, window, static_cast<double>(answered) / took.count(),
              static_cast<unsigned long long>(answered), static_cast<unsigned long long>(failures));
  return failures == 0 ? 0 : 1;
}
