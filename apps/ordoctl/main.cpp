// ordoctl: the command-line client of ordod (docs/OPERATIONS.md). See `ordoctl --help`.

#include "commands.hpp"

int main(int argc, char** argv) {
  return ordo::ctl::run(ordo::ctl::parse_arguments(argc, argv));
}
