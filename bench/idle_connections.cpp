// Bytes of ordod's memory per idle connection: opens N connections to a running ordod (a
// share of them authenticated with hello, so their sessions are resident too), reads
// ordod's RSS from /proc before and after, and holds them until done.
// Usage: idle_connections HOST:PORT ORDOD_PID AUTH_KEY [N] [AUTHENTICATED_SHARE]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "runtime/options.hpp"

namespace {

long rss_kib(const std::string& pid) {
  std::ifstream status{"/proc/" + pid + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: idle_connections HOST:PORT ORDOD_PID AUTH_KEY [N] [AUTHENTICATED_SHARE]\n");
    return 2;
  }
  const auto target = ordo::runtime::parse_host_port(argv[1]);
  const std::string pid = argv[2];
  const std::string key = argv[3];
  const int n = argc > 4 ? std::stoi(argv[4]) : 10'000;
  const double share = argc > 5 ? std::stod(argv[5]) : 0.01;
  if (!target)
    return 2;
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count() + 3'600;
  const auto token = ordo::auth::mint_token(ordo::role::customer, "idler", expiry, key);
  const auto before = rss_kib(pid);
  std::vector<ordo::client> held;
  held.reserve(static_cast<std::size_t>(n));
  const int every = share > 0 ? static_cast<int>(1.0 / share) : n + 1;
  for (int i = 0; i < n; ++i) {
    auto c = ordo::client::connect(target->host, target->port);
    if (!c) {
      std::fprintf(stderr, "connection %d: %s\n", i, c.error().message.c_str());
      return 1;
    }
    if (i % every == 0 && !c->call(ordo::hello_request{token}).ok())
      return 1;
    held.push_back(std::move(*c));
  }
  if (!held.back().call(ordo::ping_request{}).ok())
    return 1;
  const auto after = rss_kib(pid);
  std::printf("idle connections               %d (%d authenticated)\n", n, (n + every - 1) / every);
  std::printf("ordod RSS before / after       %ld / %ld KiB\n", before, after);
  std::printf("bytes per idle connection      %ld\n", (after - before) * 1024 / n);
  return 0;
}
