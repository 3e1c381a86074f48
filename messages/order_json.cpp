#include "messages/order_json.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <limits>
#include <utility>

namespace ordo {

namespace {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    out.append(text.data() + from, i - from);
    from = i + 1;
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    }
  }
  out.append(text.data() + from, text.size() - from);
  out += '"';
}

template <class Int>
void append_number(std::string& out, Int value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

} // namespace

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// Appends, not streams: the archiver writes one of these per event.
std::string order_json(const order& o) {
  std::string out;
  out.reserve(256 + o.lines.size() * 80);
  out += "{\"id\":";
  append_json_string(out, o.id);
  out += ",\"customer\":";
  append_json_string(out, o.customer);
  out += ",\"status\":";
  append_json_string(out, to_string(o.status));
  out += ",\"lines\":[";
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const auto& l = o.lines[i];
    out += i ? ",{\"sku\":" : "{\"sku\":";
    append_json_string(out, l.sku);
    out += ",\"qty\":";
    append_number(out, l.qty);
    out += ",\"price\":";
    append_number(out, l.price);
    out += ",\"cancelled\":";
    append_number(out, l.cancelled);
    out += ",\"returned\":";
    append_number(out, l.returned);
    out += '}';
  }
  const std::pair<const char*, std::int64_t> money[] = {
    {"],\"subtotal\":", o.subtotal}, {",\"shipping_fee\":", o.shipping_fee},
    {",\"total\":", o.total},       {",\"refunded\":", o.refunded}};
  for (const auto& [name, value] : money) {
    out += name;
    append_number(out, value);
  }
  out += ",\"version\":";
  append_number(out, o.version);
  out += ",\"created_at\":";
  append_number(out, o.created_at);
  out += ",\"updated_at\":";
  append_number(out, o.updated_at);
  if (o.tracking) {
    out += ",\"tracking\":";
    append_json_string(out, *o.tracking);
  }
  if (o.reason) {
    out += ",\"reason\":";
    append_json_string(out, *o.reason);
  }
  out += '}';
  return out;
}

namespace {

using json = nlohmann::json;

struct bad_field {
  std::string what;
};

const json& field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end())
    throw bad_field{std::string{"missing field "} + name};
  return *it;
}

template <class Int>
Int integer(const json& object, const char* name) {
  const auto& value = field(object, name);
  if (!value.is_number_integer())
    throw bad_field{std::string{name} + " is not an integer"};
  const auto wide = value.get<std::int64_t>();
  if (value.is_number_unsigned() ? value.get<std::uint64_t>() > std::numeric_limits<Int>::max()
                                 : (wide < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
                                    (wide > 0 && static_cast<std::uint64_t>(wide) >
                                                   std::numeric_limits<Int>::max())))
    throw bad_field{std::string{name} + " is out of range"};
  return value.get<Int>();
}

std::string text(const json& object, const char* name) {
  const auto& value = field(object, name);
  if (!value.is_string())
    throw bad_field{std::string{name} + " is not a string"};
  return value.get<std::string>();
}

std::optional<std::string> optional_text(const json& object, const char* name) {
  if (!object.contains(name))
    return std::nullopt;
  return text(object, name);
}

} // namespace

result<order> order_from_json(std::string_view source) {
  const auto parsed = json::parse(source, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return error{errc::bad_request, "an order's JSON is not a JSON object"};
  try {
    order o;
    o.id = text(parsed, "id");
    o.customer = text(parsed, "customer");
    const auto status = parse_order_status(text(parsed, "status"));
    if (!status)
      throw bad_field{"unknown status"};
    o.status = *status;
    const auto& lines = field(parsed, "lines");
    if (!lines.is_array())
      throw bad_field{"lines is not an array"};
    for (const auto& l : lines) {
      if (!l.is_object())
        throw bad_field{"a line is not an object"};
      o.lines.push_back({text(l, "sku"), integer<std::uint32_t>(l, "qty"),
                         integer<std::int64_t>(l, "price"), integer<std::uint32_t>(l, "cancelled"),
                         integer<std::uint32_t>(l, "returned")});
    }
    o.subtotal = integer<std::int64_t>(parsed, "subtotal");
    o.shipping_fee = integer<std::int64_t>(parsed, "shipping_fee");
    o.total = integer<std::int64_t>(parsed, "total");
    o.refunded = integer<std::int64_t>(parsed, "refunded");
    o.version = integer<std::uint64_t>(parsed, "version");
    o.created_at = integer<std::int64_t>(parsed, "created_at");
    o.updated_at = integer<std::int64_t>(parsed, "updated_at");
    o.tracking = optional_text(parsed, "tracking");
    o.reason = optional_text(parsed, "reason");
    return o;
  } catch (const bad_field& bad) {
    return error{errc::bad_request, "an order's JSON: " + bad.what};
  }
}

} // namespace ordo
