// The cost of the forwarding hop: `get` of an order whose tag the node the client talks to
// serves, against one whose tag another node serves (the request and its reply cross a node
// link), alternating on one connection, one request in flight. bench/cluster runs it.
// Usage: forward_hop HOST:PORT AUTH_KEY LOCAL_CUSTOMER REMOTE_CUSTOMER [GETS]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "runtime/options.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::int64_t unix_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: forward_hop HOST:PORT AUTH_KEY LOCAL_CUSTOMER REMOTE_CUSTOMER [GETS]\n");
    return 2;
  }
  const auto target = ordo::runtime::parse_host_port(argv[1]);
  const std::string key = argv[2];
  const int gets = argc > 5 ? std::stoi(argv[5]) : 20'000;
  if (!target) {
    std::fprintf(stderr, "forward_hop: bad address %s\n", argv[1]);
    return 2;
  }
  struct side {
    std::string customer;
    std::optional<ordo::client> link;
    std::string order;
    std::vector<double> micros;
  };
  side sides[2] = {{argv[3], {}, {}, {}}, {argv[4], {}, {}, {}}};
  for (auto& s : sides) {
    auto c = ordo::client::connect(target->host, target->port);
    if (!c) {
      std::fprintf(stderr, "forward_hop: %s\n", c.error().message.c_str());
      return 3;
    }
    s.link.emplace(std::move(*c));
    const auto token = ordo::auth::mint_token(ordo::role::customer, s.customer, unix_s() + 3600, key);
    auto opened = s.link->call_as<ordo::session_result>(ordo::hello_request{token});
    auto placed = s.link->call_as<ordo::order_result>(ordo::place_request{"hop", {{"A", 1, 100}}});
    if (!opened || !placed) {
      std::fprintf(stderr, "forward_hop: cannot place for %s\n", s.customer.c_str());
      return 1;
    }
    s.order = placed->order.id;
  }
  for (int i = 0; i < gets * 2; ++i) {
    auto& s = sides[i % 2];
    const auto started = clock_type::now();
    auto got = s.link->call_as<ordo::order_result>(ordo::get_request{s.order});
    const std::chrono::duration<double, std::micro> took = clock_type::now() - started;
    if (!got) {
      std::fprintf(stderr, "forward_hop: get failed: %s\n", got.error().message.c_str());
      return 1;
    }
    if (i >= 1'000) // the first ones warm the links and the order actors
      s.micros.push_back(took.count());
  }
  std::printf("%-10s %10s %10s %10s\n", "get", "p50 us", "p99 us", "gets");
  const char* names[2] = {"local", "forwarded"};
  for (int k = 0; k < 2; ++k)
    std::printf("%-10s %10.0f %10.0f %10zu\n", names[k], percentile(sides[k].micros, 0.5),
                percentile(sides[k].micros, 0.99), sides[k].micros.size());
  std::printf("hop p50: +%.0f us\n",
              percentile(sides[1].micros, 0.5) - percentile(sides[0].micros, 0.5));
  return 0;
}
