#include "report.hpp"

#include <cstdio>
#include <ctime>
#include <sstream>

#include "messages/order_json.hpp"

namespace ordo::ctl {

namespace {

double share(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string percent(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%", rate * 100);
  return text;
}

std::string grouped(std::int64_t n) {
  const auto digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

std::string right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

} // namespace

std::string report_table(const std::vector<warehouse::report_day>& days) {
  std::ostringstream out;
  out << "DAY         " << right("PLACED", 10) << right("GMV (KRW)", 20) << right("CANCELLED", 12)
      << right("RETURNED", 12) << right("MEMBERS", 12) << "\n";
  warehouse::report_day total{"total"};
  for (const auto& d : days) {
    out << d.day << "  " << right(grouped(d.placed), 10) << right(grouped(d.gross_merchandise_value), 20)
        << right(percent(share(d.cancelled, d.placed)), 12) << right(percent(share(d.returned, d.placed)), 12)
        << right(percent(share(d.by_members, d.placed)), 12) << "\n";
    total.placed += d.placed;
    total.gross_merchandise_value += d.gross_merchandise_value;
    total.cancelled += d.cancelled;
    total.returned += d.returned;
    total.by_members += d.by_members;
  }
  if (days.empty())
    out << "(no orders placed in these days)\n";
  else if (days.size() > 1)
    out << "total       " << right(grouped(total.placed), 10) << right(grouped(total.gross_merchandise_value), 20)
        << right(percent(share(total.cancelled, total.placed)), 12)
        << right(percent(share(total.returned, total.placed)), 12)
        << right(percent(share(total.by_members, total.placed)), 12) << "\n";
  return out.str();
}

std::string report_json(const std::vector<warehouse::report_day>& days) {
  std::string out = "[";
  for (std::size_t i = 0; i < days.size(); ++i) {
    const auto& d = days[i];
    out += (i ? "," : "");
    out += "{\"day\":" + json_string(d.day) + ",\"orders_placed\":" + std::to_string(d.placed) +
           ",\"gross_merchandise_value\":" + std::to_string(d.gross_merchandise_value) +
           ",\"cancellation_rate\":" + fixed(share(d.cancelled, d.placed)) +
           ",\"return_rate\":" + fixed(share(d.returned, d.placed)) +
           ",\"members_share\":" + fixed(share(d.by_members, d.placed)) + "}";
  }
  return out + "]\n";
}

bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9')
      return false;
  const int y = std::stoi(text.substr(0, 4));
  const int m = std::stoi(text.substr(5, 2));
  const int d = std::stoi(text.substr(8, 2));
  if (y < 1 || m < 1 || m > 12 || d < 1)
    return false;
  static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days_in[m - 1] + (m == 2 && leap ? 1 : 0);
}

} // namespace ordo::ctl
