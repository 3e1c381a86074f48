#include "cli.hpp"

#include <unistd.h>

#include <csignal>

#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <ordo/engine.hpp>

#include "plot.hpp"
#include "report.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::load {

namespace {

const char* help_text =
  "usage: ordoload --mode tcp --target HOST:PORT --auth-key KEY [options]\n"
  "       ordoload --mode inproc --redis HOST:PORT --auth-key KEY [options]\n\n"
  "Simulates customers and operators driving whole order lifecycles, reports throughput and\n"
  "latency percentiles per operation, then verifies every acknowledged order.\n\n"
  "options:\n"
  "  --mode tcp|inproc          talk to ordod over TCP, or embed the engine (default tcp)\n"
  "  --target HOST:PORT[,...]   ordod to load (tcp mode; default 127.0.0.1:7400); several\n"
  "                             nodes of one engine: connections are spread over them, and\n"
  "                             one whose node dies moves on to the next\n"
  "  --redis HOST:PORT          the engine's Redis: the engine's own in inproc mode, and\n"
  "                             where acknowledged writes are verified (both modes)\n"
  "  --key-prefix P             the engine's key prefix (default ordo:)\n"
  "  --archive CONNINFO         the warehouse (libpq connection string) the orders may have\n"
  "                             left Redis for: verification looks there too, and in inproc\n"
  "                             mode the engine serves archived orders through it\n"
  "  --auth-key KEY             mints the customers' and operators' tokens (required)\n"
  "  --scenario S               place | lifecycle | flash-sale (default lifecycle)\n"
  "  --customers N              simulated customers, one connection each (default 1000)\n"
  "  --connections N            tcp mode: share N connections among customers and operators\n"
  "                             instead (each switches its session with resume)\n"
  "  --operators N              operator connections for ship/deliver/refund (default 4)\n"
  "  --rate R                   open loop: start R orders/s on a timetable (latency from\n"
  "                             the intended send time); without it: closed loop\n"
  "  --concurrency N            closed loop: orders in flight at once (default 64)\n"
  "  --duration S               seconds measured (default 10)\n"
  "  --orders N                 stop after N orders instead\n"
  "  --warmup S                 seconds not measured first (default 1)\n"
  "  --cancel-share, --partial-cancel-share, --return-share, --retry-share, --member-share\n"
  "                             shares of the lifecycle mix (0.1, 0.1, 0.2, 0.05, 0.3)\n"
  "  --seed N                   random seed (default 1)\n"
  "  --json FILE                also write the report as JSON (- for stdout)\n"
  "  --csv FILE                 write a per-second time series\n"
  "  --plot FILE.png            draw the per-second series with gnuplot after the report:\n"
  "                             requests/s and errors/s above, p50/p99 latency in ms below\n"
  "  --no-verify                skip the verification\n"
  "  --help                     this text\n\n"
  "SIGINT (Ctrl-C) or SIGTERM ends the run early: no new order starts, those in flight finish,\n"
  "then the report and the verification cover what was done.\n\n"
  "exit codes: 0 ok, 1 verification failed, 2 usage, 3 target unreachable, 4 the plot could\n"
  "not be drawn (after the report; a failed verification is still 1)\n";

int usage(const std::string& problem) {
  std::cerr << "ordoload: " << problem << "\nordoload: see ordoload --help\n";
  return 2;
}

template <class T>
bool number(const std::string& text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      std::size_t used = 0;
      out = static_cast<T>(std::stod(text, &used));
      return used == text.size();
    } catch (...) {
      return false;
    }
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
  }
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string plot_title(const run_description& d) {
  std::string loop;
  if (d.opts.scenario == "flash-sale")
    loop = "every customer once a second";
  else if (d.opts.rate > 0)
    loop = "open loop " + std::to_string(std::llround(d.opts.rate)) + " orders/s";
  else
    loop = "closed loop " + std::to_string(d.opts.concurrency) + " in flight";
  return "ordoload " + d.opts.scenario + ", " + d.mode + " " + d.target + ", " +
         std::to_string(d.opts.customers) + " customers, " + loop;
}

} // namespace

