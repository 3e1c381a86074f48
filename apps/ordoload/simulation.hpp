// The simulated customers and operators: whole order lifecycles on a timetable (open loop,
// latency from the intended send time, free of coordinated omission) or with a fixed number
// in flight (closed loop), and a record of everything acknowledged for the verification.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "transport.hpp"

namespace ordo::load {

struct load_options {
  std::string scenario = "lifecycle"; // place | lifecycle | flash-sale
  std::size_t customers = 1'000;
  std::size_t operators = 4;
  double rate = 0;            // new orders per second (open loop); 0: closed loop
  std::size_t concurrency = 64; // orders in flight at once (closed loop)
  double duration_s = 10;
  std::uint64_t orders = 0;   // stop after this many orders instead (0: by duration)
  double warmup_s = 1;
  double member_share = 0.3;
  double cancel_share = 0.1;
  double partial_cancel_share = 0.1;
  double return_share = 0.2;
  double retry_share = 0.05;  // a place sent again with its idempotency key
  std::uint64_t seed = 1;
  std::string auth_key;
};

struct acknowledged_order {
  std::string customer;
  std::uint64_t version = 0;
  order_status status = order_status::pending_payment;
};

struct second_sample {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  histogram latency;
};

struct load_result {
  std::map<std::string, histogram> latency_by_op; // measured after the warm-up
  std::map<std::string, std::uint64_t> errors_by_code;
  std::uint64_t requests = 0;
  std::uint64_t orders_started = 0;
  std::uint64_t orders_finished = 0; // lifecycles that reached their last step
  double measured_s = 0;
  std::vector<second_sample> per_second;
  std::map<std::string, acknowledged_order> acked;              // by order id
  std::set<std::pair<std::string, std::uint64_t>> acked_events; // (order, version)
  std::set<std::size_t> customers_with_unsure_places;           // a place whose fate is unknown
  std::uint64_t retries = 0;
  std::uint64_t retry_mismatches = 0;
  std::uint64_t unavailable_retries = 0; // places sent again after unavailable, same key
  std::uint64_t connections_lost = 0;    // tcp: connections that dropped and were re-opened
};

// Ends the run early: no new order starts, those in flight finish, and the report covers
// what was measured. Safe to call from a signal handler.
void ask_to_stop();

// Runs the load; `progress` is called about once a second with a status line.
load_result run_load(transport& t, const load_options& opts,
                     const std::function<void(const std::string&)>& progress);

} // namespace ordo::load
