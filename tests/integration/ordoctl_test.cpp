// ordoctl as a user runs it: tokens, every op, stats from the metrics endpoint, --json,
// --help, exit codes.

#include "gateway_fixture.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <thread>

#include "support/process.hpp"

namespace ordo::test {
namespace {

class ordoctl : public gateway_fixture {
protected:
  command_result ctl(const std::string& args) {
    if (!ordod)
      start_ordod();
    return run_command(std::string{"ORDO_TARGET="} + ordod->address() + " '" + ORDOCTL_PATH +
                       "' " + args);
  }

  std::string minted(const std::string& role, const std::string& subject) {
    auto r = ctl("token --role " + role + " --subject " + subject + " --auth-key " +
                 ordod_process::auth_key);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
};

// ordoctl with no ordod behind it: for what must fail before anything is sent.
command_result ctl_offline(const std::string& args) {
  return run_command(std::string{"ORDO_TARGET=127.0.0.1:1 ORDO_TOKEN= ORDO_SESSION= '"} +
                     ORDOCTL_PATH + "' " + args);
}

// A loopback port whose backlog takes connections that nobody ever accepts or answers.
class silent_listener {
public:
  silent_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~silent_listener() { ::close(fd_); }
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string json_field(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":\"");
  if (at == std::string::npos)
    return {};
  const auto start = at + key.size() + 4;
  return json.substr(start, json.find('"', start) - start);
}

TEST_F(ordoctl, a_minted_token_opens_a_session) {
  auto c = connect();
  auto opened = c.call_as<session_result>(hello_request{minted("operator", "ops-7")});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->subject, "ops-7");
  EXPECT_EQ(opened->role, ordo::role::operator_);
}

TEST_F(ordoctl, walks_an_order_through_its_lifecycle) {
  const auto customer = minted("customer", "alice");
  const auto op = minted("operator", "ops");
  auto placed = ctl("place --token " + customer + " --line A:2:10000 --line B:1:5000 --json");
  ASSERT_EQ(placed.exit_code, 0) << placed.err;
  const auto id = json_field(placed.out, "id");
  ASSERT_FALSE(id.empty()) << placed.out;
  EXPECT_NE(placed.out.find("\"status\":\"pending_payment\""), std::string::npos);
  auto table = ctl("get " + id + " --token " + customer);
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("total         25,000 KRW"), std::string::npos) << table.out;
  for (int i = 0; i < 100 && ctl("get " + id + " --json --token " + customer).out.find("\"paid\"") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  EXPECT_EQ(ctl("cancel " + id + " --line B:1 --token " + customer).exit_code, 0);
  EXPECT_EQ(ctl("ship " + id + " --tracking TRK-1 --token " + op).exit_code, 0);
  EXPECT_EQ(ctl("deliver " + id + " --token " + op).exit_code, 0);
  EXPECT_EQ(ctl("return " + id + " --token " + customer).exit_code, 0);
  auto refunded = ctl("refund " + id + " --json --token " + op);
  EXPECT_EQ(refunded.exit_code, 0);
  EXPECT_NE(refunded.out.find("\"status\":\"returned\""), std::string::npos) << refunded.out;
  auto listed = ctl("list --token " + customer);
  EXPECT_NE(listed.out.find(id), std::string::npos);
  EXPECT_NE(listed.out.find("(1 order)"), std::string::npos) << listed.out;
}

TEST_F(ordoctl, errors_exit_with_their_code_and_say_it_on_stderr) {
  const auto customer = minted("customer", "alice");
  auto forbidden = ctl("ship X --tracking T --token " + customer);
  EXPECT_EQ(forbidden.exit_code, 12);
  EXPECT_NE(forbidden.err.find("forbidden"), std::string::npos);
  EXPECT_EQ(ctl("get 01ZZZZZZZZZZZZZZZZZZZZZZZZ00 --token " + customer).exit_code, 13);
  EXPECT_EQ(ctl("list").exit_code, 11);
  EXPECT_EQ(ctl("ping --target 127.0.0.1:1").exit_code, 16);
  EXPECT_EQ(ctl("place --line nonsense --token " + customer).exit_code, 64);
  EXPECT_EQ(ctl("frobnicate").exit_code, 64);
}

TEST_F(ordoctl, every_subcommand_has_help) {
  for (const char* cmd : {"token", "ping", "hello", "place", "get", "list", "cancel", "ship",
                          "deliver", "return", "refund", "membership", "watch", "stats", "cluster"}) {
    auto r = ctl(std::string{cmd} + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find(std::string{"usage: ordoctl "} + cmd), std::string::npos) << r.out;
  }
  EXPECT_NE(ctl("--help").out.find("exit codes"), std::string::npos);
}

TEST_F(ordoctl, cluster_lists_the_nodes_with_their_tags_and_says_when_none_answers) {
  start_ordod();
  ordod_process second{redis.address()};
  const auto args = "cluster --redis " + redis.address() + " --key-prefix it:";
  command_result r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  do {
    r = ctl(args);
  } while (!contains(r.out, "2 nodes; 0 of 1024 tags held by none") &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "2 nodes; 0 of 1024 tags held by none")) << r.out;
  EXPECT_TRUE(contains(r.out, ordod->address())) << r.out;
  EXPECT_TRUE(contains(r.out, second.address())) << r.out;
  const auto json = ctl(args + " --json");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_TRUE(contains(json.out, "\"address\":\"" + second.address() + "\"")) << json.out;
  EXPECT_TRUE(contains(json.out, "\"unowned_tags\":0")) << json.out;
  const auto down = ctl_offline("cluster --redis 127.0.0.1:1");
  EXPECT_EQ(down.exit_code, 16);
  EXPECT_TRUE(contains(down.err, "cannot reach redis at 127.0.0.1:1")) << down.err;
}

TEST_F(ordoctl, membership_and_watch) {
  const auto customer = minted("customer", "alice");
  auto on = ctl("membership on --json --token " + customer);
  EXPECT_EQ(on.out, "{\"member\":true}\n");
  std::thread placer{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    ctl("place --line A:1:1000 --token " + customer);
  }};
  auto watched = ctl("watch --count 1 --json --token " + customer);
  placer.join();
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  EXPECT_NE(watched.out.find("\"status\":\"pending_payment\""), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("\"shipping_fee\":0"), std::string::npos) << watched.out;
}

