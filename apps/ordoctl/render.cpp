#include "render.hpp"

#include "messages/order_json.hpp"

#include <cstdio>
#include <ctime>
#include <sstream>

namespace ordo::ctl {

namespace {

std::string money(std::int64_t krw) {
  const auto digits = std::to_string(krw < 0 ? -krw : krw);
  std::string grouped = krw < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      grouped += ',';
    grouped += digits[i];
  }
  return grouped + " KRW";
}

std::string when(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d UTC", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

} // namespace

std::string order_table(const ordo::order& o) {
  std::ostringstream out;
  out << "order     " << o.id << "\n"
      << "customer  " << o.customer << "\n"
      << "status    " << to_string(o.status) << (o.reason ? " (" + *o.reason + ")" : "") << "\n";
  if (o.tracking)
    out << "tracking  " << *o.tracking << "\n";
  out << "created   " << when(o.created_at) << "\n"
      << "updated   " << when(o.updated_at) << " (version " << o.version << ")\n\n"
      << pad("SKU", 20) << pad("QTY", 6) << pad("PRICE", 16) << pad("CANCELLED", 11) << "RETURNED\n";
  for (const auto& line : o.lines)
    out << pad(line.sku, 20) << pad(std::to_string(line.qty), 6) << pad(money(line.price), 16)
        << pad(std::to_string(line.cancelled), 11) << line.returned << "\n";
  out << "\n"
      << pad("subtotal", 14) << money(o.subtotal) << "\n"
      << pad("shipping fee", 14) << money(o.shipping_fee) << "\n"
      << pad("total", 14) << money(o.total) << "\n"
      << pad("refunded", 14) << money(o.refunded) << "\n";
  return out.str();
}

std::string orders_table(const std::vector<ordo::order>& orders) {
  std::ostringstream out;
  out << pad("ORDER", 30) << pad("STATUS", 18) << pad("TOTAL", 16) << "CREATED\n";
  for (const auto& o : orders)
    out << pad(o.id, 30) << pad(std::string{to_string(o.status)}, 18) << pad(money(o.total), 16)
        << when(o.created_at) << "\n";
  out << "(" << orders.size() << (orders.size() == 1 ? " order" : " orders") << ")\n";
  return out.str();
}

std::string orders_json(const std::vector<ordo::order>& orders) {
  std::string out = "[";
  for (std::size_t i = 0; i < orders.size(); ++i)
    out += (i ? "," : "") + order_json(orders[i]);
  return out + "]";
}

std::string render(const reply_body& body, bool json) {
  return std::visit(
    [json](const auto& r) -> std::string {
      using T = std::decay_t<decltype(r)>;
      if constexpr (std::is_same_v<T, session_result>) {
        if (json)
          return "{\"session\":" + json_string(r.session) + ",\"subject\":" + json_string(r.subject) +
                 ",\"role\":" + json_string(std::string{to_string(r.role)}) +
                 ",\"expires_at\":" + std::to_string(r.expires_at) + "}\n";
        return "session   " + r.session + "\nsubject   " + r.subject + "\nrole      " +
               std::string{to_string(r.role)} + "\nexpires   " + when(r.expires_at) + "\n";
      } else if constexpr (std::is_same_v<T, pong_result>) {
        return json ? "{\"pong\":true}\n" : "pong\n";
      } else if constexpr (std::is_same_v<T, order_result>) {
        return json ? order_json(r.order) + "\n" : order_table(r.order);
      } else if constexpr (std::is_same_v<T, orders_result>) {
        return json ? orders_json(r.orders) + "\n" : orders_table(r.orders);
      } else if constexpr (std::is_same_v<T, membership_result>) {
        return json ? std::string{"{\"member\":"} + (r.member ? "true" : "false") + "}\n"
                    : std::string{"member    "} + (r.member ? "yes" : "no") + "\n";
      } else if constexpr (std::is_same_v<T, subscribed_result>) {
        return json ? "{\"subscribed\":true}\n" : "subscribed\n";
      } else {
        return json ? "{\"error\":{\"code\":" + json_string(std::string{to_string(r.code)}) +
                        ",\"message\":" + json_string(r.message) + "}}\n"
                    : std::string{to_string(r.code)} + ": " + r.message + "\n";
      }
    },
    body);
}

} // namespace ordo::ctl
