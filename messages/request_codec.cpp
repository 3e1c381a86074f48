// Requests: encoded by clients, decoded by the gateway.

#include <algorithm>
#include <limits>
#include <set>

#include "messages/codec.hpp"
#include "messages/detail/map_reader.hpp"
#include "messages/detail/msgpack_io.hpp"
#include "messages/detail/overloaded.hpp"
#include "messages/request_limits.hpp"

namespace ordo {

namespace {

using messages::detail::map_reader;
using messages::detail::overloaded;
using messages::detail::pack_key;
using messages::detail::pack_string;
using messages::detail::packer;
using messages::detail::string_sink;

constexpr auto max_rid = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t max_op_bytes = 32;

// -- encoding ---------------------------------------------------------------------------------

void pack_line_quantities(packer& pk, const std::vector<line_quantity>& lines) {
  pk.pack_array(static_cast<std::uint32_t>(lines.size()));
  for (const auto& line : lines) {
    pk.pack_map(2);
    pack_key(pk, "sku");
    pack_string(pk, line.sku);
    pack_key(pk, "qty");
    pk.pack(line.qty);
  }
}

// How many fields the body adds after "op" and "rid": msgpack writes a map's size first.
std::uint32_t field_count(const request_body& body) {
  return std::visit(
    overloaded{
      [](const hello_request&) { return 1u; },
      [](const resume_request&) { return 1u; },
      [](const ping_request&) { return 0u; },
      [](const place_request&) { return 2u; },
      [](const get_request&) { return 1u; },
      [](const list_request& r) { return 1u + (r.before ? 1u : 0u); },
      [](const cancel_request& r) { return 2u + (r.lines ? 1u : 0u); },
      [](const ship_request&) { return 2u; },
      [](const deliver_request&) { return 1u; },
      [](const return_request& r) { return 2u + (r.lines ? 1u : 0u); },
      [](const refund_request&) { return 1u; },
      [](const membership_request&) { return 1u; },
      [](const subscribe_request&) { return 0u; },
    },
    body);
}

void pack_fields(packer& pk, const request_body& body) {
  std::visit(overloaded{
               [&](const hello_request& r) {
                 pack_key(pk, "token");
                 pack_string(pk, r.token);
               },
               [&](const resume_request& r) {
                 pack_key(pk, "session");
                 pack_string(pk, r.session);
               },
               [&](const ping_request&) {},
               [&](const place_request& r) {
                 pack_key(pk, "idem");
                 pack_string(pk, r.idem);
                 pack_key(pk, "lines");
                 pk.pack_array(static_cast<std::uint32_t>(r.lines.size()));
                 for (const auto& line : r.lines) {
                   pk.pack_map(3);
                   pack_key(pk, "sku");
                   pack_string(pk, line.sku);
                   pack_key(pk, "qty");
                   pk.pack(line.qty);
                   pack_key(pk, "price");
                   pk.pack(line.price);
                 }
               },
               [&](const get_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
               },
               [&](const list_request& r) {
                 pack_key(pk, "limit");
                 pk.pack(r.limit);
                 if (r.before) {
                   pack_key(pk, "before");
                   pack_string(pk, *r.before);
                 }
               },
               [&](const cancel_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
                 pack_key(pk, "idem");
                 pack_string(pk, r.idem);
                 if (r.lines) {
                   pack_key(pk, "lines");
                   pack_line_quantities(pk, *r.lines);
                 }
               },
               [&](const ship_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
                 pack_key(pk, "tracking");
                 pack_string(pk, r.tracking);
               },
               [&](const deliver_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
               },
               [&](const return_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
                 pack_key(pk, "idem");
                 pack_string(pk, r.idem);
                 if (r.lines) {
                   pack_key(pk, "lines");
                   pack_line_quantities(pk, *r.lines);
                 }
               },
               [&](const refund_request& r) {
                 pack_key(pk, "order");
                 pack_string(pk, r.order);
               },
               [&](const membership_request& r) {
                 pack_key(pk, "member");
                 pk.pack(r.member);
               },
               [&](const subscribe_request&) {},
             },
             body);
}

// -- decoding ---------------------------------------------------------------------------------

// Shape and types only: the limits are check_limits' (messages/request_limits.hpp), run on
// the typed result, so that they are enforced in one place for every door.
constexpr auto any_bytes = std::numeric_limits<std::size_t>::max();
constexpr auto any_count = std::numeric_limits<std::uint32_t>::max();

std::string any_string(map_reader& r, std::string_view key) {
  return r.string(key, any_bytes, 0);
}

// Saturated into the field's type, so that a value beyond it fails its limit as too large
// (or too small) instead of wrapping around.
std::optional<std::uint32_t> optional_u32(map_reader& r, std::string_view key) {
  const auto value = r.optional_saturated_integer(key);
  if (!value)
    return std::nullopt;
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(*value, 0, any_count));
}

std::uint32_t any_u32(map_reader& r, std::string_view key) {
  if (!r.has(key) && !r.failed())
    r.fail(key, "is missing");
  return optional_u32(r, key).value_or(0);
}

std::int64_t any_i64(map_reader& r, std::string_view key) {
  if (!r.has(key) && !r.failed())
    r.fail(key, "is missing");
  return r.optional_saturated_integer(key).value_or(0);
}

std::vector<line_item> read_line_items(map_reader& reader) {
  std::vector<line_item> lines;
  reader.maps("lines", 0, any_count, [&](map_reader& line_reader) {
    line_item line;
    line.sku = any_string(line_reader, "sku");
    line.qty = any_u32(line_reader, "qty");
    line.price = any_i64(line_reader, "price");
    lines.push_back(std::move(line));
  });
  return lines;
}

std::optional<std::vector<line_quantity>> read_line_quantities(map_reader& reader) {
  std::vector<line_quantity> lines;
  const bool present = reader.optional_maps("lines", 0, any_count, [&](map_reader& r) {
    line_quantity line;
    line.sku = any_string(r, "sku");
    line.qty = any_u32(r, "qty");
    lines.push_back(std::move(line));
  });
  if (!present)
    return std::nullopt;
  return lines;
}

std::optional<request_body> read_body(std::string_view op, map_reader& r) {
  if (op == "hello")
    return hello_request{any_string(r, "token")};
  if (op == "resume")
    return resume_request{any_string(r, "session")};
  if (op == "ping")
    return ping_request{};
  if (op == "place") {
    place_request req;
    req.idem = any_string(r, "idem");
    req.lines = read_line_items(r);
    return req;
  }
  if (op == "get")
    return get_request{any_string(r, "order")};
  if (op == "list") {
    list_request req;
    req.limit = optional_u32(r, "limit").value_or(limits::default_list_limit);
    req.before = r.optional_string("before", any_bytes, 0);
    return req;
  }
  if (op == "cancel") {
    cancel_request req;
    req.order = any_string(r, "order");
    req.idem = any_string(r, "idem");
    req.lines = read_line_quantities(r);
    return req;
  }
  if (op == "ship") {
    ship_request req;
    req.order = any_string(r, "order");
    req.tracking = any_string(r, "tracking");
    return req;
  }
  if (op == "deliver")
    return deliver_request{any_string(r, "order")};
  if (op == "return") {
    return_request req;
    req.order = any_string(r, "order");
    req.idem = any_string(r, "idem");
    req.lines = read_line_quantities(r);
    return req;
  }
  if (op == "refund")
    return refund_request{any_string(r, "order")};
  if (op == "membership")
    return membership_request{r.boolean("member")};
  if (op == "subscribe")
    return subscribe_request{};
  return std::nullopt;
}

} // namespace