TEST_F(ordoctl, a_misspelled_option_is_a_usage_error_and_places_nothing) {
  const auto customer = minted("customer", "alice");
  auto r = ctl("place --line B:1:100 --iden retry-1 --token " + customer);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "ordoctl: unknown option --iden\n")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage: ordoctl place --line SKU:QTY:PRICE")) << r.err;
  auto listed = ctl("list --token " + customer);
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, "(0 orders)")) << listed.out;
}

TEST_F(ordoctl, an_unknown_option_does_not_swallow_the_next_word) {
  auto r = ctl_offline("place --jsn --line A:1:100");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(contains(r.err, "unknown option --jsn")) << r.err;
  EXPECT_FALSE(contains(r.err, "needs at least one --line")) << r.err;
}

// Each command with what it needs and nothing wrong, so that only the appended word is.
const std::vector<std::string> well_formed_commands = {
  "token --role customer --subject a --auth-key k", "ping", "hello", "place --line A:1:100",
  "get X", "list", "cancel X", "ship X --tracking T", "deliver X", "return X", "refund X",
  "membership on", "watch", "stats"};

TEST_F(ordoctl, every_command_rejects_an_unknown_option_naming_it_and_its_usage) {
  for (const auto& command : well_formed_commands) {
    const auto name = command.substr(0, command.find(' '));
    for (const std::string extra : {"--bogus", "--bogus=1", "-x", "--json=yes"}) {
      auto r = ctl_offline(command + " " + extra);
      EXPECT_EQ(r.exit_code, 64) << command << " " << extra << ": " << r.err;
      EXPECT_TRUE(contains(r.err, extra.substr(0, extra.find('=')))) << command << ": " << r.err;
      EXPECT_TRUE(contains(r.err, "usage: ordoctl " + name)) << command << ": " << r.err;
    }
  }
}

TEST_F(ordoctl, every_command_rejects_a_stray_word_naming_it_and_its_usage) {
  for (const auto& command : well_formed_commands) {
    const auto name = command.substr(0, command.find(' '));
    auto r = ctl_offline(command + " stray");
    EXPECT_EQ(r.exit_code, 64) << command << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "unexpected argument 'stray'")) << command << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "usage: ordoctl " + name)) << command << ": " << r.err;
  }
}

TEST_F(ordoctl, an_option_of_another_command_is_a_usage_error) {
  for (const std::string args :
       {"ping --line A:1:1", "get X --idem k", "place --line A:1:1 --role customer",
        "token --role customer --subject a --auth-key k --target 127.0.0.1:1",
        "stats --target 127.0.0.1:1", "stats --token t", "ping --metrics 127.0.0.1:1"}) {
    auto r = ctl_offline(args);
    EXPECT_EQ(r.exit_code, 64) << args << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "does not take --")) << args << ": " << r.err;
  }
}

