// How long requests stall while tags move between nodes: 64 customers' orders read back
// round robin through one node for SECONDS, one request in flight, while bench/cluster makes
// a node join or leave meanwhile; prints the longest wait, the p99 and any failures.
// Usage: handoff_stall HOST:PORT AUTH_KEY SECONDS

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "runtime/options.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: handoff_stall HOST:PORT AUTH_KEY SECONDS\n");
    return 2;
  }
  const auto target = ordo::runtime::parse_host_port(argv[1]);
  if (!target) {
    std::fprintf(stderr, "handoff_stall: bad address %s\n", argv[1]);
    return 2;
  }
  const std::string key = argv[2];
  const auto seconds = std::chrono::seconds{std::stoi(argv[3])};
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  struct reader {
    ordo::client link;
    std::string order;
  };
  std::vector<reader> readers;
  for (int i = 0; i < 64; ++i) {
    auto c = ordo::client::connect(target->host, target->port);
    if (!c) {
      std::fprintf(stderr, "handoff_stall: %s\n", c.error().message.c_str());
      return 3;
    }
    const auto customer = "stall-" + std::to_string(i);
    const auto token = ordo::auth::mint_token(ordo::role::customer, customer, now_s + 3600, key);
    auto opened = c->call_as<ordo::session_result>(ordo::hello_request{token});
    auto placed = c->call_as<ordo::order_result>(ordo::place_request{"stall", {{"A", 1, 100}}});
    if (!opened || !placed) {
      std::fprintf(stderr, "handoff_stall: cannot place for %s\n", customer.c_str());
      return 1;
    }
    readers.push_back({std::move(*c), placed->order.id});
  }
  std::printf("handoff_stall: ready\n");
  std::fflush(stdout);
  std::vector<double> millis;
  std::map<std::string, int> failures;
  const auto until = std::chrono::steady_clock::now() + seconds;
  for (std::size_t i = 0; std::chrono::steady_clock::now() < until; ++i) {
    auto& r = readers[i % readers.size()];
    const auto started = std::chrono::steady_clock::now();
    auto got = r.link.call_as<ordo::order_result>(ordo::get_request{r.order});
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    millis.push_back(took.count());
    if (!got)
      ++failures[std::string{ordo::to_string(got.error().code)}];
  }
  std::sort(millis.begin(), millis.end());
  std::printf("gets %zu, p50 %.2f ms, p99 %.2f ms, longest %.1f ms, failed", millis.size(),
              millis[millis.size() / 2], millis[millis.size() * 99 / 100], millis.back());
  for (const auto& [code, n] : failures)
    std::printf(" %s %d", code.c_str(), n);
  std::printf("%s\n", failures.empty() ? " none" : "");
  return 0;
}
