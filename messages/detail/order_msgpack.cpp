#include "messages/detail/order_msgpack.hpp"

#include <limits>

#include "ordo/limits.hpp"

namespace ordo::messages::detail {

namespace {

constexpr auto max_int64 = std::numeric_limits<std::int64_t>::max();
constexpr auto max_uint64 = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t max_status_bytes = 32;

void pack_line(packer& pk, const order_line& line) {
  pk.pack_map(5);
  pack_key(pk, "sku");
  pack_string(pk, line.sku);
  pack_key(pk, "qty");
  pk.pack(line.qty);
  pack_key(pk, "price");
  pk.pack(line.price);
  pack_key(pk, "cancelled");
  pk.pack(line.cancelled);
  pack_key(pk, "returned");
  pk.pack(line.returned);
}

} // namespace

void pack_order(packer& pk, const order& o) {
  pk.pack_map(11 + (o.tracking ? 1 : 0) + (o.reason ? 1 : 0));
  pack_key(pk, "id");
  pack_string(pk, o.id);
  pack_key(pk, "customer");
  pack_string(pk, o.customer);
  pack_key(pk, "status");
  pack_string(pk, to_string(o.status));
  pack_key(pk, "lines");
  pk.pack_array(static_cast<std::uint32_t>(o.lines.size()));
  for (const auto& line : o.lines)
    pack_line(pk, line);
  pack_key(pk, "subtotal");
  pk.pack(o.subtotal);
  pack_key(pk, "shipping_fee");
  pk.pack(o.shipping_fee);
  pack_key(pk, "total");
  pk.pack(o.total);
  pack_key(pk, "refunded");
  pk.pack(o.refunded);
  pack_key(pk, "version");
  pk.pack(o.version);
  pack_key(pk, "created_at");
  pk.pack(o.created_at);
  pack_key(pk, "updated_at");
  pk.pack(o.updated_at);
  if (o.tracking) {
    pack_key(pk, "tracking");
    pack_string(pk, *o.tracking);
  }
  if (o.reason) {
    pack_key(pk, "reason");
    pack_string(pk, *o.reason);
  }
}

order read_order(map_reader& reader) {
  order o;
  o.id = reader.string("id", limits::max_order_id_bytes);
  o.customer = reader.string("customer", limits::max_subject_bytes);
  const auto status_name = reader.string("status", max_status_bytes);
  if (const auto status = parse_order_status(status_name))
    o.status = *status;
  else
    reader.fail("status", "is not a known status");
  reader.maps("lines", limits::min_lines, limits::max_lines, [&](map_reader& line_reader) {
    order_line line;
    line.sku = line_reader.string("sku", limits::max_sku_bytes);
    line.qty = static_cast<std::uint32_t>(
      line_reader.unsigned_integer("qty", limits::min_qty, limits::max_qty));
    line.price = line_reader.integer("price", limits::min_price_krw, limits::max_price_krw);
    line.cancelled =
      static_cast<std::uint32_t>(line_reader.unsigned_integer("cancelled", 0, line.qty));
    line.returned =
      static_cast<std::uint32_t>(line_reader.unsigned_integer("returned", 0, line.qty));
    o.lines.push_back(std::move(line));
  });
  o.subtotal = reader.integer("subtotal", 0, max_int64);
  o.shipping_fee = reader.integer("shipping_fee", 0, max_int64);
  o.total = reader.integer("total", 0, max_int64);
  o.refunded = reader.integer("refunded", 0, max_int64);
  o.version = reader.unsigned_integer("version", 0, max_uint64);
  o.created_at = reader.integer("created_at", 0, max_int64);
  o.updated_at = reader.integer("updated_at", 0, max_int64);
  o.tracking = reader.optional_string("tracking", limits::max_tracking_bytes);
  o.reason = reader.optional_string("reason", limits::max_reason_bytes);
  return o;
}

} // namespace ordo::messages::detail
