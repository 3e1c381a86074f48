#include "commands.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string_view>
#include <thread>

#include "auth/secure_random.hpp"
#include "auth/token.hpp"
#include "clients/client.hpp"
#include "cluster_view.hpp"
#include "exposition.hpp"
#include "http_get.hpp"
#include "ordo/limits.hpp"
#include "render.hpp"
#include "render_stats.hpp"
#include "report.hpp"
#include "warehouse/pg_connection.hpp"
#include "runtime/options.hpp"

namespace ordo::ctl {

namespace {

constexpr int usage_exit = 64;
constexpr const char* default_target = "127.0.0.1:7400";
// ordod serves no metrics unless told where; 9464 is the port Prometheus exporters of
// OpenTelemetry use, free of ordod's 7400.
constexpr const char* default_metrics = "127.0.0.1:9464";
constexpr std::int64_t default_timeout_ms = 10'000;
constexpr std::int64_t default_interval_ms = 1'000;
constexpr std::int64_t max_interval_ms = 600'000;

// The only options without a value; every other option takes one.
constexpr std::string_view switches[] = {"help", "json"};

// Taken by every command that talks to ordod, besides its own.
constexpr std::string_view connection_options[] = {"target", "token", "session", "timeout", "json"};
// Taken by every command that reads ordod's metrics endpoint.
constexpr std::string_view metrics_options[] = {"metrics", "timeout", "json"};
// Taken by every command that reads the engine's Redis.
constexpr std::string_view redis_options[] = {"redis", "key-prefix", "timeout", "json"};
// Taken by every command that reads the warehouse.
constexpr std::string_view postgres_options[] = {"postgres", "json"};

// What a command talks to, which decides the options it takes besides its own.
enum class peer { none, ordod, metrics, redis, postgres };

struct command_spec;

// A command's checked arguments: what it runs with.
struct context {
  const arguments& args;
  const command_spec& spec;
  runtime::host_port target; // ordod's address, or its metrics endpoint's
  client::duration timeout;
  bool json = false;
};

struct command_spec {
  std::string_view name;
  std::string_view usage;
  std::string_view summary;
  std::vector<std::string_view> options; // its own, without its peer's
  std::string_view word;                 // its one positional word, if it takes one
  ordo::ctl::peer peer;                  // what it talks to, which adds that peer's options
  int (*run)(const context&);
};

const char* common_help =
  "options for every command that talks to ordod (all but token, stats, cluster, report):\n"
  "  --target HOST:PORT   ordod's address (default $ORDO_TARGET or 127.0.0.1:7400)\n"
  "  --token TOKEN        authenticate with a token (default $ORDO_TOKEN)\n"
  "  --session ID         resume a session instead (default $ORDO_SESSION)\n"
  "  --timeout MS         wait at most MS ms to connect and for each reply (default 10000)\n"
  "  --json               print JSON instead of tables\n"
  "  --help               help for the command\n\n"
  "a value follows its option (--limit 5) or an = (--limit=5). An unknown option, a stray\n"
  "word or a missing value is a usage error, and nothing is sent.\n\n"
  "exit codes: 0 ok, 64 usage, 10 bad_request, 11 unauthenticated, 12 forbidden,\n"
  "  13 not_found, 14 invalid_state, 15 conflict, 16 unavailable (also: cannot connect,\n"
  "  no reply in time), 17 overloaded, 18 frame_too_large, 19 internal\n";

const char* postgres_help =
  "options:\n"
  "  --postgres CONNINFO  libpq connection string of the warehouse, as given to ordoarchive\n"
  "                       (default $ORDO_POSTGRES)\n"
  "  --from, --to         the first and last day (UTC), both included\n"
  "  --json               print a JSON array, one object per day with orders: day\n"
  "                       orders_placed gross_merchandise_value cancellation_rate\n"
  "                       return_rate members_share (rates 0 to 1)\n"
  "  --help               help for the command\n\n"
  "A day's orders are those placed that day; gross merchandise value is price x qty of\n"
  "every line as placed (shipping excluded); the rates count the day's orders that are\n"
  "cancelled, or have a return requested or made, now. Only archived orders count.\n";

const char* metrics_help =
  "options:\n"
  "  --metrics HOST:PORT  the node's metrics endpoint, as given to ordod --metrics\n"
  "                       (default $ORDO_METRICS or 127.0.0.1:9464)\n"
  "  --interval-ms MS     time between the two scrapes, 1 to 600000 (default 1000)\n"
  "  --timeout MS         wait at most MS ms for each answer, connecting included\n"
  "                       (default 10000)\n"
  "  --json               print one JSON object instead of tables\n"
  "  --help               help for the command\n\n"
  "a value follows its option (--interval-ms 500) or an = (--interval-ms=500).\n"
  "An unknown option, a stray word or a missing value is a usage error, and\n"
  "nothing is sent.\n\n"
  "stats reads GET /metrics twice. Rates, means and the p50/p99 latencies\n"
  "(interpolated inside histogram buckets, as Prometheus' histogram_quantile does)\n"
  "cover the time between the two answers; gauges and totals are the second\n"
  "answer's. \"-\" (null in JSON) is no data: no request in the interval, or a\n"
  "family the node does not export. The table lists the ops that had requests in\n"
  "the interval, the JSON every op the node exports.\n\n"
  "--json keys (rates per second, durations in seconds):\n"
  "  metrics version interval_s requests_per_s errors_per_s p50_s p99_s ops\n"
  "  in_flight connections resident_orders parked_orders resident_sessions redis\n"
  "  store actor_restarts passivations_per_s payment_outcomes_per_s\n"
  "  deadline_expiries events_stream_length process\n"
  "  ops.OP: requests_per_s errors_per_s errors_per_s_by_code.CODE p50_s p99_s\n"
  "  redis: up round_trips_per_s commands_per_round_trip commits_per_round_trip\n"
  "    (over the round trips that carried a commit) round_trip_p99_s\n"
  "  store: commit_p99_s commit_conflicts_per_s\n"
  "  payment_outcomes_per_s: authorized declined timed_out\n"
  "  process: cpu_cores resident_memory_bytes\n\n"
  "exit codes: 0 ok, 64 usage, 16 unavailable (cannot connect, no answer in time,\n"
  "  an answer other than 200), 10 bad_request (the answer is not a Prometheus\n"
  "  exposition of ordod's metrics)\n";

const char* redis_help =
  "options:\n"
  "  --redis HOST:PORT    the engine's Redis (default $ORDO_REDIS or 127.0.0.1:6379)\n"
  "  --key-prefix P       the engine's key prefix (default ordo:)\n"
  "  --timeout MS         wait at most MS ms to connect and for each answer (default 10000)\n"
  "  --json               print one JSON object instead of a table\n"
  "  --help               help for the command\n\n"
  "cluster lists the live nodes from Redis, each with its address, how long its heartbeat\n"
  "has left, the customer tags whose leases it holds (of 1024) and when the soonest and\n"
  "the latest of those leases end unless renewed; then how many tags no live node holds\n"
  "(free, lapsed, or held by a node that stopped heartbeating: a take-over under way).\n\n"
  "--json keys: nodes (name owner address heartbeat_left_ms tags soonest_lease_end_ms\n"
  "  latest_lease_end_ms) unowned_tags tags\n\n"
  "exit codes: 0 ok, 64 usage, 16 unavailable (cannot reach Redis)\n";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// The problems, then how the command is used (all commands when it is not known).
int usage(const command_spec* spec, const std::vector<std::string>& problems) {
  for (const auto& problem : problems)
    std::cerr << "ordoctl: " << problem << '\n';
  if (spec != nullptr)
    std::cerr << "usage: ordoctl " << spec->usage << "\nordoctl: see ordoctl " << spec->name
              << " --help\n";
  else
    std::cerr << "ordoctl: see ordoctl --help\n";
  return usage_exit;
}

int usage(const context& ctx, const std::string& problem) {
  return usage(&ctx.spec, {problem});
}

int fail(const error& err) {
  std::cerr << "ordoctl: " << to_string(err.code) << ": " << err.message << '\n';
  return 10 + static_cast<int>(err.code);
}

template <class T>
bool parse_number(const std::string& text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// "SKU:QTY:PRICE" or "SKU:QTY"; SKUs may not contain ':' here.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in{text};
  for (std::string part; std::getline(in, part, ':');)
    parts.push_back(part);
  return parts;
}

result<std::vector<line_item>> line_items(const arguments& args) {
  std::vector<line_item> lines;
  for (const auto& text : args.all("line")) {
    const auto parts = split(text);
    line_item line;
    if (parts.size() != 3 || !parse_number(parts[1], line.qty) || !parse_number(parts[2], line.price))
      return error{errc::bad_request, "--line takes SKU:QTY:PRICE, got '" + text + "'"};
    line.sku = parts[0];
    lines.push_back(std::move(line));
  }
  if (lines.empty())
    return error{errc::bad_request, "place needs at least one --line SKU:QTY:PRICE"};
  return lines;
}

result<std::optional<std::vector<line_quantity>>> line_quantities(const arguments& args) {
  if (!args.has("line"))
    return std::optional<std::vector<line_quantity>>{};
  std::vector<line_quantity> lines;
  for (const auto& text : args.all("line")) {
    const auto parts = split(text);
    line_quantity line;
    if (parts.size() != 2 || !parse_number(parts[1], line.qty))
      return error{errc::bad_request, "--line takes SKU:QTY, got '" + text + "'"};
    line.sku = parts[0];
    lines.push_back(std::move(line));
  }
  return std::optional<std::vector<line_quantity>>{std::move(lines)};
}

std::string idem_of(const arguments& args) {
  return args.has("idem") ? args.get("idem") : "ordoctl-" + auth::make_session_id();
}

const std::string& order_of(const context& ctx) {
  return ctx.args.words.front();
}

int mint(const context& ctx) {
  const auto& args = ctx.args;
  const auto role = parse_role(args.get("role"));
  const auto subject = args.get("subject");
  const auto key = args.get("auth-key", env_or("ORDO_AUTH_KEY", ""));
  std::int64_t ttl = 3600;
  if (!role)
    return usage(ctx, "token needs --role customer or --role operator");
  if (!auth::valid_subject(subject))
    return usage(ctx, "token needs --subject matching [A-Za-z0-9_-]{1,64}");
  if (key.empty())
    return usage(ctx, "token needs --auth-key KEY or $ORDO_AUTH_KEY");
  if (args.has("ttl") && (!parse_number(args.get("ttl"), ttl) || ttl <= 0))
    return usage(ctx, "--ttl takes a positive number of seconds");
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  std::cout << auth::mint_token(*role, subject, now_s + ttl, key) << '\n';
  return 0;
}

result<client> open_session(const context& ctx, bool with_session) {
  auto c = client::connect(ctx.target.host, ctx.target.port, ctx.timeout);
  if (!c || !with_session)
    return c;
  const auto session = ctx.args.get("session", env_or("ORDO_SESSION", ""));
  const auto token = ctx.args.get("token", env_or("ORDO_TOKEN", ""));
  result<reply_body> opened = error{errc::unauthenticated, "give --token or --session"};
  if (!session.empty())
    opened = c->call(resume_request{session}, ctx.timeout);
  else if (!token.empty())
    opened = c->call(hello_request{token}, ctx.timeout);
  if (!opened)
    return std::move(opened).error();
  return c;
}

// Sends one request, on a session unless it needs none, and prints the reply.
int exchange(const context& ctx, request_body body, bool with_session = true) {
  auto c = open_session(ctx, with_session);
  if (!c)
    return fail(c.error());
  auto reply = c->call(std::move(body), ctx.timeout);
  if (!reply)
    return fail(reply.error());
  std::cout << render(*reply, ctx.json);
  return 0;
}

int ping(const context& ctx) {
  return exchange(ctx, ping_request{}, false);
}

int hello(const context& ctx) {
  return exchange(ctx, hello_request{ctx.args.get("token", env_or("ORDO_TOKEN", ""))}, false);
}

int place(const context& ctx) {
  auto lines = line_items(ctx.args);
  if (!lines)
    return usage(ctx, lines.error().message);
  return exchange(ctx, place_request{idem_of(ctx.args), std::move(*lines)});
}

int get(const context& ctx) {
  return exchange(ctx, get_request{order_of(ctx)});
}

int list(const context& ctx) {
  list_request req;
  if (ctx.args.has("limit") &&
      (!parse_number(ctx.args.get("limit"), req.limit) || req.limit < limits::min_list_limit ||
       req.limit > limits::max_list_limit))
    return usage(ctx, "--limit takes a number from " + std::to_string(limits::min_list_limit) +
                          " to " + std::to_string(limits::max_list_limit));
  if (ctx.args.has("before"))
    req.before = ctx.args.get("before");
  return exchange(ctx, req);
}

int cancel(const context& ctx) {
  auto lines = line_quantities(ctx.args);
  if (!lines)
    return usage(ctx, lines.error().message);
  return exchange(ctx, cancel_request{order_of(ctx), idem_of(ctx.args), std::move(*lines)});
}

int return_order(const context& ctx) {
  auto lines = line_quantities(ctx.args);
  if (!lines)
    return usage(ctx, lines.error().message);
  return exchange(ctx, return_request{order_of(ctx), idem_of(ctx.args), std::move(*lines)});
}

int ship(const context& ctx) {
  if (!ctx.args.has("tracking"))
    return usage(ctx, "ship needs --tracking T");
  return exchange(ctx, ship_request{order_of(ctx), ctx.args.get("tracking")});
}

int deliver(const context& ctx) {
  return exchange(ctx, deliver_request{order_of(ctx)});
}

int refund(const context& ctx) {
  return exchange(ctx, refund_request{order_of(ctx)});
}

int membership(const context& ctx) {
  const auto& word = ctx.args.words.front();
  if (word != "on" && word != "off")
    return usage(ctx, "membership takes on or off, got '" + word + "'");
  return exchange(ctx, membership_request{word == "on"});
}

int watch(const context& ctx) {
  long count = -1;
  if (ctx.args.has("count") && (!parse_number(ctx.args.get("count"), count) || count <= 0))
    return usage(ctx, "--count takes a positive number");
  auto c = open_session(ctx, true);
  if (!c)
    return fail(c.error());
  auto subscribed = c->call(subscribe_request{}, ctx.timeout);
  if (!subscribed)
    return fail(subscribed.error());
  std::cout << (ctx.json ? "" : "watching; Ctrl-C stops\n") << std::flush;
  // Pushes come when orders change, which may take any time: --timeout is for replies only.
  for (long seen = 0; count < 0 || seen < count;) {
    auto m = c->receive(std::chrono::hours{24});
    if (!m)
      return fail(m.error());
    if (const auto* push = std::get_if<order_push>(&*m)) {
      std::cout << (ctx.json ? order_json(push->order) + "\n" : order_table(push->order) + "\n")
                << std::flush;
      ++seen;
    }
  }
  return 0;
}

std::string address_text(const runtime::host_port& a) {
  const bool ipv6 = a.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

bool is_ordo_sample(const sample& s) {
  return s.name.starts_with("ordo_");
}

// One GET of /metrics, read as an exposition of ordod's families.
result<exposition> scrape(const context& ctx) {
  const auto url = "http://" + address_text(ctx.target) + "/metrics";
  auto body = http_get(ctx.target.host, ctx.target.port, "/metrics", ctx.timeout);
  if (!body)
    return error{body.error().code, url + ": " + body.error().message};
  auto parsed = parse_exposition(*body);
  if (!parsed)
    return error{errc::bad_request,
                 url + ": not a Prometheus exposition: " + parsed.error().message};
  if (std::none_of(parsed->samples.begin(), parsed->samples.end(), is_ordo_sample))
    return error{errc::bad_request, url + ": the exposition holds no ordo_ metrics"};
  return parsed;
}

int cluster(const context& ctx) {
  auto view = read_cluster(ctx.target.host, ctx.target.port, ctx.args.get("key-prefix", "ordo:"),
                           std::chrono::duration_cast<std::chrono::milliseconds>(ctx.timeout));
  if (!view)
    return fail(view.error());
  std::cout << (ctx.json ? cluster_json(*view) : cluster_table(*view));
  return 0;
}

int report(const context& ctx) {
  for (const char* bound : {"from", "to"})
    if (!is_date(ctx.args.get(bound)))
      return usage(ctx, std::string{"--"} + bound + " takes a date YYYY-MM-DD, got '" +
                          ctx.args.get(bound) + "'");
  if (ctx.args.get("from") > ctx.args.get("to"))
    return usage(ctx, "--from " + ctx.args.get("from") + " is after --to " + ctx.args.get("to"));
  const auto conninfo = ctx.args.has("postgres") ? ctx.args.get("postgres") : env_or("ORDO_POSTGRES", "");
  if (conninfo.empty())
    return usage(ctx, "report needs --postgres CONNINFO (or $ORDO_POSTGRES)");
  if (auto why = warehouse::conninfo_problem(conninfo))
    return usage(ctx, "--postgres is not a libpq connection string: " + *why);
  auto pg = warehouse::pg_connection::connect(conninfo);
  if (!pg)
    return fail(pg.error());
  auto days = warehouse::daily_report(**pg, ctx.args.get("from"), ctx.args.get("to"));
  if (!days)
    return fail(days.error());
  std::cout << (ctx.json ? report_json(*days) : report_table(*days));
  return 0;
}

int stats(const context& ctx) {
  std::int64_t interval_ms = default_interval_ms;
  if (ctx.args.has("interval-ms") && (!parse_number(ctx.args.get("interval-ms"), interval_ms) ||
                                      interval_ms < 1 || interval_ms > max_interval_ms))
    return usage(ctx, "--interval-ms takes milliseconds, a whole number from 1 to " +
                        std::to_string(max_interval_ms) + ", got '" +
                        ctx.args.get("interval-ms") + "'");
  auto before = scrape(ctx);
  if (!before)
    return fail(before.error());
  const auto first_answer = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds{interval_ms});
  auto after = scrape(ctx);
  if (!after)
    return fail(after.error());
  const std::chrono::duration<double> between = std::chrono::steady_clock::now() - first_answer;
  const auto figures = compute_stats(*before, *after, between.count());
  const auto address = address_text(ctx.target);
  std::cout << (ctx.json ? stats_json(figures, address) : stats_table(figures, address));
  return 0;
}

const command_spec specs[] = {
  {"token", "token --role customer|operator --subject S [--ttl SECONDS] [--auth-key KEY]",
   "mint a token with the engine's auth key (or $ORDO_AUTH_KEY); no connection needed",
   {"role", "subject", "ttl", "auth-key"}, {}, peer::none, mint},
  {"ping", "ping", "check that ordod answers", {}, {}, peer::ordod, ping},
  {"hello", "hello", "open a session and print it (reuse it with --session)", {}, {}, peer::ordod,
   hello},
  {"place", "place --line SKU:QTY:PRICE [--line ...] [--idem KEY]", "place an order",
   {"line", "idem"}, {}, peer::ordod, place},
  {"get", "get ORDER", "show one order", {}, "an ORDER id", peer::ordod, get},
  {"list", "list [--limit N] [--before ORDER]", "your orders, newest first", {"limit", "before"},
   {}, peer::ordod, list},
  {"cancel", "cancel ORDER [--line SKU:QTY ...] [--idem KEY]",
   "cancel an order, or some units of its lines", {"line", "idem"}, "an ORDER id", peer::ordod,
   cancel},
  {"ship", "ship ORDER --tracking T", "operator: ship a paid order", {"tracking"}, "an ORDER id",
   peer::ordod, ship},
  {"deliver", "deliver ORDER", "operator: mark a shipped order delivered", {}, "an ORDER id",
   peer::ordod, deliver},
  {"return", "return ORDER [--line SKU:QTY ...] [--idem KEY]",
   "ask to return a delivered order, or some units", {"line", "idem"}, "an ORDER id", peer::ordod,
   return_order},
  {"refund", "refund ORDER", "operator: refund a requested return", {}, "an ORDER id", peer::ordod,
   refund},
  {"membership", "membership on|off", "become a WOW member or stop being one", {}, "on or off",
   peer::ordod, membership},
  {"watch", "watch [--count N]", "subscribe and print pushes of your orders as they change",
   {"count"}, {}, peer::ordod, watch},
  {"stats", "stats [--metrics HOST:PORT] [--interval-ms MS] [--json]",
   "a node's key figures from its metrics endpoint, read twice --interval-ms apart",
   {"interval-ms"}, {}, peer::metrics, stats},
  {"cluster", "cluster [--redis HOST:PORT] [--key-prefix P] [--json]",
   "the engine's nodes: addresses, customer tags held, heartbeats and lease ends", {}, {},
   peer::redis, cluster},
  {"report", "report --from YYYY-MM-DD --to YYYY-MM-DD [--postgres CONNINFO] [--json]",
   "per day (UTC) from the warehouse: orders placed, gross merchandise value, cancellation "
   "and return rates, members' share", {"from", "to"}, {}, peer::postgres, report},
};

const command_spec* find_spec(const std::string& name) {
  for (const auto& s : specs)
    if (name == s.name)
      return &s;
  return nullptr;
}

template <class Names>
bool among(const Names& names, std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool takes(const command_spec& spec, std::string_view option) {
  return option == "help" || among(spec.options, option) ||
         (spec.peer == peer::ordod && among(connection_options, option)) ||
         (spec.peer == peer::metrics && among(metrics_options, option)) ||
         (spec.peer == peer::redis && among(redis_options, option)) ||
         (spec.peer == peer::postgres && among(postgres_options, option));
}

bool known_option(std::string_view name) {
  return among(switches, name) || among(connection_options, name) ||
         among(metrics_options, name) || among(redis_options, name) ||
         among(postgres_options, name) ||
         std::any_of(std::begin(specs), std::end(specs),
                     [name](const command_spec& s) { return among(s.options, name); });
}

void print_help(const command_spec* spec) {
  if (spec != nullptr) {
    std::cout << "usage: ordoctl " << spec->usage << "\n\n" << spec->summary << "\n\n";
    if (spec->peer == peer::ordod)
      std::cout << common_help;
    else if (spec->peer == peer::metrics)
      std::cout << metrics_help;
    else if (spec->peer == peer::redis)
      std::cout << redis_help;
    else if (spec->peer == peer::postgres)
      std::cout << postgres_help;
    return;
  }
  std::cout << "usage: ordoctl COMMAND [ARGS] [OPTIONS]\n\ncommands:\n";
  for (const auto& s : specs)
    std::cout << "  " << s.usage << "\n      " << s.summary << "\n";
  std::cout << "\n" << common_help;
}

// Where a peer's address comes from: its option, else its environment variable, else the
// default.
struct address_source {
  const char* option;
  const char* variable;
  const char* fallback;
};

address_source address_source_of(peer p) {
  if (p == peer::metrics)
    return {"metrics", "ORDO_METRICS", default_metrics};
  if (p == peer::redis)
    return {"redis", "ORDO_REDIS", "127.0.0.1:6379"};
  return {"target", "ORDO_TARGET", default_target};
}

// Everything that makes the arguments unusable for the command, each problem naming the
// offending word; fills in the target and the timeout on the way.
std::vector<std::string> check(context& ctx) {
  const auto& args = ctx.args;
  const auto& spec = ctx.spec;
  auto problems = args.problems;
  for (auto it = args.options.begin(); it != args.options.end();
       it = args.options.upper_bound(it->first)) {
    const auto& name = it->first;
    if (!takes(spec, name))
      problems.push_back(std::string{spec.name} + " does not take --" + name);
    else if (name != "line" && args.options.count(name) > 1)
      problems.push_back("--" + name + " is given more than once");
  }
  const std::size_t words = spec.word.empty() ? 0 : 1;
  for (std::size_t i = words; i < args.words.size(); ++i)
    problems.push_back("unexpected argument '" + args.words[i] + "'");
  if (args.words.size() < words)
    problems.push_back(std::string{spec.name} + " needs " + std::string{spec.word});
  if (spec.peer == peer::none || spec.peer == peer::postgres)
    return problems;
  std::int64_t timeout_ms = default_timeout_ms;
  if (args.has("timeout") &&
      (!parse_number(args.get("timeout"), timeout_ms) || timeout_ms < 1 || timeout_ms > INT_MAX))
    problems.push_back("--timeout takes milliseconds, a whole number from 1 to " +
                       std::to_string(INT_MAX) + ", got '" + args.get("timeout") + "'");
  ctx.timeout = client::duration{timeout_ms};
  const auto where = address_source_of(spec.peer);
  const bool from_flag = args.has(where.option);
  const auto target_text =
    from_flag ? args.get(where.option) : env_or(where.variable, where.fallback);
  if (const auto target = runtime::parse_host_port(target_text))
    ctx.target = *target;
  else
    problems.push_back((from_flag ? "--" + std::string{where.option} : where.variable) +
                       " must be HOST:PORT, got '" + target_text + "'");
  return problems;
}

} // namespace

std::string arguments::get(const std::string& name, const std::string& fallback) const {
  const auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::vector<std::string> arguments::all(const std::string& name) const {
  std::vector<std::string> values;
  for (auto [it, end] = options.equal_range(name); it != end; ++it)
    values.push_back(it->second);
  return values;
}

arguments parse_arguments(int argc, char** argv) {
  arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string word = std::string_view{argv[i]} == "-h" ? "--help" : argv[i];
    if (word.size() < 2 || word[0] != '-') {
      if (args.command.empty())
        args.command = word;
      else
        args.words.push_back(word);
      continue;
    }
    const auto eq = word.find('=');
    const auto name = word.substr(0, eq);
    // An unknown option takes nothing from what follows: it may be the next option.
    if (!word.starts_with("--") || !known_option(name.substr(2))) {
      args.problems.push_back("unknown option " + name);
      continue;
    }
    if (among(switches, name.substr(2))) {
      if (eq != std::string::npos)
        args.problems.push_back(name + " takes no value");
      else
        args.options.emplace(name.substr(2), "");
      continue;
    }
    std::string value;
    if (eq != std::string::npos)
      value = word.substr(eq + 1);
    else if (i + 1 < argc && !std::string_view{argv[i + 1]}.starts_with("--"))
      value = argv[++i];
    if (value.empty())
      args.problems.push_back(name + " needs a value");
    else
      args.options.emplace(name.substr(2), value);
  }
  return args;
}

int run(const arguments& args) {
  const auto* spec = find_spec(args.command);
  if (args.has("help")) {
    print_help(spec);
    return 0;
  }
  if (args.command.empty() && args.problems.empty()) {
    print_help(nullptr);
    return usage_exit;
  }
  if (spec == nullptr)
    return usage(nullptr, args.command.empty()
                              ? args.problems
                              : std::vector<std::string>{"unknown command '" + args.command + "'"});
  context ctx{args, *spec, {}, client::duration{default_timeout_ms}, args.has("json")};
  if (const auto problems = check(ctx); !problems.empty())
    return usage(spec, problems);
  return spec->run(ctx);
}

} // namespace ordo::ctl
