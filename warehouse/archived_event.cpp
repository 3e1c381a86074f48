#include "warehouse/archived_event.hpp"

#include <charconv>
#include <optional>

#include "messages/codec.hpp"

namespace ordo::warehouse {

namespace {

std::optional<std::int64_t> decimal(const std::string& text) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return out;
}

} // namespace

result<archived_event> event_from_entry(
  const std::vector<std::pair<std::string, std::string>>& fields) {
  const auto find = [&](std::string_view name) -> const std::string* {
    for (const auto& [key, value] : fields)
      if (key == name)
        return &value;
    return nullptr;
  };
  const auto bad = [](std::string what) { return error{errc::bad_request, "events entry: " + what}; };
  const auto* type = find("type");
  const auto* at = find("at");
  const auto* version = find("version");
  const auto* state = find("order_state");
  const auto* member = find("member");
  const auto* delivered_at = find("delivered_at");
  const auto* charged = find("charged");
  if (!type || !at || !version || !state || !member || !delivered_at || !charged)
    return bad("a field is missing (written by an engine older than the warehouse?)");
  archived_event e;
  e.type = *type;
  const auto at_ms = decimal(*at);
  const auto v = decimal(*version);
  const auto delivered = decimal(*delivered_at);
  const auto paid = decimal(*charged);
  if (!at_ms || !v || !delivered || !paid || (*member != "0" && *member != "1"))
    return bad("a number is not one");
  auto order = decode_order(*state);
  if (!order)
    return bad("order_state: " + order.error().message);
  if (order->version != static_cast<std::uint64_t>(*v))
    return bad("order_state is not at the entry's version");
  e.at = *at_ms;
  e.state = {std::move(*order), *member == "1", *delivered, *paid};
  return e;
}

} // namespace ordo::warehouse
