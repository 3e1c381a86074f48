#include "stats.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <set>
#include <utility>

namespace ordo::ctl {

namespace {

using series_filter = std::function<bool(const labels&)>;

// The outcomes of the metrics contract, shown even before a payment was answered.
constexpr const char* payment_outcomes[] = {"authorized", "declined", "timed_out"};

std::string label_of(const labels& l, const std::string& name) {
  const auto it = l.find(name);
  return it == l.end() ? std::string{} : it->second;
}

bool every_series(const labels&) {
  return true;
}

series_filter with(std::string name, std::string value) {
  return [name = std::move(name), value = std::move(value)](const labels& l) {
    return label_of(l, name) == value;
  };
}

series_filter both(series_filter a, series_filter b) {
  return [a = std::move(a), b = std::move(b)](const labels& l) { return a(l) && b(l); };
}

bool failed(const labels& l) {
  return label_of(l, "code") != "ok";
}

// Two scrapes and the time between them, asked for one figure at a time.
class interval {
 public:
  interval(const exposition& before, const exposition& after, double seconds)
      : after_(after)
      , seconds_(seconds) {
    for (const auto& s : before.samples)
      before_[{s.name, s.labels}] = s.value;
  }

  // Declared by a # TYPE line of the second scrape, or holding a sample in it.
  bool has(const std::string& family) const {
    const std::string names[] = {family, family + "_bucket", family + "_count", family + "_sum"};
    return after_.types.count(family) != 0 ||
           std::any_of(after_.samples.begin(), after_.samples.end(), [&](const sample& s) {
             return std::find(std::begin(names), std::end(names), s.name) != std::end(names);
           });
  }

  // The sum of the matching series as the second scrape found them.
  figure current(const std::string& name, const series_filter& match = every_series) const {
    return sum(name, match, [](const sample& s) { return s.value; });
  }

  figure increase(const std::string& name, const series_filter& match = every_series) const {
    return sum(name, match, [this](const sample& s) { return increase_of(s); });
  }

  figure rate(const std::string& name, const series_filter& match = every_series) const {
    const auto by = increase(name, match);
    return by ? figure{*by / seconds_} : std::nullopt;
  }

  figure quantile(double q, const std::string& histogram,
                  const series_filter& match = every_series) const {
    if (!has(histogram))
      return std::nullopt;
    std::map<double, double> by_le;
    for (const auto& s : after_.samples) {
      if (s.name != histogram + "_bucket" || !match(s.labels))
        continue;
      const auto le = parse_sample_value(label_of(s.labels, "le"));
      if (le && !std::isnan(*le))
        by_le[*le] += increase_of(s);
    }
    std::vector<bucket> buckets;
    for (const auto& [le, count] : by_le)
      buckets.push_back({le, count});
    return histogram_quantile(q, std::move(buckets));
  }

  // The mean observation of the interval.
  figure mean(const std::string& histogram) const {
    const auto sum = increase(histogram + "_sum");
    const auto count = increase(histogram + "_count");
    if (!sum || !count || *count <= 0)
      return std::nullopt;
    return *sum / *count;
  }

  std::set<std::string> label_values(const std::string& name, const std::string& label,
                                     const series_filter& match = every_series) const {
    std::set<std::string> values;
    for (const auto& s : after_.samples)
      if (s.name == name && match(s.labels) && s.labels.count(label) != 0)
        values.insert(s.labels.at(label));
    return values;
  }

 private:
  // A series missing from the first scrape was made during the interval, from zero.
  double increase_of(const sample& s) const {
    const auto it = before_.find({s.name, s.labels});
    const double was = it == before_.end() ? 0 : it->second;
    return s.value >= was ? s.value - was : s.value;
  }

  template <class Value>
  figure sum(const std::string& name, const series_filter& match, Value value) const {
    if (!has(name))
      return std::nullopt;
    double total = 0;
    for (const auto& s : after_.samples)
      if (s.name == name && match(s.labels))
        total += value(s);
    return total;
  }

