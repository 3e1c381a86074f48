// ordoctl's subcommands: parsing their arguments, running them against ordod, exit codes.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ordo::ctl {

// The command line split into the subcommand, its positional words and its --options
// (repeatable, as --line is).
struct arguments {
  std::string command;
  std::vector<std::string> words;
  std::multimap<std::string, std::string> options;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  std::vector<std::string> all(const std::string& name) const;
};

// Flags that take no value.
bool is_switch(const std::string& name);

arguments parse_arguments(int argc, char** argv);

// Runs the command and returns the process exit code: 0 on success, 64 for a usage error,
// 10 + the error code's position in SPEC section 4's list for a protocol error (see --help).
int run(const arguments& args);

} // namespace ordo::ctl
