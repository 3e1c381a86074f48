#include "render_stats.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "render.hpp"

namespace ordo::ctl {

namespace {

constexpr const char* no_data = "-";
constexpr double mib = 1024.0 * 1024.0;

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string shown(const figure& f, const char* format) {
  return f ? printed(format, *f) : no_data;
}

std::string per_s(const figure& f) {
  return shown(f, "%.1f/s");
}

std::string count(const figure& f) {
  return shown(f, "%.0f");
}

// Three significant figures or so, from microseconds to seconds.
std::string duration(const figure& f) {
  if (!f)
    return no_data;
  const double ms = *f * 1000;
  if (ms < 10)
    return printed("%.2f ms", ms);
  if (ms < 1000)
    return printed("%.1f ms", ms);
  return printed("%.2f s", *f);
}

std::string right(const std::string& text, std::size_t width) {
  return text.size() >= width ? " " + text : std::string(width - text.size(), ' ') + text;
}

std::string left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

constexpr std::size_t label_width = 11;
constexpr std::size_t op_width = 16;
constexpr std::size_t column_width = 11;

std::string op_row(const std::string& name, const figure& requests, const figure& errors,
                   const figure& p50, const figure& p99) {
  return left(name, op_width) + right(shown(requests, "%.1f"), column_width) +
         right(shown(errors, "%.1f"), column_width) + right(duration(p50), column_width) +
         right(duration(p99), column_width) + "\n";
}

// ordod exports every op from the start; the table shows those that were used.
bool had_requests(const op_figures& f) {
  return f.requests_per_s.value_or(0) > 0 || f.p99_s;
}

std::string ops_table(const node_stats& s) {
  std::string out = left("op", op_width) + right("req/s", column_width) +
                    right("err/s", column_width) + right("p50", column_width) +
                    right("p99", column_width) + "\n";
  for (const auto& [op, f] : s.ops) {
    if (!had_requests(f))
      continue;
    out += op_row(op, f.requests_per_s, f.errors_per_s, f.p50_s, f.p99_s);
    for (const auto& [code, rate] : f.errors_per_s_by_code)
      if (rate > 0)
        out += left("  " + code, op_width + column_width) +
               right(printed("%.1f", rate), column_width) + "\n";
  }
  return out + op_row("all", s.requests_per_s, s.errors_per_s, s.p50_s, s.p99_s);
}

std::string redis_state(const std::optional<bool>& up) {
  return up ? (*up ? "up" : "DOWN") : no_data;
}

std::string payments(const node_stats& s) {
  std::string out;
  for (const auto& [outcome, rate] : s.payment_outcomes_per_s)
    out += (out.empty() ? "" : "   ") + outcome + " " + per_s(rate);
  return out;
}

std::string memory(const figure& bytes) {
  if (!bytes)
    return no_data;
  return *bytes >= 1024 * mib ? printed("%.2f GiB", *bytes / (1024 * mib))
                              : printed("%.1f MiB", *bytes / mib);
}

std::string number(const figure& f) {
  if (!f || !std::isfinite(*f))
    return "null";
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, *f);
  return ec == std::errc{} ? std::string(text, end) : "null";
}

// Builds one JSON object; values come already encoded.
class json_object {
 public:
  json_object& add(const std::string& key, const std::string& encoded) {
    out_ += (out_.empty() ? "{" : ",") + json_string(key) + ":" + encoded;
    return *this;
  }
  json_object& add(const std::string& key, const figure& f) { return add(key, number(f)); }
  std::string str() const { return out_.empty() ? "{}" : out_ + "}"; }