TEST_F(ordoctl, an_option_that_takes_a_value_refuses_a_missing_one) {
  for (const std::string args :
       {"place --line A:1:100 --idem", "place --line A:1:100 --idem= ",
        "place --idem --line A:1:100", "ping --target", "get X --token", "list --limit --json",
        "ship X --tracking", "token --role customer --subject a --auth-key", "ping --timeout",
        "stats --metrics", "stats --interval-ms --json"}) {
    auto r = ctl_offline(args);
    EXPECT_EQ(r.exit_code, 64) << args << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "needs a value")) << args << ": " << r.err;
  }
}

TEST_F(ordoctl, an_option_given_twice_is_a_usage_error) {
  auto r = ctl_offline("place --line A:1:100 --idem a --idem b");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_TRUE(contains(r.err, "--idem is given more than once")) << r.err;
}

TEST_F(ordoctl, a_target_that_is_not_host_port_is_a_usage_error) {
  auto r = ctl("list --target 17491");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_TRUE(contains(r.err, "--target must be HOST:PORT, got '17491'")) << r.err;
  auto from_env = run_command(std::string{"ORDO_TARGET=nowhere '"} + ORDOCTL_PATH + "' ping");
  EXPECT_EQ(from_env.exit_code, 64) << from_env.err;
  EXPECT_TRUE(contains(from_env.err, "ORDO_TARGET must be HOST:PORT, got 'nowhere'"))
    << from_env.err;
}

TEST_F(ordoctl, a_timeout_that_is_not_a_positive_number_is_a_usage_error) {
  for (const std::string value : {"0", "-5", "soon", "10s"}) {
    auto r = ctl_offline("ping --timeout=" + value);
    EXPECT_EQ(r.exit_code, 64) << value << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "--timeout takes")) << value << ": " << r.err;
  }
}

TEST_F(ordoctl, a_server_that_never_answers_times_out_stating_the_timeout_given) {
  silent_listener silent;
  const auto started = std::chrono::steady_clock::now();
  auto r = ctl_offline("ping --timeout=300 --target " + silent.address());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_EQ(r.err, "ordoctl: unavailable: no reply within 300 ms\n");
  EXPECT_LT(waited, std::chrono::seconds{8});
}

TEST_F(ordoctl, the_client_states_its_timeout_not_the_time_left) {
  silent_listener silent;
  auto c = client::connect("127.0.0.1", silent.port());
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto pong = c->call(ping_request{}, std::chrono::milliseconds{250});
  ASSERT_FALSE(pong.ok());
  EXPECT_EQ(pong.error().code, errc::unavailable);
  EXPECT_EQ(pong.error().message, "no reply within 250 ms");
}

