#include "report.hpp"

#include <cstdio>
#include <sstream>

namespace ordo::load {

namespace {

std::string fixed(double value, int decimals = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string loop_text(const load_options& o) {
  if (o.scenario == "flash-sale")
    return "flash sale: every customer places once a second";
  if (o.rate > 0)
    return "open loop at " + fixed(o.rate, 0) + " orders/s";
  return "closed loop, " + std::to_string(o.concurrency) + " orders in flight";
}

} // namespace

std::string text_report(const run_description& d, const load_result& r, const verification& v) {
  std::ostringstream out;
  out << "ordoload: scenario " << d.opts.scenario << ", " << d.mode << " " << d.target << ", "
      << d.opts.customers << " customers, " << loop_text(d.opts) << ", " << fixed(r.measured_s)
      << " s measured after a " << fixed(d.opts.warmup_s) << " s warm-up\n\n";
  out << "throughput  " << fixed(static_cast<double>(r.requests) / r.measured_s, 0) << " requests/s, "
      << fixed(static_cast<double>(r.orders_started) / r.measured_s, 0) << " orders/s started, "
      << fixed(static_cast<double>(r.orders_finished) / r.measured_s, 0) << " orders/s completed\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-15s %9s %9s %9s %9s %9s %9s   (latency in us)\n", "op", "count",
                "p50", "p90", "p99", "p99.9", "max");
  out << line;
  for (const auto& [op, h] : r.latency_by_op) {
    std::snprintf(line, sizeof line, "%-15s %9llu %9lld %9lld %9lld %9lld %9lld\n", op.c_str(),
                  static_cast<unsigned long long>(h.count()), static_cast<long long>(h.percentile(50)),
                  static_cast<long long>(h.percentile(90)), static_cast<long long>(h.percentile(99)),
                  static_cast<long long>(h.percentile(99.9)), static_cast<long long>(h.max()));
    out << line;
  }
  out << "\nerrors      ";
  if (r.errors_by_code.empty())
    out << "none";
  for (const auto& [code, n] : r.errors_by_code)
    out << code << " " << n << "  ";
  out << "\nverified    " << r.acked.size() << " acknowledged orders read back through the engine";
  if (v.redis_checked)
    out << " and from redis; " << v.events_found << " acknowledged events in the stream; "
        << v.customers_counted << " customers' order counts";
  out << "; " << r.retries << " idempotent retries";
  if (r.unavailable_retries > 0 || r.connections_lost > 0)
    out << "; " << r.unavailable_retries << " places sent again after unavailable; "
        << r.connections_lost << " connections lost and re-opened";
  out << "\n";
  if (v.failures.empty()) {
    out << "verification passed\n";
  } else {
    out << "VERIFICATION FAILED (" << v.failures.size() << " problems), first ones:\n";
    for (std::size_t i = 0; i < v.failures.size() && i < 10; ++i)
      out << "  " << v.failures[i] << "\n";
  }
  return out.str();
}

std::string json_report(const run_description& d, const load_result& r, const verification& v) {
  std::ostringstream out;
  out << "{\"scenario\":\"" << d.opts.scenario << "\",\"mode\":\"" << d.mode << "\",\"target\":\""
      << escape(d.target) << "\",\"customers\":" << d.opts.customers << ",\"rate\":" << d.opts.rate
      << ",\"concurrency\":" << d.opts.concurrency << ",\"measured_s\":" << r.measured_s
      << ",\"requests\":" << r.requests
      << ",\"requests_per_s\":" << static_cast<double>(r.requests) / r.measured_s
      << ",\"orders_started\":" << r.orders_started << ",\"orders_finished\":" << r.orders_finished
      << ",\"orders_per_s\":" << static_cast<double>(r.orders_finished) / r.measured_s
      << ",\"latency_us\":{";
  bool first = true;
  for (const auto& [op, h] : r.latency_by_op) {
    out << (first ? "" : ",") << "\"" << op << "\":{\"count\":" << h.count()
        << ",\"p50\":" << h.percentile(50) << ",\"p90\":" << h.percentile(90)
        << ",\"p99\":" << h.percentile(99) << ",\"p99.9\":" << h.percentile(99.9)
        << ",\"max\":" << h.max() << "}";
    first = false;
  }
  out << "},\"errors\":{";
  first = true;
  for (const auto& [code, n] : r.errors_by_code) {
    out << (first ? "" : ",") << "\"" << code << "\":" << n;
    first = false;
  }
  out << "},\"verification\":{\"acknowledged_orders\":" << r.acked.size()
      << ",\"acknowledged_events\":" << r.acked_events.size() << ",\"events_found\":" << v.events_found
      << ",\"redis_checked\":" << (v.redis_checked ? "true" : "false") << ",\"retries\":" << r.retries
      << ",\"unavailable_retries\":" << r.unavailable_retries
      << ",\"connections_lost\":" << r.connections_lost
      << ",\"passed\":" << (v.failures.empty() ? "true" : "false") << ",\"failures\":[";
  for (std::size_t i = 0; i < v.failures.size() && i < 100; ++i)
    out << (i ? "," : "") << "\"" << escape(v.failures[i]) << "\"";
  out << "]}}\n";
  return out.str();
}

std::string csv_series(const load_result& r) {
  std::ostringstream out;
  out << "second,requests,errors,p50_us,p99_us,max_us\n";
  for (std::size_t s = 0; s < r.per_second.size(); ++s) {
    const auto& sample = r.per_second[s];
    out << s << "," << sample.requests << "," << sample.errors << "," << sample.latency.percentile(50)
        << "," << sample.latency.percentile(99) << "," << sample.latency.max() << "\n";
  }
  return out.str();
}

} // namespace ordo::load
