#include "runtime/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <sstream>

#include <caf/config_option_adder.hpp>

#include "runtime/config_file.hpp"

namespace ordo::runtime {

namespace {

std::string default_text(const std::string& value) {
  return value.empty() ? "(none)" : value;
}
std::string default_text(std::int64_t value) {
  return std::to_string(value);
}
std::string default_text(double value) {
  return number_text(value);
}

std::string type_text(const std::string&) {
  return "string";
}
std::string type_text(std::int64_t) {
  return "integer";
}
std::string type_text(double) {
  return "number";
}

std::string file_value(const std::string& value) {
  return quoted(value);
}
std::string file_value(std::int64_t value) {
  return std::to_string(value);
}
std::string file_value(double value) {
  return default_text(value);
}

// CAF renders a bad flag as `parser_error(not_an_option, ({"argument" = "--x=1"}))`; say it
// as a person would.
std::string describe_parse_error(const std::string& rendered) {
  const std::string marker = "\"argument\" = \"";
  const auto at = rendered.find(marker);
  if (at == std::string::npos)
    return "invalid option: " + rendered;
  const auto start = at + marker.size();
  const auto argument = rendered.substr(start, rendered.find('"', start) - start);
  if (rendered.find("not_an_option") != std::string::npos)
    return "unknown option " + argument;
  return "invalid value in " + argument;
}

bool is_help_flag(std::string_view arg) {
  return arg == "-h" || arg == "-?" || arg == "--help";
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += (text.empty() ? "" : "\n") + line;
  return text;
}

} // namespace

template <class T>
void config::add(T& field, std::string_view name, std::string_view description) {
  caf::config_option_adder{custom_options_, "global"}.add(field, name, description);
  docs_.push_back(option_doc{std::string{name}, type_text(field), std::string{description},
                             default_text(field), [&field] { return file_value(field); }});
}

config::config() {
  // CAF's idle workers poll 500 times with 50 us sleeps before they block; the engine's
  // periodic timers would keep them in that loop, burning a core while idle. Block sooner:
  // a blocked worker still wakes at once when work arrives.
  set("work-stealing.moderate-poll-attempts", std::size_t{20});
  add(opts.listen, "listen", "HOST:PORT the wire protocol listens on");
  add(opts.redis, "redis", "HOST:PORT of the Redis server that holds all state");
  add(opts.auth_key, "auth-key", "secret key that signs tokens (HMAC-SHA256); required");
  add(opts.key_prefix, "key-prefix", "prefix of every Redis key, so engines can share a Redis");
  add(opts.max_frame_bytes, "max-frame-bytes", "largest accepted frame payload in bytes");
  add(opts.max_in_flight, "max-in-flight",
      "requests in flight per connection; beyond it: overloaded, nothing applied");
  add(opts.max_write_buffer_bytes, "max-write-buffer-bytes",
      "unsent reply bytes per connection; beyond it the client is disconnected");
  add(opts.auth_timeout_ms, "auth-timeout-ms",
      "a connection without a successful hello or resume is closed after this many ms");
  add(opts.max_connections, "max-connections", "connections held at once; more are refused");
  add(opts.metrics, "metrics",
      "HOST:PORT serving Prometheus metrics at /metrics and readiness at /ready; empty = off");
  add(opts.redis_timeout_ms, "redis-timeout-ms",
      "a Redis step not confirmed within this many ms is answered unavailable");
  add(opts.request_timeout_ms, "request-timeout-ms",
      "a request not answered within this many ms is answered unavailable");
  add(opts.events_max_len, "events-max-len",
      "trim the events stream towards this many entries, never past what a consumer group "
      "has not acknowledged; 0 = keep all");
  add(opts.archive, "archive",
      "PostgreSQL connection string (libpq) of the warehouse: orders that left Redis are read, "
      "listed and changed through it; empty = Redis only");
  add(opts.payment_latency_ms, "payment-latency-ms", "simulated payment authorization latency");
  add(opts.payment_decline_rate, "payment-decline-rate",
      "share of payments the simulator declines, 0 to 1");
  add(opts.payment_seed, "payment-seed", "seed of the payment simulator's decisions");
  add(opts.payment_timeout_ms, "payment-timeout-ms",
      "an order not paid within this many ms is cancelled (payment_timeout)");
  add(opts.passivate_after_ms, "passivate-after-ms",
      "an order actor idle this many ms is passivated");
  add(opts.max_resident_orders, "max-resident-orders",
      "resident order actors above this are passivated, least recently used first");
  add(opts.max_parked_orders, "max-parked-orders",
      "passivated orders whose state stays in memory (~0.5 KiB each); 0 = none");
  add(opts.scheduler_threads, "scheduler-threads", "CAF scheduler worker threads; 0 = one per core");
  add(opts.node, "node",
      "this node's name, unique among the nodes on one Redis; empty = the advertised address");
  add(opts.advertise, "advertise", "HOST:PORT other nodes reach this one at; empty = listen");
  add(opts.lease_ms, "lease-ms",
      "a node serves a customer tag under a lease of this many ms; another takes it over "
      "within it when the node dies");
}

std::string config::help_text(std::string_view program) const {
  std::ostringstream out;
  out << "usage: " << program << " --auth-key=KEY [--listen=HOST:PORT] [--redis=HOST:PORT]\n"
      << "       [--key-prefix=P] [--config=FILE] [--OPTION=VALUE ...]\n\n"
      << "Flags override the config file, which uses CAF's syntax (see config/ordod.conf).\n\n"
      << "options:\n"
      << "  --config=FILE\n      read options from FILE first (default: none)\n"
      << "  --print-config\n      print the effective settings (auth key redacted) and exit\n";
  for (const auto& doc : docs_)
    out << "  --" << doc.name << "=<" << doc.type << ">\n      " << doc.description
        << " (default: " << doc.default_value << ")\n";
  out << "  -h, --help\n      print this help and exit\n\n"
      << "CAF's own runtime options (scheduler.*, middleman.*) are accepted too; "
         "--long-help lists them.\n";
  return out.str();
}

void config::apply_scheduler_threads() {
  set("scheduler.max-threads", scheduler_thread_count(opts));
}

std::string config::render_settings() const {
  std::ostringstream out;
  for (const auto& doc : docs_) {
    const bool secret = doc.name == "auth-key" && !opts.auth_key.empty();
    out << doc.name << " = " << (secret ? quoted("<redacted>") : doc.current_value()) << '\n';
  }
  return out.str();
}

std::vector<std::string> config::load_file(const std::string& file_name, const std::string& text) {
  const auto read = read_config_text(text);
  const auto stop = position_of(text, read.stop);
  std::vector<std::string> known;
  for (const auto& doc : docs_)
    known.push_back(doc.name);
  for (const auto& opt : custom_options_)
    if (text_of(opt.category()) != "global")
      known.push_back(text_of(opt.full_name()));
  std::vector<std::string> problems;
  std::vector<std::pair<std::string, caf::config_value>> values;
  for (const auto& entry : read.entries) {
    // What the parser made of a line before it stopped on it is no value.
    if (!read.ok() && entry.line >= stop.line)
      break;
    const auto where = file_name + ":" + std::to_string(entry.line) + ": ";
    const auto shown = entry.name.starts_with("global.") ? entry.name.substr(7) : entry.name;
    const auto* opt = custom_options_.qualified_name_lookup(entry.name);
    const auto* doc = find_doc(docs_, shown);
    // CAF's own global options (help, dump-config, ...) belong on the command line.
    if (opt == nullptr || (text_of(opt->category()) == "global" && doc == nullptr)) {
      problems.push_back(where + "unknown option '" + shown + "'" + suggestion(shown, known));
      continue;
    }
    auto value = entry.value;
    if (doc != nullptr && doc->type == "number" &&
        caf::holds_alternative<caf::config_value::integer>(value))
      value = caf::config_value{static_cast<double>(caf::get<caf::config_value::integer>(value))};
    if (opt->check(value)) {
      const auto expected = doc == nullptr           ? "of type " + text_of(opt->type_name())
                            : doc->type == "integer" ? std::string{"an integer"}
                                                     : "a " + doc->type;
      const bool single_quoted =
        doc != nullptr && doc->type == "string" && caf::holds_alternative<caf::atom_value>(value);
      problems.push_back(where + shown + " must be " + expected + ", got " + as_written(value) +
                         (single_quoted ? " (strings take double quotes)" : ""));
      continue;
    }
    values.emplace_back(entry.name, std::move(value));
  }
  if (!read.ok())
    problems.push_back(file_name + ":" + std::to_string(stop.line) + ":" +
                       std::to_string(stop.column) + ": " +
                       describe_syntax_error(read, text, docs_));
  if (problems.empty())
    for (auto& [name, value] : values)
      set(name, std::move(value));
  return problems;
}

parse_result parse_command_line(config& cfg, int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "ordod";
  std::vector<std::string> args;
  std::string config_file;
  bool print_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (is_help_flag(arg)) {
      std::cout << cfg.help_text(program) << std::flush;
      return {parse_outcome::help_shown, {}};
    }
    if (arg == "--print-config") {
      print_only = true;
    } else if (arg.starts_with("--config=")) {
      config_file = arg.substr(9);
    } else if (arg == "--config") {
      if (i + 1 == argc)
        return {parse_outcome::failed, "--config needs a file name"};
      config_file = argv[++i];
    } else {
      args.emplace_back(arg);
    }
  }
  if (!config_file.empty()) {
    std::ifstream file{config_file};
    if (!file)
      return {parse_outcome::failed, "cannot read config file '" + config_file + "'"};
    const std::string text{std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{}};
    if (const auto problems = cfg.load_file(config_file, text); !problems.empty())
      return {parse_outcome::failed, joined(problems)};
  }
  // The file is applied already; CAF gets an empty one and the flags, which override it.
  std::istringstream no_file;
  if (auto err = cfg.parse(std::move(args), no_file))
    return {parse_outcome::failed, describe_parse_error(cfg.render(err))};
  if (cfg.cli_helptext_printed)
    return {parse_outcome::help_shown, {}};
  if (!cfg.remainder.empty())
    return {parse_outcome::failed, "unexpected argument '" + cfg.remainder.front() + "'"};
  if (const auto problems = validate(cfg.opts); !problems.empty())
    return {parse_outcome::failed, joined(problems)};
  cfg.apply_scheduler_threads();
  return {print_only ? parse_outcome::print_config : parse_outcome::run, {}};
}

} // namespace ordo::runtime