TEST_F(ordoctl, help_documents_the_timeout_and_its_default) {
  auto r = ctl_offline("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "--timeout MS")) << r.out;
  EXPECT_TRUE(contains(r.out, "(default 10000)")) << r.out;
  auto ping_help = ctl_offline("ping --help");
  EXPECT_TRUE(contains(ping_help.out, "--timeout MS")) << ping_help.out;
}

TEST_F(ordoctl, a_timeout_long_enough_changes_nothing) {
  auto r = ctl("ping --timeout 5000");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

std::string metrics_address() {
  return "127.0.0.1:" + std::to_string(free_loopback_port());
}

// Counted in the interval: a rate times the interval is a whole number of requests.
double counted(const nlohmann::json& rate, const nlohmann::json& interval_s) {
  return rate.get<double>() * interval_s.get<double>();
}

TEST_F(ordoctl, stats_shows_the_nodes_figures_as_one_json_object) {
  const auto metrics = metrics_address();
  start_ordod({"--metrics=" + metrics});
  auto c = login("alice");
  constexpr int placed_before = 3;
  for (int i = 0; i < placed_before; ++i)
    place(c, {{"A", 1, 1000}}, "before-" + std::to_string(i));
  // More while stats runs, paced to span its interval; each lands before the first scrape,
  // between the two or after, which the test does not depend on.
  std::atomic<bool> stats_done{false};
  std::atomic<int> placed_during{0};
  std::thread placer{[&] {
    while (!stats_done && placed_during < 100) {
      place(c, {{"B", 1, 500}}, "during-" + std::to_string(placed_during));
      ++placed_during;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }};
  auto r = ctl("stats --json --interval-ms 500 --metrics " + metrics);
  stats_done = true;
  placer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["metrics"], metrics);
  EXPECT_TRUE(j["version"].is_string()) << r.out;
  EXPECT_GE(j["interval_s"].get<double>(), 0.5);
  EXPECT_GE(j["resident_orders"].get<double>(), placed_before) << r.out;
  EXPECT_GE(j["resident_sessions"].get<double>(), 1) << r.out;
  EXPECT_EQ(j["redis"]["up"], true) << r.out;
  EXPECT_GE(j["connections"].get<double>(), 1) << r.out;
  const auto places = counted(j["ops"]["place"]["requests_per_s"], j["interval_s"]);
  EXPECT_NEAR(places, std::round(places), 1e-6) << r.out;
  EXPECT_LE(std::round(places), placed_during.load()) << r.out;
  EXPECT_GE(j["requests_per_s"].get<double>(), j["ops"]["place"]["requests_per_s"].get<double>());
  EXPECT_EQ(j["ops"]["place"]["errors_per_s"], 0) << r.out;
  for (const char* key : {"p50_s", "p99_s"}) {
    const auto& p = j["ops"]["place"][key];
    EXPECT_TRUE(p.is_null() || p.get<double>() > 0) << key << ": " << r.out;
  }
  for (const char* key : {"in_flight", "parked_orders", "actor_restarts", "deadline_expiries",
                          "events_stream_length"})
    EXPECT_TRUE(j[key].is_number()) << key << ": " << r.out;
  EXPECT_TRUE(j["process"]["cpu_cores"].is_number()) << r.out;
  EXPECT_GT(j["process"]["resident_memory_bytes"].get<double>(), 0) << r.out;
  EXPECT_TRUE(j["payment_outcomes_per_s"]["authorized"].is_number()) << r.out;
}

TEST_F(ordoctl, stats_shows_the_nodes_figures_as_a_table) {
  const auto metrics = metrics_address();
  start_ordod({"--metrics=" + metrics});
  auto r = ctl("stats --interval-ms 200 --metrics " + metrics);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "metrics of " + metrics + " (ordod ")) << r.out;
  EXPECT_TRUE(contains(r.out, "\nredis      up ")) << r.out;
  EXPECT_TRUE(contains(r.out, "\nop ")) << r.out;
  EXPECT_TRUE(contains(r.out, "\nall ")) << r.out;
}

TEST_F(ordoctl, stats_of_an_address_nothing_listens_on_is_unavailable_naming_it) {
  const auto nobody = metrics_address();
  auto r = ctl_offline("stats --metrics " + nobody);
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ordoctl: unavailable: http://" + nobody +
                     "/metrics: cannot connect: Connection refused\n");
}

TEST_F(ordoctl, stats_of_a_server_that_never_answers_times_out_stating_the_timeout) {
  silent_listener silent;
  auto r = ctl_offline("stats --timeout 300 --metrics " + silent.address());
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_EQ(r.err, "ordoctl: unavailable: http://" + silent.address() +
                     "/metrics: no answer within 300 ms\n");
}

TEST_F(ordoctl, stats_checks_its_interval_and_address_before_anything_is_sent) {
  for (const std::string value : {"0", "-1", "600001", "soon"}) {
    auto r = ctl_offline("stats --interval-ms " + value);
    EXPECT_EQ(r.exit_code, 64) << value << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "--interval-ms takes milliseconds")) << r.err;
  }
  auto r = ctl_offline("stats --metrics 9464");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_TRUE(contains(r.err, "--metrics must be HOST:PORT, got '9464'")) << r.err;
  auto from_env = run_command(std::string{"ORDO_METRICS=nowhere '"} + ORDOCTL_PATH + "' stats");
  EXPECT_EQ(from_env.exit_code, 64) << from_env.err;
  EXPECT_TRUE(contains(from_env.err, "ORDO_METRICS must be HOST:PORT, got 'nowhere'"))
    << from_env.err;
}

TEST_F(ordoctl, stats_help_documents_its_options_defaults_keys_and_exit_codes) {
  auto r = ctl_offline("stats --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* part : {"--metrics HOST:PORT", "(default $ORDO_METRICS or 127.0.0.1:9464)",
                           "--interval-ms MS", "(default 1000)", "--timeout MS", "--json keys",
                           "resident_orders", "16 unavailable", "10 bad_request"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  EXPECT_FALSE(contains(r.out, "--target")) << r.out;
}

} // namespace
} // namespace ordo::test
