// ordod's command line as a user meets it: --help on stdout, exit codes, one-line errors.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "support/temp_file.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace {

using run_result = ordo::test::command_result;

run_result run_ordod(const std::string& args) {
  return ordo::test::run_command(std::string{"'"} + ORDOD_PATH + "' " + args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}


TEST(ordod_cli, help_goes_to_stdout_and_exits_0) {
  const auto r = run_ordod("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "usage: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "--listen=<string>")) << r.out;
  EXPECT_TRUE(contains(r.out, "(default: 127.0.0.1:7400)")) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(ordod_cli, print_config_shows_the_effective_settings_and_exits_0) {
  const auto r = run_ordod(std::string{"--config="} + ORDO_SOURCE_DIR +
                           "/config/ordod.conf --auth-key=s3cret --key-prefix=demo: --print-config");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "key-prefix = \"demo:\"\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "auth-key = \"<redacted>\"\n")) << r.out;
  EXPECT_FALSE(contains(r.out + r.err, "s3cret"));
}

TEST(ordod_cli, an_unreachable_redis_exits_1_with_a_message_naming_it) {
  const auto address = "127.0.0.1:" + std::to_string(ordo::test::free_loopback_port());
  const auto r = run_ordod("--auth-key=k --redis=" + address);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "ordod: cannot reach redis at " + address)) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ordod_cli, unknown_flag_exits_2_with_a_message_on_stderr) {
  const auto r = run_ordod("--auth-key=k --bogus=1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ordod: unknown option --bogus=1\n");
}

TEST(ordod_cli, an_ill_typed_value_exits_2_naming_it) {
  const auto r = run_ordod("--auth-key=k --max-frame-bytes=lots");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ordod: invalid value in --max-frame-bytes=lots\n");
}

TEST(ordod_cli, a_config_file_with_problems_exits_2_with_one_line_for_each) {
  const ordo::test::temp_file file{"; two mistakes\nmax-in-flight = \"lots\"\nmax-inflight = 5\n"};
  const auto r = run_ordod("--auth-key=k --print-config --config=" + file.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ordod: " + file.path() +
                       ":2: max-in-flight must be an integer, got \"lots\"\n" +
                       "ordod: " + file.path() +
                       ":3: unknown option 'max-inflight'; did you mean 'max-in-flight'?\n");
}

TEST(ordod_cli, a_config_file_syntax_error_exits_2_saying_where_and_how_to_fix_it) {
  const ordo::test::temp_file file{"; the address is not quoted\nlisten = 127.0.0.1:7400\n"};
  const auto r = run_ordod("--auth-key=k --config " + file.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ordod: " + file.path() +
                       ":2:15: unexpected character '.'; quote string values, e.g. "
                       "listen = \"127.0.0.1:7400\"\n");
}

TEST(ordod_cli, missing_auth_key_exits_2_and_says_so) {
  const auto r = run_ordod("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "ordod: auth-key is required")) << r.err;
}

} // namespace
