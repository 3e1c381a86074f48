#include "cli.hpp"

#include <unistd.h>

#include <charconv>
#include <optional>

#include "warehouse/pg_connection.hpp"

namespace ordo::archive_cli {

namespace {

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return out;
}

std::string default_consumer() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string{host} + "-" + std::to_string(::getpid());
}

} // namespace

std::string help_text() {
  return R"(usage: ordoarchive --postgres=CONNINFO [--redis=HOST:PORT] [--key-prefix=P]
                   [--group=NAME] [--OPTION=VALUE ...]

Reads every events stream the engine lists in PREFIX event-streams through one consumer
group, writes the events into PostgreSQL (tables ordo_events and ordo_orders, created when
missing) and acknowledges an entry only once its batch committed. Orders whose last change
is archived and that stay unchanged for the grace then leave Redis. Prints
"ordoarchive running" once connected to both; SIGTERM or SIGINT stops it after the batch in
flight. Several ordoarchive processes in one group share the work.

options:
  --postgres=CONNINFO
      libpq connection string of the warehouse, e.g. "host=127.0.0.1 port=5432 dbname=ordo"
      (required)
  --redis=HOST:PORT
      the engine's Redis (default: 127.0.0.1:6379)
  --key-prefix=P
      the engine's key prefix (default: ordo:)
  --group=NAME
      consumer group; archivers of one group share the streams (default: archive)
  --consumer=NAME
      this archiver's name in the group, unique (default: HOSTNAME-PID)
  --batch=N
      most events in one PostgreSQL transaction, 1 to 100000 (default: 1000)
  --claim-idle-ms=MS
      entries another archiver left pending this long are claimed (default: 30000)
  --archive-grace-ms=MS
      an archived order unchanged this long leaves Redis (default: 3600000)
  --metrics=HOST:PORT
      serve Prometheus metrics at /metrics and readiness at /ready (default: off)
  --help
      this text
)";
}

std::variant<settings, show_help, bad_usage> parse(const std::vector<std::string>& args) {
  settings out;
  out.archiver.consumer = default_consumer();
  bool have_postgres = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--help" || arg == "-h")
      return show_help{};
    if (arg.rfind("--", 0) != 0)
      return bad_usage{"unexpected argument '" + arg + "'"};
    std::string name = arg.substr(2);
    std::string value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return bad_usage{"--" + name + " needs a value"};
    }
    const auto number = [&](std::int64_t low, std::int64_t high) -> std::optional<std::int64_t> {
      const auto n = to_int(value);
      if (!n || *n < low || *n > high)
        return std::nullopt;
      return n;
    };
    const auto range = [&](std::int64_t low, std::int64_t high) {
      return bad_usage{"--" + name + " must be a whole number from " + std::to_string(low) + " to " +
                       std::to_string(high) + ", got '" + value + "'"};
    };
    if (name == "postgres") {
      if (auto why = warehouse::conninfo_problem(value))
        return bad_usage{"--postgres is not a libpq connection string: " + *why};
      out.archiver.postgres = value;
      have_postgres = true;
    } else if (name == "redis") {
      const auto address = runtime::parse_host_port(value);
      if (!address)
        return bad_usage{"--redis must be HOST:PORT, got '" + value + "'"};
      out.archiver.redis = *address;
    } else if (name == "key-prefix") {
      out.archiver.key_prefix = value;
    } else if (name == "group" || name == "consumer") {
      if (value.empty() || value.find_first_of(" \t\r\n") != std::string::npos)
        return bad_usage{"--" + name + " must be a name without spaces, got '" + value + "'"};
      (name == "group" ? out.archiver.group : out.archiver.consumer) = value;
    } else if (name == "batch") {
      const auto n = number(1, 100'000);
      if (!n)
        return range(1, 100'000);
      out.archiver.batch = static_cast<std::size_t>(*n);
    } else if (name == "claim-idle-ms") {
      const auto n = number(100, 86'400'000);
      if (!n)
        return range(100, 86'400'000);
      out.archiver.claim_idle = std::chrono::milliseconds{*n};
    } else if (name == "archive-grace-ms") {
      const auto n = number(0, 365LL * 86'400'000);
      if (!n)
        return range(0, 365LL * 86'400'000);
      out.archiver.grace = std::chrono::milliseconds{*n};
    } else if (name == "metrics") {
      if (!runtime::parse_host_port(value))
        return bad_usage{"--metrics must be HOST:PORT, got '" + value + "'"};
      out.metrics = value;
    } else {
      return bad_usage{"unknown option --" + name + " (--help lists them)"};
    }
  }
  if (!have_postgres)
    return bad_usage{"--postgres=CONNINFO is required (--help tells more)"};
  return out;
}

} // namespace ordo::archive_cli
