#include "commands.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "auth/secure_random.hpp"
#include "auth/token.hpp"
#include "clients/client.hpp"
#include "render.hpp"
#include "runtime/options.hpp"

namespace ordo::ctl {

namespace {

constexpr int usage_exit = 64;
constexpr const char* default_target = "127.0.0.1:7400";

struct command_spec {
  const char* name;
  const char* usage;
  const char* summary;
};

const command_spec specs[] = {
  {"token", "token --role customer|operator --subject S [--ttl SECONDS] [--auth-key KEY]",
   "mint a token with the engine's auth key (or $ORDO_AUTH_KEY); no connection needed"},
  {"ping", "ping", "check that ordod answers"},
  {"hello", "hello", "open a session and print it (reuse it with --session)"},
  {"place", "place --line SKU:QTY:PRICE [--line ...] [--idem KEY]", "place an order"},
  {"get", "get ORDER", "show one order"},
  {"list", "list [--limit N] [--before ORDER]", "your orders, newest first"},
  {"cancel", "cancel ORDER [--line SKU:QTY ...] [--idem KEY]",
   "cancel an order, or some units of its lines"},
  {"ship", "ship ORDER --tracking T", "operator: ship a paid order"},
  {"deliver", "deliver ORDER", "operator: mark a shipped order delivered"},
  {"return", "return ORDER [--line SKU:QTY ...] [--idem KEY]",
   "ask to return a delivered order, or some units"},
  {"refund", "refund ORDER", "operator: refund a requested return"},
  {"membership", "membership on|off", "become a WOW member or stop being one"},
  {"watch", "watch [--count N]", "subscribe and print pushes of your orders as they change"},
};

const char* common_help =
  "options for every command that talks to ordod:\n"
  "  --target HOST:PORT   ordod's address (default $ORDO_TARGET or 127.0.0.1:7400)\n"
  "  --token TOKEN        authenticate with a token (default $ORDO_TOKEN)\n"
  "  --session ID         resume a session instead (default $ORDO_SESSION)\n"
  "  --json               print JSON instead of tables\n"
  "  --help               help for the command\n\n"
  "exit codes: 0 ok, 64 usage, 10 bad_request, 11 unauthenticated, 12 forbidden,\n"
  "  13 not_found, 14 invalid_state, 15 conflict, 16 unavailable (also: cannot connect),\n"
  "  17 overloaded, 18 frame_too_large, 19 internal\n";

const command_spec* find_spec(const std::string& name) {
  for (const auto& s : specs)
    if (name == s.name)
      return &s;
  return nullptr;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int usage(const std::string& problem) {
  std::cerr << "ordoctl: " << problem << "\nordoctl: see ordoctl --help\n";
  return usage_exit;
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

int mint(const arguments& args) {
  const auto role = parse_role(args.get("role"));
  const auto subject = args.get("subject");
  const auto key = args.get("auth-key", env_or("ORDO_AUTH_KEY", ""));
  std::int64_t ttl = 3600;
  if (!role)
    return usage("token needs --role customer or --role operator");
  if (!auth::valid_subject(subject))
    return usage("token needs --subject matching [A-Za-z0-9_-]{1,64}");
  if (key.empty())
    return usage("token needs --auth-key KEY or $ORDO_AUTH_KEY");
  if (args.has("ttl") && (!parse_number(args.get("ttl"), ttl) || ttl <= 0))
    return usage("--ttl takes a positive number of seconds");
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  std::cout << auth::mint_token(*role, subject, now_s + ttl, key) << '\n';
  return 0;
}

result<client> open_session(const arguments& args, bool require_session) {
  const auto target_text = args.get("target", env_or("ORDO_TARGET", default_target));
  const auto target = runtime::parse_host_port(target_text);
  if (!target)
    return error{errc::bad_request, "--target must be HOST:PORT, got '" + target_text + "'"};
  auto c = client::connect(target->host, target->port);
  if (!c || !require_session)
    return c;
  const auto session = args.get("session", env_or("ORDO_SESSION", ""));
  const auto token = args.get("token", env_or("ORDO_TOKEN", ""));
  result<reply_body> opened = error{errc::unauthenticated, "give --token or --session"};
  if (!session.empty())
    opened = c->call(resume_request{session});
  else if (!token.empty())
    opened = c->call(hello_request{token});
  if (!opened)
    return std::move(opened).error();
  return c;
}

result<request_body> request_for(const arguments& args) {
  const auto& cmd = args.command;
  const auto order = args.words.empty() ? std::string{} : args.words.front();
  const bool needs_order = cmd == "get" || cmd == "cancel" || cmd == "ship" || cmd == "deliver" ||
                           cmd == "return" || cmd == "refund";
  if (needs_order && order.empty())
    return error{errc::bad_request, cmd + " needs an ORDER id"};
  if (cmd == "ping")
    return request_body{ping_request{}};
  if (cmd == "place") {
    auto lines = line_items(args);
    if (!lines)
      return std::move(lines).error();
    return request_body{place_request{idem_of(args), std::move(*lines)}};
  }
  if (cmd == "get")
    return request_body{get_request{order}};
  if (cmd == "list") {
    list_request req;
    if (args.has("limit") && !parse_number(args.get("limit"), req.limit))
      return error{errc::bad_request, "--limit takes a number from 1 to 100"};
    if (args.has("before"))
      req.before = args.get("before");
    return request_body{req};
  }
  if (cmd == "cancel" || cmd == "return") {
    auto lines = line_quantities(args);
    if (!lines)
      return std::move(lines).error();
    if (cmd == "cancel")
      return request_body{cancel_request{order, idem_of(args), std::move(*lines)}};
    return request_body{return_request{order, idem_of(args), std::move(*lines)}};
  }
  if (cmd == "ship") {
    if (!args.has("tracking"))
      return error{errc::bad_request, "ship needs --tracking T"};
    return request_body{ship_request{order, args.get("tracking")}};
  }
  if (cmd == "deliver")
    return request_body{deliver_request{order}};
  if (cmd == "refund")
    return request_body{refund_request{order}};
  if (cmd == "membership") {
    const auto word = args.words.empty() ? std::string{} : args.words.front();
    if (word != "on" && word != "off")
      return error{errc::bad_request, "membership takes on or off"};
    return request_body{membership_request{word == "on"}};
  }
  return error{errc::bad_request, "unknown command '" + cmd + "'"};
}

int watch(client& c, const arguments& args, bool json) {
  long count = -1;
  if (args.has("count") && !parse_number(args.get("count"), count))
    return usage("--count takes a number");
  auto subscribed = c.call(subscribe_request{});
  if (!subscribed)
    return fail(subscribed.error());
  std::cout << (json ? "" : "watching; Ctrl-C stops\n") << std::flush;
  for (long seen = 0; count < 0 || seen < count;) {
    auto m = c.receive(std::chrono::hours{24});
    if (!m)
      return fail(m.error());
    if (const auto* push = std::get_if<order_push>(&*m)) {
      std::cout << (json ? order_json(push->order) + "\n" : order_table(push->order) + "\n") << std::flush;
      ++seen;
    }
  }
  return 0;
}

void print_help(const command_spec* spec) {
  if (spec != nullptr) {
    std::cout << "usage: ordoctl " << spec->usage << "\n\n" << spec->summary << "\n\n";
    if (std::string{spec->name} != "token")
      std::cout << common_help;
    return;
  }
  std::cout << "usage: ordoctl COMMAND [ARGS] [OPTIONS]\n\ncommands:\n";
  for (const auto& s : specs)
    std::cout << "  " << s.usage << "\n      " << s.summary << "\n";
  std::cout << "\n" << common_help;
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

bool is_switch(const std::string& name) {
  return name == "json" || name == "help";
}

arguments parse_arguments(int argc, char** argv) {
  arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "-h")
      word = "--help";
    if (word.rfind("--", 0) == 0) {
      auto name = word.substr(2);
      std::string value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (!is_switch(name) && i + 1 < argc) {
        value = argv[++i];
      }
      args.options.emplace(name, value);
    } else if (args.command.empty()) {
      args.command = word;
    } else {
      args.words.push_back(word);
    }
  }
  return args;
}

int run(const arguments& args) {
  const auto* spec = find_spec(args.command);
  if (args.has("help") || args.command.empty()) {
    print_help(spec);
    return args.command.empty() && !args.has("help") ? usage_exit : 0;
  }
  if (spec == nullptr)
    return usage("unknown command '" + args.command + "'");
  if (args.command == "token")
    return mint(args);
  const bool json = args.has("json");
  const bool anonymous = args.command == "ping";
  auto request = args.command == "hello" || args.command == "watch" ? result<request_body>{ping_request{}}
                                                                     : request_for(args);
  if (!request)
    return usage(request.error().message);
  auto c = open_session(args, !anonymous && args.command != "hello");
  if (!c)
    return fail(c.error());
  if (args.command == "watch")
    return watch(*c, args, json);
  if (args.command == "hello") {
    const auto token = args.get("token", env_or("ORDO_TOKEN", ""));
    auto opened = c->call(hello_request{token});
    if (!opened)
      return fail(opened.error());
    std::cout << render(*opened, json);
    return 0;
  }
  auto reply = c->call(std::move(*request));
  if (!reply)
    return fail(reply.error());
  std::cout << render(*reply, json);
  return 0;
}

} // namespace ordo::ctl
