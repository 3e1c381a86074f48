// ordoctl stats' figures: what two scrapes of a node's /metrics, taken an interval apart,
// say about the node. Rates and latency quantiles cover the interval; gauges and totals are
// as the second scrape found them. Pure: the scrapes come in, figures come out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exposition.hpp"

namespace ordo::ctl {

// nullopt: no data, because the node does not export the family or, for a quantile or a
// mean, because nothing was observed in the interval.
using figure = std::optional<double>;

// The cumulative count of a histogram's bucket `le` (the last one is +Inf).
struct bucket {
  double le = 0;
  double count = 0;
};

// Prometheus' histogram_quantile(): the bucket holding the q-th observation, interpolated
// linearly inside it; the highest finite bound when that bucket is +Inf. No data without a
// +Inf bucket or without observations.
figure histogram_quantile(double q, std::vector<bucket> buckets);

struct op_figures {
  figure requests_per_s;
  figure errors_per_s;
  std::map<std::string, double> errors_per_s_by_code; // every code but ok that has a series
  figure p50_s;
  figure p99_s;
};

struct node_stats {
  double interval_s = 0;
  std::optional<std::string> version;
  figure requests_per_s;
  figure errors_per_s;
  figure p50_s;
  figure p99_s;
  std::map<std::string, op_figures> ops;
  figure in_flight;
  figure connections;
  figure resident_orders;
  figure parked_orders;
  figure resident_sessions;
  std::optional<bool> redis_up;
  figure redis_round_trips_per_s;
  figure redis_commands_per_round_trip;
  figure redis_commits_per_round_trip; // over the round trips that carried a commit
  figure redis_round_trip_p99_s;
  figure store_commit_p99_s;
  figure commit_conflicts_per_s;
  figure actor_restarts;
  figure passivations_per_s;
  std::map<std::string, figure> payment_outcomes_per_s;
  figure deadline_expiries;
  figure events_stream_length;
  figure cpu_cores;
  figure resident_memory_bytes;
};

// `interval_s` is the time between the two scrapes, > 0. A counter lower in `after` than in
// `before` was reset (the node restarted) and counts from zero, as Prometheus' rate() does.
node_stats compute_stats(const exposition& before, const exposition& after, double interval_s);

} // namespace ordo::ctl
