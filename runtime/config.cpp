#include "runtime/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <sstream>

#include <caf/config_option_adder.hpp>
#include <caf/detail/parser/read_ini.hpp>

namespace ordo::runtime {

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + '"';
}

std::string default_text(const std::string& value) {
  return value.empty() ? "(none)" : value;
}
std::string default_text(std::int64_t value) {
  return std::to_string(value);
}
std::string default_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
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

// CAF 0.17 has a string_view of its own.
std::string text_of(caf::string_view view) {
  return {view.data(), view.size()};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += (text.empty() ? "" : "\n") + line;
  return text;
}

// -- reading a config file --------------------------------------------------------------
//
// CAF's parser (caf/detail/parser/read_ini.hpp) hands what it reads to a consumer. CAF's own
// consumer drops a value whose type does not match its option, keeps unknown keys, and
// caf::settings forgets lines; these consumers keep every value with the line of its key, so
// that each problem can be reported and where it is.

// A value the file assigns: its option's qualified name ("global.listen",
// "scheduler.max-threads"), the value as written, and the line of its key.
struct file_entry {
  std::string name;
  caf::config_value value;
  std::int32_t line;
};

class value_sink {
public:
  virtual ~value_sink() = default;
  virtual void take(caf::config_value x) = 0;

  template <class T>
  void value(T&& x) {
    take(caf::config_value{std::forward<T>(x)});
  }
};

class dict_sink;

// A list value, handed to its parent once it is complete.
class list_sink : public value_sink {
public:
  explicit list_sink(value_sink& parent) : parent_(parent) {}
  void take(caf::config_value x) override { items_.push_back(std::move(x)); }
  void end_list() { parent_.take(caf::config_value{std::move(items_)}); }
  list_sink begin_list() { return list_sink{*this}; }
  dict_sink begin_map();

private:
  value_sink& parent_;
  caf::config_value::list items_;
};

// A map inside a list: a value, not a section.
class dict_sink : public value_sink {
public:
  explicit dict_sink(value_sink& parent) : parent_(parent) {}
  void key(std::string name) { key_ = std::move(name); }
  void take(caf::config_value x) override { entries_.insert_or_assign(key_, std::move(x)); }
  void end_map() { parent_.take(caf::config_value{std::move(entries_)}); }
  list_sink begin_list() { return list_sink{*this}; }
  dict_sink begin_map() { return dict_sink{*this}; }

private:
  value_sink& parent_;
  std::string key_;
  caf::config_value::dictionary entries_;
};

dict_sink list_sink::begin_map() {
  return dict_sink{*this};
}

// A [section] or a `name { ... }` block, whose keys are options of its category. The top
// level, [global] and a global { ... } block have the empty prefix: ordod's own options.
class section_sink : public value_sink {
public:
  section_sink(const caf::string_parser_state& ps, std::vector<file_entry>& out, std::string prefix)
    : ps_(ps), out_(out), prefix_(std::move(prefix)) {}
  void key(std::string name) {
    key_ = std::move(name);
    line_ = ps_.line;
  }
  void take(caf::config_value x) override {
    out_.push_back({(prefix_.empty() ? "global" : prefix_) + "." + key_, std::move(x), line_});
  }
  void end_map() {}
  list_sink begin_list() { return list_sink{*this}; }
  section_sink begin_map() {
    if (prefix_.empty())
      return {ps_, out_, key_ == "global" ? "" : key_};
    return {ps_, out_, prefix_ + "." + key_};
  }

private:
  const caf::string_parser_state& ps_;
  std::vector<file_entry>& out_;
  std::string prefix_;
  std::string key_;
  std::int32_t line_ = 0;
};

// The file: a series of sections, the first one unnamed ("global").
class file_sink {
public:
  file_sink(const caf::string_parser_state& ps, std::vector<file_entry>& out)
    : ps_(ps), out_(out) {}
  void key(std::string name) { section_ = std::move(name); }
  section_sink begin_map() { return {ps_, out_, section_ == "global" ? "" : section_}; }

private:
  const caf::string_parser_state& ps_;
  std::vector<file_entry>& out_;
  std::string section_;
};

struct file_reading {
  std::vector<file_entry> entries;
  caf::pec code = caf::pec::success;
  std::size_t stop = 0; // where the parser stopped on a syntax error
  // CAF's own reader fails only when the parser stops before the end, and so takes a file
  // that ends inside a block (unexpected_eof at its end); that file is cut short.
  bool ok() const { return code == caf::pec::success; }
};

file_reading read_config_text(const std::string& text) {
  caf::string_parser_state ps{text.data(), text.data() + text.size()};
  file_reading read;
  file_sink sink{ps, read.entries};
  caf::detail::parser::read_ini(ps, sink);
  read.code = ps.code;
  read.stop = static_cast<std::size_t>(ps.i - text.data());
  return read;
}

// Where `offset` is in `text`: line and column, both from 1, and where that line begins.
struct text_position {
  std::ptrdiff_t line;
  std::size_t column;
  std::size_t line_begin;
};