std::string_view op_name(const request_body& body) noexcept {
  static constexpr std::string_view names[] = {
    "hello",  "resume", "ping",    "place",  "get",        "list",      "cancel",
    "ship",   "deliver", "return", "refund", "membership", "subscribe",
  };
  static_assert(std::size(names) == std::variant_size_v<request_body>);
  return names[body.index()];
}

void encode_request(const request& req, std::string& out) {
  string_sink sink{out};
  packer pk{sink};
  pk.pack_map(2 + field_count(req.body));
  pack_key(pk, "op");
  pack_string(pk, op_name(req.body));
  pack_key(pk, "rid");
  pk.pack(req.rid);
  pack_fields(pk, req.body);
}

result<request, request_error> decode_request(std::string_view payload) noexcept {
  try {
    auto handle = messages::detail::unpack_whole(payload);
    if (!handle)
      return request_error{0, std::move(handle).error(), std::nullopt};
    std::optional<std::string> failure;
    map_reader reader{handle->get(), "", failure};
    const auto rid = reader.unsigned_integer("rid", 0, max_rid);
    if (reader.failed())
      return request_error{0, {errc::bad_request, *failure}, std::nullopt};
    const auto op = reader.string("op", max_op_bytes);
    if (reader.failed())
      return request_error{rid, {errc::bad_request, *failure}, std::nullopt};
    auto body = read_body(op, reader);
    if (!body)
      return request_error{rid, {errc::bad_request, "unknown op '" + op + "'"}, std::nullopt};
    if (reader.failed())
      return request_error{rid, {errc::bad_request, *failure}, body->index()};
    if (auto broken = check_limits(*body))
      return request_error{rid, std::move(*broken), body->index()};
    return request{rid, std::move(*body)};
  } catch (const std::exception& e) {
    // Only allocation can throw here; a request that cannot be held is still a bad one.
    return request_error{0, {errc::bad_request, e.what()}, std::nullopt};
  }
}

} // namespace ordo
