// ordoctl stats without a node: the exposition parser on canned text, histogram quantiles
// against figures worked out by hand, rates from two scrapes, missing families, the two
// renderings, and the HTTP answers it accepts or refuses.

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gtest/gtest.h>

#include "exposition.hpp"
#include "http_get.hpp"
#include "render_stats.hpp"
#include "stats.hpp"

namespace ordo::ctl {
namespace {

exposition parsed(std::string_view text) {
  auto e = parse_exposition(text);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
  return e.ok() ? *e : exposition{};
}

std::string parse_error(std::string_view text) {
  auto e = parse_exposition(text);
  EXPECT_FALSE(e.ok()) << text;
  if (e.ok())
    return {};
  EXPECT_EQ(e.error().code, errc::bad_request);
  return e.error().message;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// --- the parser ---

TEST(exposition, reads_names_labels_values_and_timestamps) {
  const auto e = parsed("# HELP ordo_requests_total Requests answered.\n"
                        "# TYPE ordo_requests_total counter\n"
                        "ordo_requests_total{op=\"place\",code=\"ok\"} 12 1700000000000\n"
                        "ordo_connections 3\n");
  ASSERT_EQ(e.samples.size(), 2u);
  EXPECT_EQ(e.samples[0].name, "ordo_requests_total");
  EXPECT_EQ(e.samples[0].labels, (labels{{"op", "place"}, {"code", "ok"}}));
  EXPECT_EQ(e.samples[0].value, 12);
  EXPECT_EQ(e.samples[1].name, "ordo_connections");
  EXPECT_TRUE(e.samples[1].labels.empty());
  EXPECT_EQ(e.samples[1].value, 3);
  EXPECT_EQ(e.types, (std::map<std::string, std::string>{{"ordo_requests_total", "counter"}}));
}

TEST(exposition, unescapes_backslash_quote_and_newline_in_label_values) {
  const auto e = parsed(R"(m{path="C:\\dir",say="\"hi\"",two="a\nb"} 1)");
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].labels.at("path"), "C:\\dir");
  EXPECT_EQ(e.samples[0].labels.at("say"), "\"hi\"");
  EXPECT_EQ(e.samples[0].labels.at("two"), "a\nb");
}

TEST(exposition, reads_infinities_nan_and_signed_exponents) {
  const auto e = parsed("a +Inf\nb -Inf\nc NaN\nd Nan\ne +1.5e3\nf -2.5E-4\n");
  ASSERT_EQ(e.samples.size(), 6u);
  EXPECT_EQ(e.samples[0].value, INFINITY);
  EXPECT_EQ(e.samples[1].value, -INFINITY);
  EXPECT_TRUE(std::isnan(e.samples[2].value));
  EXPECT_TRUE(std::isnan(e.samples[3].value)) << "prometheus-cpp writes NaN as Nan";
  EXPECT_EQ(e.samples[4].value, 1500);
  EXPECT_EQ(e.samples[5].value, -0.00025);
}

TEST(exposition, reads_a_histogram_as_prometheus_cpp_writes_it) {
  const auto e = parsed("# HELP ordo_redis_round_trip_duration_seconds From writing a batch.\n"
                        "# TYPE ordo_redis_round_trip_duration_seconds histogram\n"
                        "ordo_redis_round_trip_duration_seconds_count 7\n"
                        "ordo_redis_round_trip_duration_seconds_sum 0.0123\n"
                        "ordo_redis_round_trip_duration_seconds_bucket{le=\"0.0001\"} 1\n"
                        "ordo_redis_round_trip_duration_seconds_bucket{le=\"0.00025\"} 4\n"
                        "ordo_redis_round_trip_duration_seconds_bucket{le=\"+Inf\"} 7\n");
  ASSERT_EQ(e.samples.size(), 5u);
  EXPECT_EQ(e.types.at("ordo_redis_round_trip_duration_seconds"), "histogram");
  EXPECT_EQ(e.samples[2].labels.at("le"), "0.0001");
  EXPECT_EQ(e.samples[4].labels.at("le"), "+Inf");
  EXPECT_EQ(e.samples[4].value, 7);
}