  const exposition& after_;
  double seconds_;
  std::map<std::pair<std::string, labels>, double> before_;
};

op_figures figures_of_op(const interval& in, const std::string& op) {
  const auto of_op = with("op", op);
  op_figures f;
  f.requests_per_s = in.rate("ordo_requests_total", of_op);
  f.errors_per_s = in.rate("ordo_requests_total", both(of_op, failed));
  for (const auto& code : in.label_values("ordo_requests_total", "code", both(of_op, failed)))
    f.errors_per_s_by_code[code] =
        in.rate("ordo_requests_total", both(of_op, with("code", code))).value_or(0);
  f.p50_s = in.quantile(0.5, "ordo_request_duration_seconds", of_op);
  f.p99_s = in.quantile(0.99, "ordo_request_duration_seconds", of_op);
  return f;
}

void add_requests(const interval& in, node_stats& s) {
  s.requests_per_s = in.rate("ordo_requests_total");
  s.errors_per_s = in.rate("ordo_requests_total", failed);
  s.p50_s = in.quantile(0.5, "ordo_request_duration_seconds");
  s.p99_s = in.quantile(0.99, "ordo_request_duration_seconds");
  auto ops = in.label_values("ordo_requests_total", "op");
  ops.merge(in.label_values("ordo_request_duration_seconds_count", "op"));
  for (const auto& op : ops)
    s.ops[op] = figures_of_op(in, op);
  s.in_flight = in.current("ordo_requests_in_flight");
  s.connections = in.current("ordo_connections");
}

void add_redis(const interval& in, node_stats& s) {
  if (const auto up = in.current("ordo_redis_up"))
    s.redis_up = *up != 0;
  s.redis_round_trips_per_s = in.rate("ordo_redis_round_trips_total");
  s.redis_commands_per_round_trip = in.mean("ordo_redis_commands_per_round_trip");
  s.redis_commits_per_round_trip = in.mean("ordo_redis_commits_per_round_trip");
  s.redis_round_trip_p99_s = in.quantile(0.99, "ordo_redis_round_trip_duration_seconds");
  s.store_commit_p99_s =
      in.quantile(0.99, "ordo_store_request_duration_seconds", with("op", "commit"));
  s.commit_conflicts_per_s = in.rate("ordo_commit_conflicts_total");
}

void add_actors(const interval& in, node_stats& s) {
  s.resident_orders = in.current("ordo_resident_orders");
  s.parked_orders = in.current("ordo_parked_orders");
  s.resident_sessions = in.current("ordo_resident_sessions");
  s.actor_restarts = in.current("ordo_actor_restarts_total");
  s.passivations_per_s = in.rate("ordo_passivations_total");
  auto outcomes = in.label_values("ordo_payment_outcomes_total", "outcome");
  outcomes.insert(std::begin(payment_outcomes), std::end(payment_outcomes));
  for (const auto& outcome : outcomes)
    s.payment_outcomes_per_s[outcome] =
        in.rate("ordo_payment_outcomes_total", with("outcome", outcome));
  s.deadline_expiries = in.current("ordo_deadline_expiries_total");
  s.events_stream_length = in.current("ordo_events_stream_length");
}

std::optional<std::string> version_of(const exposition& e) {
  for (const auto& s : e.samples)
    if (s.name == "ordo_build_info" && s.labels.count("version") != 0)
      return s.labels.at("version");
  return std::nullopt;
}

} // namespace

figure histogram_quantile(double q, std::vector<bucket> buckets) {
  assert(q >= 0 && q <= 1);
  std::sort(buckets.begin(), buckets.end(),
            [](const bucket& a, const bucket& b) { return a.le < b.le; });
  if (buckets.size() < 2 || !std::isinf(buckets.back().le) || buckets.back().le < 0)
    return std::nullopt;
  // Buckets are cumulative; a scrape that caught them mid-update can make one dip below the
  // one before it, which Prometheus evens out the same way.
  for (std::size_t i = 1; i < buckets.size(); ++i)
    buckets[i].count = std::max(buckets[i].count, buckets[i - 1].count);
  const double observations = buckets.back().count;
  if (observations <= 0)
    return std::nullopt;
  double rank = q * observations;
  const auto b =
      static_cast<std::size_t>(std::find_if(buckets.begin(), buckets.end(),
                                            [rank](const bucket& x) { return x.count >= rank; }) -
                               buckets.begin());
  if (b == buckets.size() - 1)
    return buckets[b - 1].le;
  if (b == 0 && buckets[0].le <= 0)
    return buckets[0].le;
  double start = 0;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].le - start) * (rank / count);
}

node_stats compute_stats(const exposition& before, const exposition& after, double interval_s) {
  assert(interval_s > 0);
  const interval in{before, after, interval_s};
  node_stats s;
  s.interval_s = interval_s;
  s.version = version_of(after);
  add_requests(in, s);
  add_redis(in, s);
  add_actors(in, s);
  s.cpu_cores = in.rate("ordo_process_cpu_seconds_total");
  s.resident_memory_bytes = in.current("ordo_process_resident_memory_bytes");
  return s;
}

} // namespace ordo::ctl
