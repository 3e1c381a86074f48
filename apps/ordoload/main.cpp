// ordoload: the load simulator (SPEC section 1). See `ordoload --help`.

#include "cli.hpp"

int main(int argc, char** argv) {
  return ordo::load::run_cli(argc, argv);
}