TEST(exposition, skips_comments_blank_lines_and_takes_blanks_and_a_trailing_comma) {
  const auto e = parsed("\n# just a comment\n   \n\tx { a = \"1\" , } \t 2 \n# TYPE\n");
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].labels.at("a"), "1");
  EXPECT_EQ(e.samples[0].value, 2);
  EXPECT_TRUE(e.types.empty());
}

TEST(exposition, a_malformed_line_is_an_error_naming_its_number) {
  EXPECT_TRUE(starts_with(parse_error("ok 1\n# c\nbroken\n"), "line 3: expected a value"));
  EXPECT_TRUE(starts_with(parse_error("x one\n"), "line 1: not a number: 'one'"));
  EXPECT_TRUE(starts_with(parse_error("a 1\nx{a=\"1} 2\n"), "line 2: "));
  EXPECT_TRUE(starts_with(parse_error("x{a=\"\\t\"} 1\n"), "line 1: a label value may escape"));
  EXPECT_TRUE(starts_with(parse_error("x{a=1} 1\n"), "line 1: a label value must be"));
  EXPECT_TRUE(starts_with(parse_error("x{9a=\"1\"} 1\n"), "line 1: expected a label name"));
  EXPECT_TRUE(starts_with(parse_error("x{a=\"1\" b=\"2\"} 1\n"), "line 1: expected ','"));
  EXPECT_TRUE(starts_with(parse_error("x{a=\"1\",a=\"2\"} 1\n"), "line 1: label a is given twice"));
  EXPECT_TRUE(starts_with(parse_error("x 1 soon\n"), "line 1: not a timestamp"));
  EXPECT_TRUE(starts_with(parse_error("x 1 2 3\n"), "line 1: unexpected '3'"));
  EXPECT_TRUE(starts_with(parse_error("<html>\n"), "line 1: expected a metric name"));
  EXPECT_EQ(parse_error("x \x1b[2J\n"), "line 1: not a number: '?[2J'");
}

// --- quantiles ---

std::vector<bucket> buckets(std::vector<std::pair<double, double>> pairs) {
  std::vector<bucket> out;
  for (const auto& [le, count] : pairs)
    out.push_back({le, count});
  return out;
}

TEST(histogram_quantile, interpolates_linearly_inside_the_bucket_holding_the_rank) {
  // 10 observations up to 0.1, 20 in (0.1, 0.2], 10 in (0.2, 0.4].
  const auto b = buckets({{0.1, 10}, {0.2, 30}, {0.4, 40}, {INFINITY, 40}});
  // p50: rank 20 is the 10th of the 20 in (0.1, 0.2]: 0.1 + 0.1 * 10/20.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, b), 0.15);
  // p99: rank 39.6 is the 9.6th of the 10 in (0.2, 0.4]: 0.2 + 0.2 * 9.6/10.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, b), 0.392);
  // p10: rank 4 in the first bucket, which starts at 0: 0.1 * 4/10.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.1, b), 0.04);
}

TEST(histogram_quantile, takes_buckets_in_any_order) {
  const auto b = buckets({{INFINITY, 40}, {0.4, 40}, {0.1, 10}, {0.2, 30}});
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, b), 0.15);
}

TEST(histogram_quantile, a_rank_in_the_inf_bucket_is_the_highest_finite_bound) {
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, buckets({{0.1, 1}, {10, 2}, {INFINITY, 10}})), 10);
}

TEST(histogram_quantile, a_dip_between_cumulative_buckets_is_evened_out) {
  // The 0.2 bucket reads 5, below the 10 before it: taken as 10, as Prometheus does.
  const auto b = buckets({{0.1, 10}, {0.2, 5}, {0.4, 20}, {INFINITY, 20}});
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, b), 0.1);
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.75, b), 0.3);
}

TEST(histogram_quantile, no_observations_or_no_inf_bucket_is_no_data) {
  EXPECT_FALSE(histogram_quantile(0.5, buckets({{0.1, 0}, {INFINITY, 0}})));
  EXPECT_FALSE(histogram_quantile(0.5, buckets({{0.1, 3}, {0.2, 5}})));
  EXPECT_FALSE(histogram_quantile(0.5, buckets({{INFINITY, 5}})));
  EXPECT_FALSE(histogram_quantile(0.5, {}));
}

