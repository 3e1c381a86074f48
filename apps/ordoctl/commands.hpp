// ordoctl's subcommands: parsing their arguments, running them against ordod, exit codes.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ordo::ctl {

// The command line split into the subcommand, its positional words and its --options
// (repeatable, as --line is), and what could not be read as an option. Those problems are
// reported once the subcommand is known, so that the message can show its usage.
struct arguments {
  std::string command;
  std::vector<std::string> words;
  std::multimap<std::string, std::string> options;
  std::vector<std::string> problems;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  std::vector<std::string> all(const std::string& name) const;
};

arguments parse_arguments(int argc, char** argv);

// Runs the command and returns the process exit code: 0 on success, 64 for a usage error
// (checked before anything is sent), 10 + the error code's position in the error code table
// of docs/PROTOCOL.md for a protocol error (see --help).
int run(const arguments& args);

} // namespace ordo::ctl
