// ordod's configuration: flags, the config file, their precedence, help and the sample file.

#include <gtest/gtest.h>

#include <caf/settings.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "support/temp_file.hpp"
#include "runtime/config.hpp"

namespace ordo::runtime {
namespace {

const std::string sample_config = std::string{ORDO_SOURCE_DIR} + "/config/ordod.conf";

parse_result parse(config& cfg, std::vector<std::string> args) {
  args.insert(args.begin(), "ordod");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  return parse_command_line(cfg, static_cast<int>(argv.size()), argv.data());
}


std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(config, defaults_apply_when_only_the_auth_key_is_given) {
  config cfg;
  const auto parsed = parse(cfg, {"--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  options expected;
  expected.auth_key = "k";
  EXPECT_EQ(cfg.render_settings(), [&] {
    config defaults;
    defaults.opts.auth_key = "k";
    return defaults.render_settings();
  }());
  EXPECT_EQ(cfg.opts.listen, expected.listen);
  EXPECT_EQ(cfg.opts.max_frame_bytes, expected.max_frame_bytes);
}

TEST(config, every_flag_sets_its_option) {
  config cfg;
  const auto parsed = parse(
    cfg, {"--listen=127.0.0.1:9001", "--redis=127.0.0.1:9002", "--auth-key=secret",
          "--key-prefix=t1:", "--max-frame-bytes=2048", "--redis-timeout-ms=250",
          "--events-max-len=5000",
          "--payment-latency-ms=0", "--payment-decline-rate=0.25", "--payment-seed=7",
          "--payment-timeout-ms=500", "--passivate-after-ms=1000", "--max-resident-orders=10",
          "--scheduler-threads=3"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_EQ(cfg.opts.listen, "127.0.0.1:9001");
  EXPECT_EQ(cfg.opts.redis, "127.0.0.1:9002");
  EXPECT_EQ(cfg.opts.auth_key, "secret");
  EXPECT_EQ(cfg.opts.key_prefix, "t1:");
  EXPECT_EQ(cfg.opts.max_frame_bytes, 2048);
  EXPECT_EQ(cfg.opts.redis_timeout_ms, 250);
  EXPECT_EQ(cfg.opts.events_max_len, 5000);
  EXPECT_EQ(cfg.opts.payment_latency_ms, 0);
  EXPECT_DOUBLE_EQ(cfg.opts.payment_decline_rate, 0.25);
  EXPECT_EQ(cfg.opts.payment_seed, 7);
  EXPECT_EQ(cfg.opts.payment_timeout_ms, 500);
  EXPECT_EQ(cfg.opts.passivate_after_ms, 1000);
  EXPECT_EQ(cfg.opts.max_resident_orders, 10);
  EXPECT_EQ(cfg.opts.scheduler_threads, 3);
  EXPECT_EQ(caf::get_or(cfg, "scheduler.max-threads", std::size_t{0}), 3u);
}

TEST(config, sample_file_loads_and_states_every_default) {
  config from_sample;
  const auto parsed = parse(from_sample, {"--config=" + sample_config, "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  config defaults;
  defaults.opts.auth_key = "k";
  EXPECT_EQ(from_sample.render_settings(), defaults.render_settings());
  const auto text = read_file(sample_config);
  for (const auto& doc : defaults.documented_options()) {
    const auto line = "\n" + doc.name + " = ";
    const auto commented = "\n; " + doc.name + " = ";
    EXPECT_TRUE(text.find(line) != std::string::npos || text.find(commented) != std::string::npos)
      << "config/ordod.conf does not mention " << doc.name;
  }
}

TEST(config, flags_override_the_file) {
  test::temp_file file{"listen = \"127.0.0.1:9000\"\nredis-timeout-ms = 200\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config", file.path(), "--listen=127.0.0.1:9001",
                                  "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_EQ(cfg.opts.listen, "127.0.0.1:9001");
  EXPECT_EQ(cfg.opts.redis_timeout_ms, 200);
}

TEST(config, a_missing_config_file_is_a_clear_error) {
  config cfg;
  const auto parsed = parse(cfg, {"--config=/nonexistent/ordod.conf", "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_NE(parsed.message.find("cannot read config file '/nonexistent/ordod.conf'"),
            std::string::npos);
}

TEST(config, a_syntax_error_in_the_file_says_where_on_the_line) {
  test::temp_file file{"; a comment\nlisten = \n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message.rfind(file.path() + ":2:10: ", 0), 0u) << parsed.message;
}

TEST(config, an_ill_typed_value_in_the_file_names_the_file_the_line_and_the_option) {
  test::temp_file file{"listen = \"127.0.0.1:9000\"\nmax-in-flight = \"lots\"\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message, file.path() + ":2: max-in-flight must be an integer, got \"lots\"");
}

TEST(config, an_unknown_key_in_the_file_is_an_error_with_a_suggestion) {
  test::temp_file file{"; comment\n\nmax-inflight = 5\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message,
            file.path() + ":3: unknown option 'max-inflight'; did you mean 'max-in-flight'?");
}

TEST(config, every_problem_in_the_file_is_reported) {
  test::temp_file file{"max-in-flight = \"lots\"\nredis-timeout-ms = 1.5\nlisen = \"x\"\n"
                 "[scheduler]\nmax-thread = 2\nmax-threads = -1\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  const auto& p = file.path();
  EXPECT_EQ(
      parsed.message,
      p + ":1: max-in-flight must be an integer, got \"lots\"\n" + p +
          ":2: redis-timeout-ms must be an integer, got 1.5\n" + p +
          ":3: unknown option 'lisen'; did you mean 'listen'?\n" + p +
          ":5: unknown option 'scheduler.max-thread'; did you mean 'scheduler.max-threads'?\n" + p +
          ":6: scheduler.max-threads must be of type uint64, got -1");
}

TEST(config, a_syntax_error_says_how_to_fix_it_after_the_problems_before_it) {
  test::temp_file file{"max-in-flight = \"lots\"\nredis = 127.0.0.1:6379 ; comment\nlisten = \"x\"\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message, file.path() + ":1: max-in-flight must be an integer, got \"lots\"\n" +
                                file.path() +
                                ":2:14: unexpected character '.'; quote string values, e.g. "
                                "redis = \"127.0.0.1:6379\"");
}

TEST(config, syntax_errors_are_explained_in_plain_words) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"listen = \"127.0.0.1:7400\nredis = \"x\"\n",
       ":1:25: unexpected end of line; close the string with \" on the same line"},
      {"scheduler.max-threads = 2\n",
       ":1:10: unexpected character '.'; a key has no '.': write [scheduler] on a line of its "
       "own and max-threads = 2 below it"},
      {"max-in-flight = 5, listen = \"x\"\n",
       ":1:18: unexpected character ','; write one key = value per line"},
      {"scheduler {\n  max-threads = 2\n",
       ":3:1: unexpected end of file; close every {, [ and \" that the file opens"},
      {"key-prefix = \"a\\qb\"\n",
       ":1:17: invalid escape sequence; inside quotes write \\\\ for \\ and \\\" for \""},
  };
  for (const auto& [text, expected] : cases) {
    test::temp_file file{text};
    config cfg;
    const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
    EXPECT_EQ(parsed.outcome, parse_outcome::failed) << text;
    EXPECT_EQ(parsed.message, file.path() + expected) << text;
  }
}

TEST(config, sections_blocks_and_cafs_own_options_stay_accepted) {
  test::temp_file file{"; ordod's options\n[global]\nmax-in-flight = 5 ; inline comment\n"
                 "global {\n  auth-timeout-ms = 700\n}\n"
                 "scheduler {\n  max-throughput = 10\n}\n"
                 "[work-stealing]\nmoderate-poll-attempts = 3\n"
                 "[middleman]\napp-identifiers = [\"a\", \"b\"]\n"
                 "[global]\nlisten = \"127.0.0.1:9005\"\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_EQ(cfg.opts.max_in_flight, 5);
  EXPECT_EQ(cfg.opts.auth_timeout_ms, 700);
  EXPECT_EQ(cfg.opts.listen, "127.0.0.1:9005");
  EXPECT_EQ(caf::get_or(cfg, "scheduler.max-throughput", std::size_t{0}), 10u);
  EXPECT_EQ(caf::get_or(cfg, "work-stealing.moderate-poll-attempts", std::size_t{0}), 3u);
  EXPECT_EQ(caf::get_or(cfg, "middleman.app-identifiers", std::vector<std::string>{}),
            (std::vector<std::string>{"a", "b"}));
}

TEST(config, a_whole_number_is_a_valid_fraction) {
  test::temp_file file{"payment-decline-rate = 1\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_DOUBLE_EQ(cfg.opts.payment_decline_rate, 1.0);
}

TEST(config, a_string_in_single_quotes_is_an_ill_typed_value_with_a_hint) {
  test::temp_file file{"key-prefix = 'ordo'\n"};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message, file.path() + ":1: key-prefix must be a string, got 'ordo' "
                                          "(strings take double quotes)");
}

TEST(config, an_empty_file_changes_nothing) {
  test::temp_file file{""};
  config cfg;
  const auto parsed = parse(cfg, {"--config=" + file.path(), "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_EQ(cfg.opts.max_in_flight, options{}.max_in_flight);
}

TEST(config, an_unknown_flag_is_an_error_naming_it) {
  config cfg;
  const auto parsed = parse(cfg, {"--auth-key=k", "--lisen=127.0.0.1:1"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_EQ(parsed.message, "unknown option --lisen=127.0.0.1:1");
}

TEST(config, an_ill_typed_flag_is_an_error) {
  config cfg;
  const auto parsed = parse(cfg, {"--auth-key=k", "--max-frame-bytes=lots"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_NE(parsed.message.find("max-frame-bytes"), std::string::npos) << parsed.message;
}

TEST(config, a_stray_argument_is_an_error) {
  config cfg;
  const auto parsed = parse(cfg, {"--auth-key=k", "serve"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_NE(parsed.message.find("'serve'"), std::string::npos) << parsed.message;
}

TEST(config, invalid_values_fail_validation_with_every_problem) {
  config cfg;
  const auto parsed = parse(cfg, {"--listen=nowhere", "--redis-timeout-ms=0"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_NE(parsed.message.find("listen must be HOST:PORT"), std::string::npos);
  EXPECT_NE(parsed.message.find("redis-timeout-ms"), std::string::npos);
  EXPECT_NE(parsed.message.find("auth-key is required"), std::string::npos);
}

TEST(config, help_lists_every_option_with_its_default) {
  config cfg;
  const auto help = cfg.help_text("ordod");
  EXPECT_NE(help.find("--config=FILE"), std::string::npos);
  for (const auto& doc : cfg.documented_options()) {
    EXPECT_NE(help.find("--" + doc.name + "=<" + doc.type + ">"), std::string::npos) << doc.name;
    EXPECT_NE(help.find("(default: " + doc.default_value + ")"), std::string::npos) << doc.name;
  }
  EXPECT_NE(help.find("(default: 127.0.0.1:7400)"), std::string::npos);
  EXPECT_NE(help.find("(default: 1048576)"), std::string::npos);
  EXPECT_EQ(cfg.documented_options().size(), 25u);
}

TEST(config, metrics_are_off_by_default_and_their_address_is_checked) {
  config off;
  ASSERT_EQ(parse(off, {"--auth-key=k"}).outcome, parse_outcome::run);
  EXPECT_TRUE(off.opts.metrics.empty());
  config on;
  ASSERT_EQ(parse(on, {"--auth-key=k", "--metrics=127.0.0.1:9464"}).outcome, parse_outcome::run);
  EXPECT_EQ(on.opts.metrics, "127.0.0.1:9464");
  config bad;
  const auto parsed = parse(bad, {"--auth-key=k", "--metrics=9464"});
  EXPECT_EQ(parsed.outcome, parse_outcome::failed);
  EXPECT_NE(parsed.message.find("metrics must be HOST:PORT"), std::string::npos) << parsed.message;
}

TEST(config, rendered_settings_redact_the_auth_key) {
  config cfg;
  cfg.opts.auth_key = "top-secret";
  const auto text = cfg.render_settings();
  EXPECT_EQ(text.find("top-secret"), std::string::npos);
  EXPECT_NE(text.find("auth-key = \"<redacted>\""), std::string::npos);
}

TEST(config, rendered_settings_read_back_as_a_config_file) {
  config original;
  ASSERT_EQ(parse(original, {"--auth-key=k", "--key-prefix=a\"b", "--payment-decline-rate=0.5"})
              .outcome,
            parse_outcome::run);
  test::temp_file file{original.render_settings()};
  config reread;
  const auto parsed = parse(reread, {"--config=" + file.path(), "--auth-key=k"});
  ASSERT_EQ(parsed.outcome, parse_outcome::run) << parsed.message;
  EXPECT_EQ(reread.opts.key_prefix, "a\"b");
  EXPECT_DOUBLE_EQ(reread.opts.payment_decline_rate, 0.5);
}

} // namespace
} // namespace ordo::runtime
