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

// Text PostgreSQL takes into text and jsonb: UTF-8, without NUL (jsonb refuses \u0000). The
// wire protocol does not promise either, so a customer's odd sku must not become a batch that
// fails for ever. (What this lets through and PostgreSQL still refuses, an overlong encoding
// say, the archiver isolates by writing the batch one event at a time.)
bool storable(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0)
      return false;
    std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (extra == 4 || (extra > 0 && i + extra >= text.size()))
      return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2)
        return false;
    i += extra + 1;
  }
  return true;
}

bool storable(const ordo::order& o) {
  if (!storable(o.id) || !storable(o.customer) || (o.tracking && !storable(*o.tracking)) ||
      (o.reason && !storable(*o.reason)))
    return false;
  for (const auto& l : o.lines)
    if (!storable(l.sku))
      return false;
  return true;
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
  if (*at_ms <= 0)
    return bad("at is not a time after 1970");
  if (!storable(*order))
    return bad("order_state holds text that is not UTF-8 or holds NUL, which PostgreSQL cannot store");
  e.at = *at_ms;
  e.state = {std::move(*order), *member == "1", *delivered, *paid};
  return e;
}

} // namespace ordo::warehouse
