#include "messages/order_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <sstream>

namespace ordo {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string order_json(const order& o) {
  std::ostringstream out;
  out << "{\"id\":" << json_string(o.id) << ",\"customer\":" << json_string(o.customer)
      << ",\"status\":" << json_string(to_string(o.status)) << ",\"lines\":[";
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const auto& l = o.lines[i];
    out << (i ? "," : "") << "{\"sku\":" << json_string(l.sku) << ",\"qty\":" << l.qty
        << ",\"price\":" << l.price << ",\"cancelled\":" << l.cancelled
        << ",\"returned\":" << l.returned << "}";
  }
  out << "],\"subtotal\":" << o.subtotal << ",\"shipping_fee\":" << o.shipping_fee
      << ",\"total\":" << o.total << ",\"refunded\":" << o.refunded << ",\"version\":" << o.version
      << ",\"created_at\":" << o.created_at << ",\"updated_at\":" << o.updated_at;
  if (o.tracking)
    out << ",\"tracking\":" << json_string(*o.tracking);
  if (o.reason)
    out << ",\"reason\":" << json_string(*o.reason);
  out << "}";
  return out.str();
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