// --- figures from two scrapes ---

const char* requests_before = "ordo_requests_total{code=\"ok\",op=\"place\"} 10\n"
                              "ordo_requests_total{code=\"ok\",op=\"get\"} 4\n"
                              "ordo_requests_total{code=\"not_found\",op=\"get\"} 1\n"
                              "ordo_process_cpu_seconds_total 3\n"
                              "ordo_resident_orders 5\n"
                              "ordo_requests_in_flight 1\n";
// 2 s later: place +20 ok and +2 conflict (a series new since), get +4 ok and +2 not_found.
const char* requests_after = "ordo_requests_total{code=\"ok\",op=\"place\"} 30\n"
                             "ordo_requests_total{code=\"conflict\",op=\"place\"} 2\n"
                             "ordo_requests_total{code=\"ok\",op=\"get\"} 8\n"
                             "ordo_requests_total{code=\"not_found\",op=\"get\"} 3\n"
                             "ordo_process_cpu_seconds_total 4\n"
                             "ordo_resident_orders 7\n"
                             "ordo_requests_in_flight 0\n";

TEST(stats, request_rates_are_increases_over_the_interval_per_op_and_code) {
  const auto s = compute_stats(parsed(requests_before), parsed(requests_after), 2);
  EXPECT_DOUBLE_EQ(*s.requests_per_s, 14);
  EXPECT_DOUBLE_EQ(*s.errors_per_s, 2);
  ASSERT_EQ(s.ops.size(), 2u);
  EXPECT_DOUBLE_EQ(*s.ops.at("place").requests_per_s, 11);
  EXPECT_DOUBLE_EQ(*s.ops.at("place").errors_per_s, 1);
  EXPECT_EQ(s.ops.at("place").errors_per_s_by_code,
            (std::map<std::string, double>{{"conflict", 1}}));
  EXPECT_DOUBLE_EQ(*s.ops.at("get").requests_per_s, 3);
  EXPECT_EQ(s.ops.at("get").errors_per_s_by_code,
            (std::map<std::string, double>{{"not_found", 1}}));
}

TEST(stats, gauges_are_the_second_scrapes_and_cpu_is_cores_used) {
  const auto s = compute_stats(parsed(requests_before), parsed(requests_after), 2);
  EXPECT_EQ(s.resident_orders, 7);
  EXPECT_EQ(s.in_flight, 0);
  EXPECT_DOUBLE_EQ(*s.cpu_cores, 0.5);
  EXPECT_EQ(s.interval_s, 2);
}

TEST(stats, a_counter_lower_than_before_was_reset_and_counts_from_zero) {
  const auto s = compute_stats(parsed("ordo_commit_conflicts_total 100\n"),
                               parsed("ordo_commit_conflicts_total 6\n"), 2);
  EXPECT_DOUBLE_EQ(*s.commit_conflicts_per_s, 3);
}

TEST(stats, latency_quantiles_come_from_the_buckets_deltas) {
  // Before: 100 slow places in (0.01, 0.1]. In the interval: 10 in (0.001, 0.01], no get.
  const auto histogram = [](int fast, int slow, int gets) {
    std::ostringstream text;
    text << "# TYPE ordo_request_duration_seconds histogram\n";
    text << "ordo_request_duration_seconds_bucket{op=\"place\",le=\"0.001\"} 0\n"
         << "ordo_request_duration_seconds_bucket{op=\"place\",le=\"0.01\"} " << fast << "\n"
         << "ordo_request_duration_seconds_bucket{op=\"place\",le=\"0.1\"} " << fast + slow << "\n"
         << "ordo_request_duration_seconds_bucket{op=\"place\",le=\"+Inf\"} " << fast + slow << "\n"
         << "ordo_request_duration_seconds_count{op=\"place\"} " << fast + slow << "\n";
    text << "ordo_request_duration_seconds_bucket{op=\"get\",le=\"0.001\"} " << gets << "\n"
         << "ordo_request_duration_seconds_bucket{op=\"get\",le=\"+Inf\"} " << gets << "\n"
         << "ordo_request_duration_seconds_count{op=\"get\"} " << gets << "\n";
    return text.str();
  };
  const auto s = compute_stats(parsed(histogram(0, 100, 4)), parsed(histogram(10, 100, 4)), 1);
  // p50: rank 5 of the 10 in (0.001, 0.01]: 0.001 + 0.009 * 5/10.
  EXPECT_DOUBLE_EQ(*s.ops.at("place").p50_s, 0.0055);
  EXPECT_DOUBLE_EQ(*s.ops.at("place").p99_s, 0.001 + 0.009 * 0.99);
  EXPECT_DOUBLE_EQ(*s.p50_s, 0.0055);
  EXPECT_FALSE(s.ops.at("get").p50_s) << "no get in the interval: no latency to show";
  EXPECT_FALSE(s.ops.at("get").p99_s);
}

