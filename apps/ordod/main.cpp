// ordod, the engine daemon (SPEC section 5). For now it reads and validates its
// configuration and prints the effective settings; the gateway arrives with issue 5.

#include <iostream>
#include <sstream>
#include <string>

#include "runtime/config.hpp"

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
  std::cout << cfg.render_settings() << std::flush;
  std::cerr << "ordod: configuration is valid; serving is not built yet, exiting\n";
  return 0;
}
