// ordoarchive's command line: every option with its default, and what is wrong with a bad
// one.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "runtime/archiver.hpp"

namespace ordo::archive_cli {

struct settings {
  runtime::archiver_options archiver;
  std::string metrics; // HOST:PORT; empty = no endpoint
};

struct show_help {};
struct bad_usage {
  std::string message;
};

std::variant<settings, show_help, bad_usage> parse(const std::vector<std::string>& args);

std::string help_text();

} // namespace ordo::archive_cli
