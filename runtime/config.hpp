// ordod's configuration: runtime::options bound to CAF's actor_system_config. CAF parses
// the flags; the config file is read with CAF's grammar but checked here, because CAF
// ignores an unknown key or an ill-typed value in it without a word. Flags override the
// file. Also the help text, which lists every option with its default.
#pragma once

#include <caf/actor_system_config.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/options.hpp"

namespace ordo::runtime {

struct option_doc {
  std::string name;
  std::string type;
  std::string description;
  std::string default_value;
  // The current value in config-file syntax.
  std::function<std::string()> current_value;
};

class config : public caf::actor_system_config {
public:
  options opts;

  config();
  config(const config&) = delete;
  config& operator=(const config&) = delete;

  const std::vector<option_doc>& documented_options() const noexcept { return docs_; }

  std::string help_text(std::string_view program) const;

  // Hands scheduler-threads to CAF's scheduler; call before the actor_system starts.
  void apply_scheduler_threads();

  // The effective settings in config-file syntax, with the auth key redacted.
  std::string render_settings() const;

  // Applies a config file's text, or else returns its problems, one message each:
  // "FILE:LINE: ..." for an unknown key or an ill-typed value, "FILE:LINE:COLUMN: ..." for
  // the syntax error that ends the reading. Keys are ordod's options (at the top, under
  // [global] or in global { ... }) or CAF's runtime options in their sections ([scheduler],
  // middleman { ... }).
  std::vector<std::string> load_file(const std::string& file_name, const std::string& text);

private:
  template <class T>
  void add(T& field, std::string_view name, std::string_view description);

  std::vector<option_doc> docs_;
};

enum class parse_outcome {
  run,         // options are parsed and valid
  help_shown,  // --help was printed to stdout
  print_config, // --print-config: options are valid; print render_settings() and exit
  failed,      // message says why, one line per problem
};

struct parse_result {
  parse_outcome outcome = parse_outcome::run;
  std::string message;
};

// Reads --config=FILE (or --config FILE) first, then every other flag; validates the result
// and hands scheduler-threads to CAF's scheduler.
parse_result parse_command_line(config& cfg, int argc, char** argv);

} // namespace ordo::runtime
