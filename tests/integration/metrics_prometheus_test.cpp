// ordod's --metrics endpoint as operators use it: a real Prometheus scrapes a real ordod, the
// Grafana dashboard's queries run on that Prometheus against what ordod exports, and the
// sample scrape config and the exposition pass Prometheus' own promtool.

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "gateway_fixture.hpp"
#include "support/http_get.hpp"
#include "support/process.hpp"
#include "support/prometheus_server.hpp"
#include "support/temp_file.hpp"

namespace ordo::test {
namespace {

using namespace std::chrono_literals;

constexpr int placed_orders = 5;

class metrics_prometheus : public gateway_fixture {
 protected:
  // The port is chosen as ordod_process chooses --listen's (ordod refuses port 0 for
  // --metrics); the address used is the one ordod logs as bound.
  void start_ordod_with_metrics() {
    metrics_port = free_loopback_port();
    const auto requested = "127.0.0.1:" + std::to_string(metrics_port);
    start_ordod({"--metrics=" + requested});
    const std::string marker = "event=metrics_listening addr=";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (metrics_address.empty() && std::chrono::steady_clock::now() < deadline) {
      const auto log = ordod->log();
      if (const auto at = log.find(marker); at != std::string::npos) {
        const auto start = at + marker.size();
        metrics_address = log.substr(start, log.find_first_of(" \n", start) - start);
      } else {
        std::this_thread::sleep_for(20ms);
      }
    }
    ASSERT_EQ(metrics_address, requested) << "no '" << marker << requested << "' in ordod's log:\n"
                                          << ordod->log();
  }

  // Traffic through the engine, so that what is exported is a working node's, not zeros.
  void place_orders() {
    auto c = login("alice");
    for (int i = 0; i < placed_orders; ++i)
      place(c, {{"A", 1, 1000}}, "metrics-" + std::to_string(i));
  }

  std::string exposition() {
    const auto got = http_get(metrics_port, "/metrics");
    EXPECT_TRUE(got && got->status == 200) << "GET /metrics from " << metrics_address;
    return got ? got->body : std::string{};
  }

  std::uint16_t metrics_port = 0;
  std::string metrics_address;
};

std::string read_source_file(const std::string& relative) {
  std::ifstream in{std::string{ORDO_SOURCE_DIR} + "/" + relative};
  EXPECT_TRUE(in) << "cannot read " << relative;
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// Every string under `key`, anywhere in `doc`.
void collect(const nlohmann::json& doc, const std::string& key, std::vector<std::string>& out) {
  if (doc.is_object()) {
    for (const auto& [k, v] : doc.items()) {
      if (k == key && v.is_string())
        out.push_back(v.get<std::string>());
      else
        collect(v, key, out);
    }
  } else if (doc.is_array()) {
    for (const auto& v : doc)
      collect(v, key, out);
  }
}

// What Grafana would send: its interval macros become a duration and every template
// variable a match-all regex (the dashboard uses variables only in =~ matchers).
std::string as_promql(const std::string& grafana_expr) {
  static const std::regex interval{R"(\$__(rate_interval|interval|range)\b)"};
  static const std::regex variable{R"(\$\{[A-Za-z0-9_]+(:[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*)"};
  return std::regex_replace(std::regex_replace(grafana_expr, interval, "1m"), variable, ".*");
}

std::set<std::string> ordo_names_in(const std::string& text) {
  static const std::regex name{R"(\bordo_[a-z0-9_]+)"};
  std::set<std::string> names;
  for (std::sregex_iterator it{text.begin(), text.end(), name}, end; it != end; ++it)
    names.insert(it->str());
  return names;
}

// The names of the samples in an exposition: a histogram's _bucket, _sum and _count, the
// others' own name. A family whose label sets are made on first use has no samples (and
// no name here) until then.
std::set<std::string> sample_names(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream lines{exposition};
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#')
      names.insert(line.substr(0, line.find_first_of("{ ")));
  return names;
}

TEST_F(metrics_prometheus, prometheus_scrapes_ordod_and_counts_the_placed_orders) {
  ASSERT_NO_FATAL_FAILURE(start_ordod_with_metrics());
  prometheus_server prometheus{{metrics_address}};
  place_orders();

  const auto up = "up{job=\"" + prometheus.job() + "\",instance=\"" + metrics_address + "\"}";
  EXPECT_TRUE(prometheus.wait_for(up, [](const auto& r) { return first_value(r) == 1.0; }))
      << prometheus.query(up).dump() << "\nPrometheus' log:\n"
      << prometheus.log_tail();

  const std::string placed = R"(sum(ordo_requests_total{op="place",code="ok"}))";
  EXPECT_TRUE(prometheus.wait_for(placed, [](const auto& r) {
    return first_value(r).value_or(0) >= placed_orders;
  })) << prometheus.query(placed).dump();
  EXPECT_EQ(first_value(prometheus.query(placed)["data"]["result"]), placed_orders);
}

TEST_F(metrics_prometheus, every_dashboard_query_parses_and_names_only_exported_families) {
  ASSERT_NO_FATAL_FAILURE(start_ordod_with_metrics());
  prometheus_server prometheus{{metrics_address}};
  place_orders();
  const auto exported = sample_names(exposition());

  const auto dashboard =
      nlohmann::json::parse(read_source_file("config/grafana/ordo-dashboard.json"));
  std::vector<std::string> exprs;
  collect(dashboard, "expr", exprs);
  // Guards against a walk that finds nothing and so checks nothing.
  ASSERT_GE(exprs.size(), 10u);
  for (const auto& expr : exprs) {
    const auto answer = prometheus.query(as_promql(expr));
    EXPECT_EQ(answer.value("status", ""), "success")
        << expr << "\nsent as: " << as_promql(expr) << "\n"
        << answer.dump();
    for (const auto& name : ordo_names_in(expr))
      EXPECT_TRUE(exported.count(name)) << name << " (in " << expr << ") is not in /metrics";
  }

  // The template variables' label_values(METRIC, LABEL) are Grafana's, not PromQL.
  std::vector<std::string> variable_queries;
  collect(dashboard, "definition", variable_queries);
  ASSERT_FALSE(variable_queries.empty());
  for (const auto& query : variable_queries)
    for (const auto& name : ordo_names_in(query))
      EXPECT_TRUE(exported.count(name)) << name << " (in " << query << ") is not in /metrics";
}

TEST(metrics_prometheus_config, the_sample_scrape_config_passes_promtool) {
  const auto checked = run_command(std::string{"promtool check config '"} + ORDO_SOURCE_DIR +
                                   "/config/prometheus.yml'");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

// promtool exits 1 when the exposition does not parse and 3 when its linter objects (one
// line per problem: a counter without _total, a missing HELP, a unit not in base units or
// abbreviated). The contract's names were chosen to follow those conventions, so every
// lint line is a defect in what ordod exports, not noise: any exit but 0, and any output at
// all, fails the test.
TEST_F(metrics_prometheus, the_exposition_passes_promtool_check_metrics) {
  ASSERT_NO_FATAL_FAILURE(start_ordod_with_metrics());
  place_orders();
  const temp_file body{exposition()};
  const auto checked = run_command("promtool check metrics < '" + body.path() + "'");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(checked.out + checked.err, "");
}

} // namespace
} // namespace ordo::test