int run_cli(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--help" || word == "-h") {
      std::cout << help_text;
      return 0;
    }
    if (word.rfind("--", 0) != 0)
      return usage("unexpected argument '" + word + "'");
    auto name = word.substr(2);
    if (const auto eq = name.find('='); eq != std::string::npos) {
      args[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (name == "no-verify") {
      args[name] = "1";
    } else if (i + 1 < argc) {
      args[name] = argv[++i];
    } else {
      return usage("--" + name + " needs a value");
    }
  }
  static const std::set<std::string> known{
    "mode", "target", "redis", "key-prefix", "archive", "auth-key", "scenario", "customers", "connections",
    "operators", "rate", "concurrency", "duration", "orders", "warmup", "cancel-share",
    "partial-cancel-share", "return-share", "retry-share", "member-share", "seed", "json", "csv",
    "plot", "no-verify"};
  for (const auto& [name, value] : args)
    if (!known.count(name))
      return usage("unknown option --" + name);
  load_options opts;
  const std::string mode = args.count("mode") ? args["mode"] : "tcp";
  const std::string target_text = args.count("target") ? args["target"] : "127.0.0.1:7400";
  const std::string prefix = args.count("key-prefix") ? args["key-prefix"] : "ordo:";
  const std::string archive = args.count("archive") ? args["archive"] : "";
  if (!archive.empty())
    if (auto why = warehouse::conninfo_problem(archive))
      return usage("--archive is not a libpq connection string: " + *why);
  opts.auth_key = args["auth-key"];
  if (args.count("scenario"))
    opts.scenario = args["scenario"];
  const std::pair<const char*, double*> shares[] = {
    {"cancel-share", &opts.cancel_share}, {"partial-cancel-share", &opts.partial_cancel_share},
    {"return-share", &opts.return_share}, {"retry-share", &opts.retry_share},
    {"member-share", &opts.member_share}, {"rate", &opts.rate},
    {"duration", &opts.duration_s},       {"warmup", &opts.warmup_s}};
  for (auto [name, field] : shares)
    if (args.count(name) && (!number(args[name], *field) || *field < 0))
      return usage(std::string{"--"} + name + " takes a non-negative number");
  const std::pair<const char*, std::size_t*> counts[] = {
    {"customers", &opts.customers}, {"operators", &opts.operators}, {"concurrency", &opts.concurrency}};
  for (auto [name, field] : counts)
    if (args.count(name) && (!number(args[name], *field) || *field == 0))
      return usage(std::string{"--"} + name + " takes a positive number");
  std::size_t connections = 0;
  if (args.count("connections")) {
    if (!number(args["connections"], connections) || connections == 0)
      return usage("--connections takes a positive number");
    if (mode != "tcp")
      return usage("--connections applies to --mode tcp only");
  }
  if (args.count("orders") && !number(args["orders"], opts.orders))
    return usage("--orders takes a number");
  if (args.count("seed") && !number(args["seed"], opts.seed))
    return usage("--seed takes a number");
  if (opts.scenario != "place" && opts.scenario != "lifecycle" && opts.scenario != "flash-sale")
    return usage("--scenario is place, lifecycle or flash-sale");
  if (mode != "tcp" && mode != "inproc")
    return usage("--mode is tcp or inproc");
  if (opts.auth_key.empty())
    return usage("--auth-key is required: the engine's key, to mint tokens");
  if (args.count("plot"))
    if (const auto problem = plot_path_problem(args["plot"]))
      return usage(*problem);
  std::optional<runtime::host_port> redis;
  if (args.count("redis")) {
    redis = runtime::parse_host_port(args["redis"]);
    if (!redis)
      return usage("--redis must be HOST:PORT");
  } else if (mode == "inproc") {
    return usage("--mode inproc needs --redis HOST:PORT");
  }

  std::unique_ptr<transport> t;
  std::string target = target_text;
  if (mode == "tcp") {
    std::vector<runtime::host_port> targets;
    for (std::size_t from = 0; from <= target_text.size();) {
      const auto comma = std::min(target_text.find(',', from), target_text.size());
      auto address = runtime::parse_host_port(target_text.substr(from, comma - from));
      if (!address)
        return usage("--target must be HOST:PORT[,HOST:PORT...], got '" + target_text + "'");
      targets.push_back(std::move(*address));
      from = comma + 1;
    }
    t = tcp_transport(std::move(targets), connections);
  } else {
    engine_options engine_opts;
    engine_opts.redis = args["redis"];
    engine_opts.auth_key = opts.auth_key;
    engine_opts.key_prefix = prefix;
    engine_opts.archive = archive;
    auto started = inproc_transport(engine_opts);
    if (!started) {
      std::cerr << "ordoload: " << started.error().message << '\n';
      return 3;
    }
    t = std::move(*started);
    target = "engine on redis " + args["redis"];
  }
  // Names unique to this run, so that the verification counts only this run's orders.
  const auto run = std::to_string(now_s() % 100'000'000) + "-" + std::to_string(opts.seed);
  std::vector<std::string> customers;
  std::vector<std::string> tokens;
  for (std::size_t c = 0; c < opts.customers; ++c) {
    customers.push_back("L" + run + "-" + std::to_string(c));
    tokens.push_back(mint_token(role::customer, customers.back(), now_s() + 86'400, opts.auth_key));
  }
  for (std::size_t o = 0; o < opts.operators; ++o)
    tokens.push_back(mint_token(role::operator_, "load-ops-" + std::to_string(o), now_s() + 86'400,
                                opts.auth_key));
  std::cerr << "ordoload: opening " << tokens.size() << " sessions on " << target << "\n";
  // Lifecycles learn of payments from pushes, so customers subscribe.
  const auto subscribers = opts.scenario == "lifecycle" ? opts.customers : 0;
  if (auto opened = t->open(tokens, subscribers); !opened) {
    std::cerr << "ordoload: cannot open sessions on " << target << ": " << opened.error().message << '\n';
    return 3;
  }
  // Members pay no shipping: a share of the customers become members first.
  std::size_t pending = 0;
  for (std::size_t c = 0; c < opts.customers; ++c) {
    if (static_cast<double>(c % 100) < opts.member_share * 100) {
      ++pending;
      t->submit(c, membership_request{true}, [&](result<reply_body>) { --pending; });
    }
  }
  while (pending > 0)
    t->pump(std::chrono::milliseconds{10});

  // Ctrl-C or a SIGTERM ends the run early but still reports and verifies what was acknowledged.
  struct sigaction stop{};
  stop.sa_handler = [](int) { ask_to_stop(); };
  ::sigaction(SIGINT, &stop, nullptr);
  ::sigaction(SIGTERM, &stop, nullptr);
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  auto result = run_load(*t, opts, [terminal](const std::string& line) {
    if (terminal)
      std::cout << "\r" << line << "   " << std::flush;
    else
      std::cout << line << "\n" << std::flush;
  });
  if (terminal)
    std::cout << "\n";
  verification v;
  if (!args.count("no-verify"))
    v = verify(*t, opts.customers, result, customers, redis, prefix, archive);
  const run_description d{mode, target, opts};
  std::cout << "\n" << text_report(d, result, v);
  if (args.count("json")) {
    if (args["json"] == "-")
      std::cout << json_report(d, result, v);
    else
      std::ofstream{args["json"]} << json_report(d, result, v);
  }
  if (args.count("csv"))
    std::ofstream{args["csv"]} << csv_series(result);
  bool plot_failed = false;
  if (args.count("plot")) {
    if (const auto problem = draw_plot(result, plot_title(d), args["plot"])) {
      std::cerr << "ordoload: cannot draw " << args["plot"] << ": " << *problem << '\n';
      plot_failed = true;
    }
  }
  if (!v.failures.empty())
    return 1;
  return plot_failed ? 4 : 0;
}

} // namespace ordo::load
