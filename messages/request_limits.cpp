#include "messages/request_limits.hpp"

#include <set>
#include <string_view>

#include "ordo/limits.hpp"

namespace ordo {

namespace {

std::optional<error> text(std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (value.empty() || value.size() > max_bytes)
    return error{errc::bad_request,
                 "field '" + std::string{field} + "' must have 1 to " + std::to_string(max_bytes) + " bytes"};
  return std::nullopt;
}

template <class Line>
std::optional<error> lines(const std::vector<Line>& all) {
  if (all.size() < limits::min_lines || all.size() > limits::max_lines)
    return error{errc::bad_request, "field 'lines' must have 1 to 100 entries"};
  std::set<std::string_view> skus;
  for (const auto& line : all) {
    if (auto bad = text("lines.sku", line.sku, limits::max_sku_bytes))
      return bad;
    if (line.qty < limits::min_qty || line.qty > limits::max_qty)
      return error{errc::bad_request, "field 'lines.qty' must be between 1 and 1000"};
    if (!skus.insert(line.sku).second)
      return error{errc::bad_request, "field 'lines' names sku '" + line.sku + "' more than once"};
  }
  return std::nullopt;
}

} // namespace

std::optional<error> check_limits(const request_body& body) {
  return std::visit(
    [](const auto& req) -> std::optional<error> {
      using T = std::decay_t<decltype(req)>;
      if constexpr (std::is_same_v<T, hello_request>) {
        return text("token", req.token, limits::max_token_bytes);
      } else if constexpr (std::is_same_v<T, resume_request>) {
        return text("session", req.session, limits::max_session_bytes);
      } else if constexpr (std::is_same_v<T, place_request>) {
        if (auto bad = text("idem", req.idem, limits::max_idem_bytes))
          return bad;
        if (auto bad = lines(req.lines))
          return bad;
        for (const auto& line : req.lines)
          if (line.price < limits::min_price_krw || line.price > limits::max_price_krw)
            return error{errc::bad_request, "field 'lines.price' must be between 1 and 100000000"};
        return std::nullopt;
      } else if constexpr (std::is_same_v<T, list_request>) {
        if (req.limit < limits::min_list_limit || req.limit > limits::max_list_limit)
          return error{errc::bad_request, "field 'limit' must be between 1 and 100"};
        if (req.before)
          return text("before", *req.before, limits::max_order_id_bytes);
        return std::nullopt;
      } else if constexpr (std::is_same_v<T, cancel_request> || std::is_same_v<T, return_request>) {
        if (auto bad = text("order", req.order, limits::max_order_id_bytes))
          return bad;
        if (auto bad = text("idem", req.idem, limits::max_idem_bytes))
          return bad;
        return req.lines ? lines(*req.lines) : std::nullopt;
      } else if constexpr (std::is_same_v<T, ship_request>) {
        if (auto bad = text("order", req.order, limits::max_order_id_bytes))
          return bad;
        return text("tracking", req.tracking, limits::max_tracking_bytes);
      } else if constexpr (requires { req.order; }) {
        return text("order", req.order, limits::max_order_id_bytes);
      } else {
        return std::nullopt;
      }
    },
    body);
}

} // namespace ordo
