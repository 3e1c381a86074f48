#include "messages/request_limits.hpp"

#include <set>
#include <string_view>

#include "ordo/limits.hpp"

namespace ordo {

namespace {

error bad_field(std::string_view path, const std::string& problem) {
  return error{errc::bad_request, "field '" + std::string{path} + "' " + problem};
}

std::optional<error> text(std::string_view path, const std::string& value, std::size_t max_bytes) {
  if (value.empty() || value.size() > max_bytes)
    return bad_field(path, "must have 1 to " + std::to_string(max_bytes) + " bytes");
  return std::nullopt;
}

template <class T>
std::optional<error> within(std::string_view path, T value, T min, T max) {
  if (value < min || value > max)
    return bad_field(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return std::nullopt;
}

// Lines of a place (with prices) or of a cancel or return (without).
template <class Line>
std::optional<error> lines(const std::vector<Line>& all) {
  if (all.size() < limits::min_lines || all.size() > limits::max_lines)
    return bad_field("lines", "must have " + std::to_string(limits::min_lines) + " to " +
                                std::to_string(limits::max_lines) + " entries");
  std::set<std::string_view> skus;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& line = all[i];
    const auto path = "lines[" + std::to_string(i) + "].";
    if (auto bad = text(path + "sku", line.sku, limits::max_sku_bytes))
      return bad;
    if (auto bad = within(path + "qty", line.qty, limits::min_qty, limits::max_qty))
      return bad;
    if constexpr (requires { line.price; })
      if (auto bad = within(path + "price", line.price, limits::min_price_krw, limits::max_price_krw))
        return bad;
    if (!skus.insert(line.sku).second)
      return bad_field("lines", "names sku '" + line.sku + "' more than once");
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
        return lines(req.lines);
      } else if constexpr (std::is_same_v<T, list_request>) {
        if (auto bad = within("limit", req.limit, limits::min_list_limit, limits::max_list_limit))
          return bad;
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
