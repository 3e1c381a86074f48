// ordoload: the load simulator (README.md). See `ordoload --help`.

#include "cli.hpp"

int main(int argc, char** argv) {
  return ordo::load::run_cli(argc, argv);
}