 private:
  std::string out_;
};

std::string op_json(const op_figures& f) {
  json_object codes;
  for (const auto& [code, rate] : f.errors_per_s_by_code)
    codes.add(code, figure{rate});
  return json_object{}
      .add("requests_per_s", f.requests_per_s)
      .add("errors_per_s", f.errors_per_s)
      .add("errors_per_s_by_code", codes.str())
      .add("p50_s", f.p50_s)
      .add("p99_s", f.p99_s)
      .str();
}

std::string redis_json(const node_stats& s) {
  return json_object{}
      .add("up", s.redis_up ? (*s.redis_up ? "true" : "false") : "null")
      .add("round_trips_per_s", s.redis_round_trips_per_s)
      .add("commands_per_round_trip", s.redis_commands_per_round_trip)
      .add("commits_per_round_trip", s.redis_commits_per_round_trip)
      .add("round_trip_p99_s", s.redis_round_trip_p99_s)
      .str();
}

} // namespace

std::string stats_table(const node_stats& s, const std::string& address) {
  std::ostringstream out;
  out << "metrics of " << address << " (ordod " << s.version.value_or(no_data) << "), figures over "
      << printed("%.2f", s.interval_s) << " s\n"
      << left("requests", label_width) << per_s(s.requests_per_s) << "   errors "
      << per_s(s.errors_per_s) << "   in flight " << count(s.in_flight) << "   connections "
      << count(s.connections) << "\n"
      << left("orders", label_width) << "resident " << count(s.resident_orders) << "   parked "
      << count(s.parked_orders) << "   sessions " << count(s.resident_sessions) << "\n\n"
      << ops_table(s) << "\n"
      << left("redis", label_width) << redis_state(s.redis_up) << "   round trips "
      << per_s(s.redis_round_trips_per_s) << "   p99 " << duration(s.redis_round_trip_p99_s) << "\n"
      << left("", label_width) << "per round trip: commands "
      << shown(s.redis_commands_per_round_trip, "%.1f") << "   commits "
      << shown(s.redis_commits_per_round_trip, "%.1f") << "\n"
      << left("store", label_width) << "commit p99 " << duration(s.store_commit_p99_s)
      << "   conflicts " << per_s(s.commit_conflicts_per_s) << "\n"
      << left("actors", label_width) << "restarts " << count(s.actor_restarts) << "   passivations "
      << per_s(s.passivations_per_s) << "\n"
      << left("payments", label_width) << payments(s) << "\n"
      << left("deadlines", label_width) << "expired " << count(s.deadline_expiries) << "\n"
      << left("events", label_width) << "stream length " << count(s.events_stream_length) << "\n"
      << left("process", label_width) << "cpu " << shown(s.cpu_cores, "%.2f cores") << "   rss "
      << memory(s.resident_memory_bytes) << "\n";
  return out.str();
}

std::string stats_json(const node_stats& s, const std::string& address) {
  json_object ops;
  for (const auto& [op, f] : s.ops)
    ops.add(op, op_json(f));
  json_object outcomes;
  for (const auto& [outcome, rate] : s.payment_outcomes_per_s)
    outcomes.add(outcome, rate);
  return json_object{}
             .add("metrics", json_string(address))
             .add("version", s.version ? json_string(*s.version) : "null")
             .add("interval_s", figure{s.interval_s})
             .add("requests_per_s", s.requests_per_s)
             .add("errors_per_s", s.errors_per_s)
             .add("p50_s", s.p50_s)
             .add("p99_s", s.p99_s)
             .add("ops", ops.str())
             .add("in_flight", s.in_flight)
             .add("connections", s.connections)
             .add("resident_orders", s.resident_orders)
             .add("parked_orders", s.parked_orders)
             .add("resident_sessions", s.resident_sessions)
             .add("redis", redis_json(s))
             .add("store", json_object{}
                               .add("commit_p99_s", s.store_commit_p99_s)
                               .add("commit_conflicts_per_s", s.commit_conflicts_per_s)
                               .str())
             .add("actor_restarts", s.actor_restarts)
             .add("passivations_per_s", s.passivations_per_s)
             .add("payment_outcomes_per_s", outcomes.str())
             .add("deadline_expiries", s.deadline_expiries)
             .add("events_stream_length", s.events_stream_length)
             .add("process", json_object{}
                                 .add("cpu_cores", s.cpu_cores)
                                 .add("resident_memory_bytes", s.resident_memory_bytes)
                                 .str())
             .str() +
         "\n";
}

} // namespace ordo::ctl
