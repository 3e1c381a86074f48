// ordoctl as a user runs it: tokens, every op, --json, --help, exit codes.

#include "gateway_fixture.hpp"

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
                          "deliver", "return", "refund", "membership", "watch"}) {
    auto r = ctl(std::string{cmd} + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find(std::string{"usage: ordoctl "} + cmd), std::string::npos) << r.out;
  }
  EXPECT_NE(ctl("--help").out.find("exit codes"), std::string::npos);
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

} // namespace
} // namespace ordo::test