TEST(stats, redis_figures_are_means_and_rates_over_the_interval) {
  const auto redis = [](int trips, int commands, int commits, int committing, int up) {
    std::ostringstream text;
    text << "ordo_redis_round_trips_total " << trips << "\n"
         << "ordo_redis_commands_per_round_trip_sum " << commands << "\n"
         << "ordo_redis_commands_per_round_trip_count " << trips << "\n"
         << "ordo_redis_commits_per_round_trip_sum " << commits << "\n"
         << "ordo_redis_commits_per_round_trip_count " << committing << "\n"
         << "ordo_redis_up " << up << "\n";
    return text.str();
  };
  const auto s =
      compute_stats(parsed(redis(50, 100, 10, 10, 1)), parsed(redis(70, 160, 10, 10, 0)), 2);
  EXPECT_DOUBLE_EQ(*s.redis_round_trips_per_s, 10);
  EXPECT_DOUBLE_EQ(*s.redis_commands_per_round_trip, 3);
  EXPECT_FALSE(s.redis_commits_per_round_trip) << "no round trip carried a commit";
  EXPECT_EQ(s.redis_up, false);
}

TEST(stats, missing_families_are_no_data) {
  const auto only_build = parsed("ordo_build_info{version=\"0.1.0\"} 1\n");
  const auto s = compute_stats(only_build, only_build, 1);
  EXPECT_EQ(s.version, "0.1.0");
  EXPECT_FALSE(s.requests_per_s);
  EXPECT_FALSE(s.errors_per_s);
  EXPECT_FALSE(s.p99_s);
  EXPECT_TRUE(s.ops.empty());
  EXPECT_FALSE(s.redis_up);
  EXPECT_FALSE(s.redis_round_trip_p99_s);
  EXPECT_FALSE(s.store_commit_p99_s);
  EXPECT_FALSE(s.resident_orders);
  EXPECT_FALSE(s.cpu_cores);
  ASSERT_EQ(s.payment_outcomes_per_s.size(), 3u);
  for (const auto& [outcome, rate] : s.payment_outcomes_per_s)
    EXPECT_FALSE(rate) << outcome;
}

TEST(stats, a_family_present_without_matching_series_is_zero_not_missing) {
  const auto e = parsed("# TYPE ordo_commit_conflicts_total counter\n"
                        "ordo_requests_total{code=\"ok\",op=\"ping\"} 5\n");
  const auto s = compute_stats(e, e, 1);
  EXPECT_EQ(s.errors_per_s, 0);
  EXPECT_EQ(s.commit_conflicts_per_s, 0);
}

// --- rendering ---

node_stats sample_stats() {
  auto s = compute_stats(parsed(requests_before), parsed(requests_after), 2);
  s.version = "0.1.0";
  return s;
}

