// ordoctl: the command-line client of ordod (SPEC section 1). See `ordoctl --help`.

#include "commands.hpp"

int main(int argc, char** argv) {
  return ordo::ctl::run(ordo::ctl::parse_arguments(argc, argv));
}