text_position position_of(std::string_view text, std::size_t offset) {
  const auto before = text.substr(0, offset);
  const auto newline = before.rfind('\n');
  const auto begin = newline == std::string_view::npos ? 0 : newline + 1;
  return {1 + std::count(before.begin(), before.end(), '\n'), offset - begin + 1, begin};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    auto diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A value as the file wrote it.
std::string as_written(const caf::config_value& value) {
  if (caf::holds_alternative<double>(value))
    return default_text(caf::get<double>(value));
  return caf::to_string(value);
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos)
    return {};
  return std::string{text.substr(first, text.find_last_not_of(" \t\r") - first + 1)};
}

// A broken line taken apart as well as it goes: KEY = VALUE, without its comment.
struct line_parts {
  std::string key;
  std::string value;
  bool assigns = false;
};

line_parts split_line(std::string_view line) {
  bool quoted_text = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) {
      quoted_text = !quoted_text;
    } else if (line[i] == ';' && !quoted_text) {
      line = line.substr(0, i);
      break;
    }
  }
  const auto eq = line.find('=');
  if (eq == std::string_view::npos)
    return {trimmed(line), {}, false};
  return {trimmed(line.substr(0, eq)), trimmed(line.substr(eq + 1)), true};
}

const option_doc* find_doc(const std::vector<option_doc>& docs, std::string_view name) {
  const auto it = std::find_if(docs.begin(), docs.end(),
                               [name](const option_doc& d) { return d.name == name; });
  return it == docs.end() ? nullptr : &*it;
}

// How to mend the line the parser stopped on with an unexpected character.
std::string mend_line(const line_parts& line, char unexpected,
                      const std::vector<option_doc>& docs) {
  if (!line.assigns)
    return line.key.starts_with("[") ? "write a section as [name] on a line of its own"
                                     : "write key = value, [section] or a ; comment";
  if (const auto dot = line.key.rfind('.'); dot != std::string::npos)
    return "a key has no '.': write [" + line.key.substr(0, dot) + "] on a line of its own and " +
           line.key.substr(dot + 1) + " = " + line.value + " below it";
  if (unexpected == ',' && line.value.find('=') != std::string::npos)
    return "write one key = value per line";
  const auto* doc = find_doc(docs, line.key);
  if (doc != nullptr && doc->type != "string")
    return line.key + " takes " + (doc->type == "integer" ? "an integer" : "a number") + ", e.g. " +
           line.key + " = " + doc->default_value;
  if (doc != nullptr && !line.value.starts_with("\""))
    return "quote string values, e.g. " + line.key + " = " + quoted(line.value);
  return "write strings in double quotes and atoms in single quotes";
}

// " did you mean ...?" for a misspelt option name, if one is close enough.
std::string suggestion(std::string_view name, const std::vector<std::string>& known) {
  const std::string* closest = nullptr;
  std::size_t distance = 3; // farther than a typo or two
  for (const auto& candidate : known)
    if (const auto d = edit_distance(name, candidate); d < distance) {
      closest = &candidate;
      distance = d;
    }
  return closest == nullptr ? "" : "; did you mean '" + *closest + "'?";
}

// What went wrong where CAF's parser stopped, and how to put it right.
std::string describe_syntax_error(const file_reading& read, std::string_view text,
                                  const std::vector<option_doc>& docs) {
  using caf::pec;
  const auto begin = position_of(text, read.stop).line_begin;
  const auto line = split_line(text.substr(begin, text.substr(begin).find('\n')));
  const char unexpected = read.stop < text.size() ? text[read.stop] : '\0';
  const std::string cut_short =
    "unexpected end of file; close every {, [ and \" that the file opens";
  switch (read.code) {
    case pec::unexpected_eof:
      return cut_short;
    case pec::unexpected_newline:
      if (line.assigns && line.value.empty()) {
        const auto* doc = find_doc(docs, line.key);
        return "unexpected end of line; give " + line.key + " a value" +
               (doc != nullptr ? ", e.g. " + line.key + " = " + doc->current_value() : "");
      }
      return "unexpected end of line; close the string with \" on the same line";
    case pec::trailing_character:
    case pec::unexpected_character:
      if (unexpected == '\0')
        return cut_short;
      return std::string{"unexpected character"} +
             (std::isprint(static_cast<unsigned char>(unexpected))
                ? std::string{" '"} + unexpected + "'"
                : std::string{}) +
             "; " + mend_line(line, unexpected, docs);
    case pec::illegal_escape_sequence:
      return "invalid escape sequence; inside quotes write \\\\ for \\ and \\\" for \"";
    case pec::integer_overflow:
    case pec::integer_underflow:
      return "integer out of range; integers have 64 bits";
    case pec::exponent_overflow:
    case pec::exponent_underflow:
      return "number out of range";
    case pec::too_many_characters:
      return "atom longer than 10 characters; write strings in double quotes";
    default:
      return "cannot read the value (" + caf::to_string(read.code) + ")";
  }
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
  add(opts.redis_timeout_ms, "redis-timeout-ms",
      "a Redis step not confirmed within this many ms is answered unavailable");
  add(opts.request_timeout_ms, "request-timeout-ms",
      "a request not answered within this many ms is answered unavailable");
  add(opts.events_max_len, "events-max-len",
      "trim the events stream towards this many entries, never past what a consumer group "
      "has not acknowledged; 0 = keep all");
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