TEST(render_stats, json_is_one_object_with_numbers_and_nulls) {
  const auto text = stats_json(sample_stats(), "127.0.0.1:9464");
  ASSERT_EQ(text.back(), '\n');
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["metrics"], "127.0.0.1:9464");
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_EQ(j["interval_s"], 2);
  EXPECT_EQ(j["requests_per_s"], 14);
  EXPECT_EQ(j["ops"]["place"]["errors_per_s_by_code"]["conflict"], 1);
  EXPECT_TRUE(j["ops"]["place"]["p50_s"].is_null());
  EXPECT_EQ(j["resident_orders"], 7);
  EXPECT_EQ(j["process"]["cpu_cores"], 0.5);
  EXPECT_TRUE(j["process"]["resident_memory_bytes"].is_null());
  EXPECT_TRUE(j["redis"]["up"].is_null());
  EXPECT_TRUE(j["payment_outcomes_per_s"]["timed_out"].is_null());
  for (const char* key : {"errors_per_s", "p50_s", "p99_s", "in_flight", "connections",
                          "parked_orders", "resident_sessions", "store", "actor_restarts",
                          "passivations_per_s", "deadline_expiries", "events_stream_length"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(render_stats, json_escapes_what_the_node_put_in_labels) {
  auto s = sample_stats();
  s.version = "0.1\"x";
  const auto j = nlohmann::json::parse(stats_json(s, "h:1"));
  EXPECT_EQ(j["version"], "0.1\"x");
}

TEST(render_stats, the_table_shows_no_data_as_a_dash_and_fits_80_columns) {
  auto s = sample_stats();
  s.requests_per_s = 1234567.8;
  s.ops["subscribe"].p99_s = 9.5;
  s.ops["ship"].requests_per_s = 0;
  s.resident_memory_bytes = 3.5 * 1024 * 1024 * 1024;
  s.payment_outcomes_per_s = {
      {"authorized", 99999.9}, {"declined", 99999.9}, {"timed_out", 99999.9}};
  const auto table = stats_table(s, "[2001:db8::1]:9464");
  std::istringstream lines{table};
  for (std::string line; std::getline(lines, line);)
    EXPECT_LE(line.size(), 80u) << line;
  EXPECT_NE(table.find("place"), std::string::npos) << table;
  EXPECT_EQ(table.find("ship"), std::string::npos) << "no ship in the interval\n" << table;
  EXPECT_NE(table.find("  conflict"), std::string::npos) << table;
  EXPECT_NE(table.find("redis      -"), std::string::npos) << table;
  EXPECT_NE(table.find("3.50 GiB"), std::string::npos) << table;
  EXPECT_NE(table.find("9.50 s"), std::string::npos) << table;
}

// --- HTTP answers ---

TEST(http_body, a_200_is_its_content_length_bytes) {
  const auto body = http_body("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nabcdEXTRA");
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, "abcd");
  const auto to_close = http_body("HTTP/1.0 200 OK\r\n\r\nuntil the close");
  ASSERT_TRUE(to_close.ok());
  EXPECT_EQ(*to_close, "until the close");
}

TEST(http_body, another_status_is_unavailable_with_its_reason) {
  const auto body =
      http_body("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 9\r\n\r\nstarting\n");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, errc::unavailable);
  EXPECT_EQ(body.error().message, "answered 503 Service Unavailable: starting");
}

TEST(http_body, an_answer_cut_short_is_unavailable) {
  for (const char* answer :
       {"", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "HTTP/1.1 200 OK\r\nContent-"}) {
    const auto body = http_body(answer);
    ASSERT_FALSE(body.ok()) << answer;
    EXPECT_EQ(body.error().code, errc::unavailable) << answer;
  }
}

TEST(http_body, what_is_not_http_is_bad_request) {
  for (const char* answer :
       {"SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n"}) {
    const auto body = http_body(answer);
    ASSERT_FALSE(body.ok()) << answer;
    EXPECT_EQ(body.error().code, errc::bad_request) << answer;
    EXPECT_TRUE(starts_with(body.error().message, "not a usable HTTP answer"))
        << body.error().message;
  }
}

TEST(http_body, quotes_no_control_bytes_of_a_binary_answer) {
  const auto body = http_body(std::string_view{"\x00\x01\x1b[2Jrid\xff", 10});
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "not a usable HTTP answer: it begins '???[2Jrid?'");
}

} // namespace
} // namespace ordo::ctl
