// ordod, the engine daemon (SPEC section 5). For now it reads and validates its
// configuration, checks that Redis answers, and prints the effective settings; the gateway
// that makes it serve arrives with issue 5.

#include <iostream>
#include <sstream>
#include <string>

#include "runtime/config.hpp"
#include "runtime/redis_client.hpp"

int main(int argc, char** argv) {
  ordo::runtime::config cfg;
  const auto parsed = ordo::runtime::parse_command_line(cfg, argc, argv);
  switch (parsed.outcome) {
    case ordo::runtime::parse_outcome::help_shown:
      return 0;
    case ordo::runtime::parse_outcome::failed: {
      std::istringstream problems{parsed.message};
      for (std::string line; std::getline(problems, line);)
        std::cerr << "ordod: " << line << '\n';
      std::cerr << "ordod: see ordod --help\n";
      return 2;
    }
    case ordo::runtime::parse_outcome::run:
      break;
  }
  const auto redis = *ordo::runtime::parse_host_port(cfg.opts.redis);
  const auto reachable = ordo::runtime::redis_client::probe(
    redis.host, redis.port, std::chrono::milliseconds{cfg.opts.redis_timeout_ms});
  if (!reachable) {
    std::cerr << "ordod: cannot reach redis at " << cfg.opts.redis << ": "
              << reachable.error().message << '\n';
    return 1;
  }
  std::cout << cfg.render_settings() << std::flush;
  std::cerr << "ordod: configuration is valid and redis answers; serving is not built yet\n";
  return 0;
}
