// Replies, pushes and bare ORDER maps: encoded by the engine, decoded by clients.

#include <limits>

#include "messages/codec.hpp"
#include "messages/detail/map_reader.hpp"
#include "messages/detail/msgpack_io.hpp"
#include "messages/detail/order_msgpack.hpp"
#include "messages/detail/overloaded.hpp"

namespace ordo {

namespace {

using messages::detail::map_reader;
using messages::detail::overloaded;
using messages::detail::pack_key;
using messages::detail::pack_order;
using messages::detail::pack_string;
using messages::detail::packer;
using messages::detail::read_order;
using messages::detail::string_sink;

constexpr auto max_rid = std::numeric_limits<std::uint64_t>::max();
constexpr auto max_int64 = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t max_error_message_bytes = 4096;
constexpr std::size_t max_push_kind_bytes = 16;
constexpr std::size_t max_role_bytes = 16;
constexpr std::size_t max_code_bytes = 32;

std::uint32_t result_field_count(const reply_body& body) {
  return std::visit(overloaded{
                      [](const session_result&) { return 4u; },
                      [](const error_result&) { return 1u; },
                      [](const auto&) { return 1u; },
                    },
                    body);
}

void pack_result(packer& pk, const reply_body& body) {
  std::visit(overloaded{
               [&](const session_result& r) {
                 pack_key(pk, "session");
                 pack_string(pk, r.session);
                 pack_key(pk, "subject");
                 pack_string(pk, r.subject);
                 pack_key(pk, "role");
                 pack_string(pk, to_string(r.role));
                 pack_key(pk, "expires_at");
                 pk.pack(r.expires_at);
               },
               [&](const pong_result&) {
                 pack_key(pk, "pong");
                 pk.pack(true);
               },
               [&](const order_result& r) {
                 pack_key(pk, "order");
                 pack_order(pk, r.order);
               },
               [&](const orders_result& r) {
                 pack_key(pk, "orders");
                 pk.pack_array(static_cast<std::uint32_t>(r.orders.size()));
                 for (const auto& o : r.orders)
                   pack_order(pk, o);
               },
               [&](const membership_result& r) {
                 pack_key(pk, "member");
                 pk.pack(r.member);
               },
               [&](const subscribed_result&) {
                 pack_key(pk, "subscribed");
                 pk.pack(true);
               },
               [&](const error_result& r) {
                 pack_key(pk, "error");
                 pk.pack_map(2);
                 pack_key(pk, "code");
                 pack_string(pk, to_string(r.code));
                 pack_key(pk, "message");
                 pack_string(pk, r.message);
               },
             },
             body);
}

error_result read_error(map_reader& reader) {
  auto error_reader = reader.map("error");
  const auto code_name = error_reader.string("code", max_code_bytes);
  auto code = parse_errc(code_name);
  if (!code && !reader.failed())
    error_reader.fail("code", "is not a known error code");
  auto message = error_reader.string("message", max_error_message_bytes, 0);
  return error_result{code.value_or(errc::internal), std::move(message)};
}

std::optional<reply_body> read_success(map_reader& reader) {
  if (reader.has("session")) {
    session_result r;
    r.session = reader.string("session", limits::max_session_bytes);
    r.subject = reader.string("subject", limits::max_subject_bytes);
    const auto role_name = reader.string("role", max_role_bytes);
    if (const auto role = parse_role(role_name))
      r.role = *role;
    else
      reader.fail("role", "is not a known role");
    r.expires_at = reader.integer("expires_at", 0, max_int64);
    return r;
  }
  if (reader.has("pong"))
    return pong_result{};
  if (reader.has("order")) {
    auto order_reader = reader.map("order");
    return order_result{read_order(order_reader)};
  }
  if (reader.has("orders")) {
    orders_result r;
    reader.maps("orders", 0, limits::max_list_limit,
                [&](map_reader& order_reader) { r.orders.push_back(read_order(order_reader)); });
    return r;
  }
  if (reader.has("member"))
    return membership_result{reader.boolean("member")};
  if (reader.has("subscribed"))
    return subscribed_result{};
  return std::nullopt;
}

} // namespace

std::string_view to_string(role r) noexcept {
  return r == role::customer ? "customer" : "operator";
}

std::optional<role> parse_role(std::string_view name) noexcept {
  if (name == "customer")
    return role::customer;
  if (name == "operator")
    return role::operator_;
  return std::nullopt;
}

void encode_reply(const reply& rep, std::string& out) {
  string_sink sink{out};
  packer pk{sink};
  pk.pack_map(2 + result_field_count(rep.body));
  pack_key(pk, "rid");
  pk.pack(rep.rid);
  pack_key(pk, "ok");
  pk.pack(!std::holds_alternative<error_result>(rep.body));
  pack_result(pk, rep.body);
}

void encode_push(const order_push& push, std::string& out) {
  string_sink sink{out};
  packer pk{sink};
  pk.pack_map(2);
  pack_key(pk, "push");
  pack_string(pk, "order");
  pack_key(pk, "order");
  pack_order(pk, push.order);
}

void encode_order(const order& o, std::string& out) {
  string_sink sink{out};
  packer pk{sink};
  pack_order(pk, o);
}

result<server_message> decode_server_message(std::string_view payload) noexcept {
  try {
    auto handle = messages::detail::unpack_whole(payload);
    if (!handle)
      return std::move(handle).error();
    std::optional<std::string> failure;
    map_reader reader{handle->get(), "", failure};
    if (reader.has("push")) {
      const auto kind = reader.string("push", max_push_kind_bytes);
      if (kind != "order" && !reader.failed())
        reader.fail("push", "is not a known push");
      auto order_reader = reader.map("order");
      auto o = read_order(order_reader);
      if (reader.failed())
        return error{errc::bad_request, *failure};
      return server_message{order_push{std::move(o)}};
    }
    reply rep;
    rep.rid = reader.unsigned_integer("rid", 0, max_rid);
    const bool ok = reader.boolean("ok");
    std::optional<reply_body> body;
    if (!reader.failed())
      body = ok ? read_success(reader) : reply_body{read_error(reader)};
    if (reader.failed())
      return error{errc::bad_request, *failure};
    if (!body)
      return error{errc::bad_request, "reply carries no known result"};
    rep.body = std::move(*body);
    return server_message{std::move(rep)};
  } catch (const std::exception& e) {
    return error{errc::bad_request, e.what()};
  }
}

result<order> decode_order(std::string_view payload) noexcept {
  try {
    auto handle = messages::detail::unpack_whole(payload);
    if (!handle)
      return std::move(handle).error();
    std::optional<std::string> failure;
    map_reader reader{handle->get(), "", failure};
    auto o = read_order(reader);
    if (reader.failed())
      return error{errc::bad_request, *failure};
    return o;
  } catch (const std::exception& e) {
    return error{errc::bad_request, e.what()};
  }
}

} // namespace ordo
