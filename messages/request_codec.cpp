// Requests: encoded by clients, decoded by the gateway.

#include <limits>
#include <set>

#include "messages/codec.hpp"
#include "messages/detail/map_reader.hpp"
#include "messages/detail/msgpack_io.hpp"
#include "messages/detail/overloaded.hpp"

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

// A SKU appears at most once per order (SPEC section 2), and so at most once per request.
template <class Line>
void reject_duplicate_skus(map_reader& reader, const std::vector<Line>& lines) {
  std::set<std::string_view> skus;
  for (const auto& line : lines) {
    if (!skus.insert(line.sku).second) {
      reader.fail("lines", "names sku '" + line.sku + "' more than once");
      return;
    }
  }
}

std::vector<line_item> read_line_items(map_reader& reader) {
  std::vector<line_item> lines;
  reader.maps("lines", limits::min_lines, limits::max_lines, [&](map_reader& line_reader) {
    line_item line;
    line.sku = line_reader.string("sku", limits::max_sku_bytes);
    line.qty = static_cast<std::uint32_t>(
      line_reader.unsigned_integer("qty", limits::min_qty, limits::max_qty));
    line.price = line_reader.integer("price", limits::min_price_krw, limits::max_price_krw);
    lines.push_back(std::move(line));
  });
  reject_duplicate_skus(reader, lines);
  return lines;
}

std::optional<std::vector<line_quantity>> read_line_quantities(map_reader& reader) {
  std::vector<line_quantity> lines;
  const bool present =
    reader.optional_maps("lines", limits::min_lines, limits::max_lines, [&](map_reader& r) {
      line_quantity line;
      line.sku = r.string("sku", limits::max_sku_bytes);
      line.qty =
        static_cast<std::uint32_t>(r.unsigned_integer("qty", limits::min_qty, limits::max_qty));
      lines.push_back(std::move(line));
    });
  if (!present)
    return std::nullopt;
  reject_duplicate_skus(reader, lines);
  return lines;
}

std::optional<request_body> read_body(std::string_view op, map_reader& r) {
  if (op == "hello")
    return hello_request{r.string("token", limits::max_token_bytes)};
  if (op == "resume")
    return resume_request{r.string("session", limits::max_session_bytes)};
  if (op == "ping")
    return ping_request{};
  if (op == "place") {
    place_request req;
    req.idem = r.string("idem", limits::max_idem_bytes);
    req.lines = read_line_items(r);
    return req;
  }
  if (op == "get")
    return get_request{r.string("order", limits::max_order_id_bytes)};
  if (op == "list") {
    list_request req;
    req.limit = static_cast<std::uint32_t>(
      r.optional_unsigned_integer("limit", limits::min_list_limit, limits::max_list_limit)
        .value_or(limits::default_list_limit));
    req.before = r.optional_string("before", limits::max_order_id_bytes);
    return req;
  }
  if (op == "cancel") {
    cancel_request req;
    req.order = r.string("order", limits::max_order_id_bytes);
    req.idem = r.string("idem", limits::max_idem_bytes);
    req.lines = read_line_quantities(r);
    return req;
  }
  if (op == "ship") {
    ship_request req;
    req.order = r.string("order", limits::max_order_id_bytes);
    req.tracking = r.string("tracking", limits::max_tracking_bytes);
    return req;
  }
  if (op == "deliver")
    return deliver_request{r.string("order", limits::max_order_id_bytes)};
  if (op == "return") {
    return_request req;
    req.order = r.string("order", limits::max_order_id_bytes);
    req.idem = r.string("idem", limits::max_idem_bytes);
    req.lines = read_line_quantities(r);
    return req;
  }
  if (op == "refund")
    return refund_request{r.string("order", limits::max_order_id_bytes)};
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
      return request_error{0, std::move(handle).error()};
    std::optional<std::string> failure;
    map_reader reader{handle->get(), "", failure};
    const auto rid = reader.unsigned_integer("rid", 0, max_rid);
    if (reader.failed())
      return request_error{0, {errc::bad_request, *failure}};
    const auto op = reader.string("op", max_op_bytes);
    if (reader.failed())
      return request_error{rid, {errc::bad_request, *failure}};
    auto body = read_body(op, reader);
    if (!body)
      return request_error{rid, {errc::bad_request, "unknown op '" + op + "'"}};
    if (reader.failed())
      return request_error{rid, {errc::bad_request, *failure}};
    return request{rid, std::move(*body)};
  } catch (const std::exception& e) {
    // Only allocation can throw here; a request that cannot be held is still a bad one.
    return request_error{0, {errc::bad_request, e.what()}};
  }
}

} // namespace ordo
