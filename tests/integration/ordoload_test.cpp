// ordoload as a user runs it: both modes end with a passing verification, an unreachable
// target is exit 3, and a verification that finds acknowledged writes missing is exit 1.

#include "gateway_fixture.hpp"

#include "support/process.hpp"

#include <fstream>

namespace ordo::test {
namespace {

// Output and errors together: the progress goes to stdout, failures to stderr.
command_result ordoload(const std::string& args) {
  auto r = run_command(std::string{"'"} + ORDOLOAD_PATH + "' " + args);
  r.out += r.err;
  return r;
}

using ordoload_cli = gateway_fixture;

TEST_F(ordoload_cli, a_tcp_lifecycle_run_reports_and_verifies) {
  start_ordod();
  const auto r = ordoload("--target " + ordod->address() + " --redis " + redis.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --customers 40 --duration 2 --warmup 0.5 --concurrency 16");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("place "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refund "), std::string::npos) << r.out;
  // A partial cancel that would make the shipping fee due is refused (invalid_state): the
  // random mix may ask for one. Any other error is a fault.
  const auto errors = r.out.substr(r.out.find("errors      "), 200);
  for (const char* code : {"bad_request", "unauthenticated", "forbidden", "not_found", "conflict",
                           "unavailable", "overloaded", "internal"})
    EXPECT_EQ(errors.find(code), std::string::npos) << errors;
}

TEST_F(ordoload_cli, customers_sharing_a_few_connections_switch_sessions_and_verify) {
  start_ordod();
  const auto json = ::testing::TempDir() + "/shared.json";
  const auto r = ordoload("--target " + ordod->address() + " --redis " + redis.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --customers 30 --connections 4 --duration 2 --warmup 0.2"
                          " --concurrency 16 --json " + json);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verification passed"), std::string::npos) << r.out;
  std::ifstream json_in{json};
  std::string json_text{std::istreambuf_iterator<char>{json_in}, {}};
  // Every request went under its own customer's session: one sent under another's would
  // have been not_found (another customer's order) or forbidden (an operator's op).
  const auto errors = json_text.substr(json_text.find("\"errors\""), 200);
  for (const char* code : {"not_found", "forbidden", "unauthenticated", "conflict", "internal"})
    EXPECT_EQ(errors.find(code), std::string::npos) << errors;
}

TEST_F(ordoload_cli, an_inproc_open_loop_run_verifies_and_writes_json_and_csv) {
  const auto json = ::testing::TempDir() + "/ordoload.json";
  const auto csv = ::testing::TempDir() + "/ordoload.csv";
  const auto r = ordoload("--mode inproc --redis " + redis.address() + " --auth-key k --scenario place"
                          " --customers 20 --rate 300 --duration 2 --warmup 0.2 --json " + json +
                          " --csv " + csv);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::ifstream json_in{json};
  std::string json_text{std::istreambuf_iterator<char>{json_in}, {}};
  EXPECT_NE(json_text.find("\"passed\":true"), std::string::npos) << json_text;
  std::ifstream csv_in{csv};
  std::string header;
  std::getline(csv_in, header);
  EXPECT_EQ(header, "second,requests,errors,p50_us,p99_us,max_us");
}

TEST_F(ordoload_cli, a_missing_acknowledged_write_fails_the_verification) {
  start_ordod();
  redis_server elsewhere; // holds none of the acknowledged writes
  const auto r = ordoload("--target " + ordod->address() + " --redis " + elsewhere.address() +
                          " --key-prefix it: --auth-key " + ordod_process::auth_key +
                          " --scenario place --customers 5 --orders 20 --warmup 0");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("VERIFICATION FAILED"), std::string::npos) << r.out;
}

TEST_F(ordoload_cli, an_unreachable_target_is_exit_3_naming_it) {
  const auto target = "127.0.0.1:" + std::to_string(free_loopback_port());
  const auto r = ordoload("--target " + target + " --auth-key k --customers 2 --duration 1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find(target), std::string::npos) << r.out;
}

TEST_F(ordoload_cli, help_and_usage_errors) {
  EXPECT_EQ(ordoload("--help").exit_code, 0);
  EXPECT_NE(ordoload("--help").out.find("--scenario S"), std::string::npos);
  EXPECT_EQ(ordoload("--auth-key k --scenario nope").exit_code, 2);
  EXPECT_EQ(ordoload("--target x").exit_code, 2);
  const auto unknown = ordoload("--auth-key k --connexions 3");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("unknown option --connexions"), std::string::npos) << unknown.out;
  EXPECT_EQ(ordoload("--auth-key k --mode inproc --redis 127.0.0.1:1 --connections 2").exit_code, 2);
}

} // namespace
} // namespace ordo::test
