// An HTTP/JSON API gateway with the order engine embedded: no network hop to the engine.
// Each request carries the wire protocol's token as `Authorization: Bearer TOKEN`; changes
// take their idempotency key from the `Idempotency-Key` header.
//
//   POST /orders                 {"lines": [{"sku", "qty", "price"}]}    place
//   GET  /orders?limit=&before=                                           list
//   GET  /orders/ID                                                       get
//   POST /orders/ID/cancel       {"lines": [{"sku", "qty"}]} (optional)   cancel
//   POST /orders/ID/ship         {"tracking": "..."}                      ship (operator)
//   POST /orders/ID/deliver                                               deliver (operator)
//   POST /orders/ID/return       {"lines": [{"sku", "qty"}]} (optional)   return
//   POST /orders/ID/refund                                                refund (operator)
//   PUT  /membership             {"member": true}                         membership
//
// Usage: http-gateway --listen HOST:PORT --redis HOST:PORT --auth-key KEY [--key-prefix P]

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <ordo/engine.hpp>

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace {

using json = nlohmann::json;

int http_status(ordo::errc code) {
  switch (code) {
    case ordo::errc::bad_request:
      return 400;
    case ordo::errc::unauthenticated:
      return 401;
    case ordo::errc::forbidden:
      return 403;
    case ordo::errc::not_found:
      return 404;
    case ordo::errc::invalid_state:
    case ordo::errc::conflict:
      return 409;
    case ordo::errc::frame_too_large:
      return 413;
    case ordo::errc::overloaded:
    case ordo::errc::unavailable:
      return 503;
    case ordo::errc::internal:
      return 500;
  }
  return 500;
}

json to_json(const ordo::order& o) {
  json lines = json::array();
  for (const auto& l : o.lines)
    lines.push_back({{"sku", l.sku}, {"qty", l.qty}, {"price", l.price},
                     {"cancelled", l.cancelled}, {"returned", l.returned}});
  json out = {{"id", o.id},           {"customer", o.customer},
              {"status", std::string{to_string(o.status)}},
              {"lines", lines},       {"subtotal", o.subtotal},
              {"shipping_fee", o.shipping_fee}, {"total", o.total},
              {"refunded", o.refunded}, {"version", o.version},
              {"created_at", o.created_at},     {"updated_at", o.updated_at}};
  if (o.tracking)
    out["tracking"] = *o.tracking;
  if (o.reason)
    out["reason"] = *o.reason;
  return out;
}

void send_error(httplib::Response& res, ordo::errc code, const std::string& message) {
  res.status = http_status(code);
  res.set_content(json{{"error", {{"code", std::string{to_string(code)}}, {"message", message}}}}.dump(),
                  "application/json");
}

class gateway {
public:
  explicit gateway(ordo::engine& e) : engine_(e) {}

  void routes(httplib::Server& server) {
    server.Post("/orders", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res, 201, [&](const std::string&) -> ordo::result<ordo::request_body> {
        auto body = parse(req);
        if (!body.is_object() || !body.contains("lines") || !body["lines"].is_array())
          return ordo::error{ordo::errc::bad_request, "body needs \"lines\": [{sku, qty, price}]"};
        ordo::place_request place{idem(req), {}};
        for (const auto& l : body["lines"])
          place.lines.push_back({l.value("sku", ""), l.value("qty", 0u), l.value("price", std::int64_t{0})});
        return ordo::request_body{std::move(place)};
      });
    });
    server.Get("/orders", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res, 200, [&](const std::string&) -> ordo::result<ordo::request_body> {
        ordo::list_request list;
        if (req.has_param("limit"))
          list.limit = static_cast<std::uint32_t>(std::stoul(req.get_param_value("limit")));
        if (req.has_param("before"))
          list.before = req.get_param_value("before");
        return ordo::request_body{list};
      });
    });
    server.Get(R"(/orders/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res, 200, [&](const std::string& id) -> ordo::result<ordo::request_body> {
        return ordo::request_body{ordo::get_request{id}};
      });
    });
    server.Post(R"(/orders/([^/]+)/(cancel|return|ship|deliver|refund))", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res, 200, [&](const std::string& id) -> ordo::result<ordo::request_body> {
        const std::string action = req.matches[2];
        if (action == "ship") {
          auto body = parse(req);
          if (!body.is_object() || !body.contains("tracking"))
            return ordo::error{ordo::errc::bad_request, "body needs \"tracking\""};
          return ordo::request_body{ordo::ship_request{id, body["tracking"].get<std::string>()}};
        }
        if (action == "deliver")
          return ordo::request_body{ordo::deliver_request{id}};
        if (action == "refund")
          return ordo::request_body{ordo::refund_request{id}};
        std::optional<std::vector<ordo::line_quantity>> lines;
        if (auto body = parse(req); body.is_object() && body.contains("lines")) {
          lines.emplace();
          for (const auto& l : body["lines"])
            lines->push_back({l.value("sku", ""), l.value("qty", 0u)});
        }
        if (action == "cancel")
          return ordo::request_body{ordo::cancel_request{id, idem(req), std::move(lines)}};
        return ordo::request_body{ordo::return_request{id, idem(req), std::move(lines)}};
      });
    });
    server.Put("/membership", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res, 200, [&](const std::string&) -> ordo::result<ordo::request_body> {
        auto body = parse(req);
        if (!body.is_object() || !body.contains("member") || !body["member"].is_boolean())
          return ordo::error{ordo::errc::bad_request, "body needs \"member\": true or false"};
        return ordo::request_body{ordo::membership_request{body["member"].get<bool>()}};
      });
    });
  }

private:
  static json parse(const httplib::Request& req) {
    return req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  }

  // The protocol's idem is required for changes; an empty one is refused by the engine.
  static std::string idem(const httplib::Request& req) {
    return req.get_header_value("Idempotency-Key");
  }

  // Builds the request, runs it on the token's session and writes the reply.
  template <class Build>
  void serve(const httplib::Request& req, httplib::Response& res, int success_status, Build build) {
    const auto auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) {
      send_error(res, ordo::errc::unauthenticated, "send Authorization: Bearer TOKEN");
      return;
    }
    const auto token = auth.substr(7);
    auto body = build(req.matches.size() > 1 ? std::string{req.matches[1]} : std::string{});
    if (!body) {
      send_error(res, body.error().code, body.error().message);
      return;
    }
    auto reply = call(token, *body);
    if (!reply) {
      send_error(res, reply.error().code, reply.error().message);
      return;
    }
    res.status = success_status;
    res.set_content(render(*reply).dump(), "application/json");
  }

  // Runs `body` on the session of `token`, opening one (hello) when there is none yet.
  ordo::result<ordo::reply_body> call(const std::string& token, const ordo::request_body& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto session = session_for(token);
      if (!session)
        return std::move(session).error();
      auto reply = engine_.call(*session, body).get();
      if (reply || reply.error().code != ordo::errc::unauthenticated)
        return reply;
      forget(token); // the session expired: open a new one once
    }
    return ordo::error{ordo::errc::unauthenticated, "token refused"};
  }

  ordo::result<std::string> session_for(const std::string& token) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (auto it = sessions_.find(token); it != sessions_.end())
        return it->second;
    }
    auto opened = engine_.hello(token).get();
    if (!opened)
      return std::move(opened).error();
    std::lock_guard<std::mutex> guard{mutex_};
    sessions_[token] = opened->session;
    return opened->session;
  }

  void forget(const std::string& token) {
    std::lock_guard<std::mutex> guard{mutex_};
    sessions_.erase(token);
  }

  static json render(const ordo::reply_body& reply) {
    if (const auto* o = std::get_if<ordo::order_result>(&reply))
      return to_json(o->order);
    if (const auto* list = std::get_if<ordo::orders_result>(&reply)) {
      json orders = json::array();
      for (const auto& o : list->orders)
        orders.push_back(to_json(o));
      return json{{"orders", orders}};
    }
    if (const auto* m = std::get_if<ordo::membership_result>(&reply))
      return json{{"member", m->member}};
    return json::object();
  }

  ordo::engine& engine_;
  std::mutex mutex_;
  std::map<std::string, std::string> sessions_; // token -> session
};

std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name)
      return argv[i + 1];
  return fallback;
}

httplib::Server* running = nullptr;

struct listen_address {
  std::string host;
  int port = 0;
};

std::optional<listen_address> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  const auto port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const int port = std::stoi(port_text);
  if (port < 1 || port > 65535)
    return std::nullopt;
  return listen_address{text.substr(0, colon), port};
}

} // namespace

int main(int argc, char** argv) {
  ordo::engine_options opts;
  opts.redis = flag(argc, argv, "redis", opts.redis);
  opts.auth_key = flag(argc, argv, "auth-key", "");
  opts.key_prefix = flag(argc, argv, "key-prefix", opts.key_prefix);
  const auto listen = parse_listen(flag(argc, argv, "listen", "127.0.0.1:8080"));
  if (!listen) {
    std::cerr << "http-gateway: --listen takes HOST:PORT\n";
    return 2;
  }
  auto engine = ordo::engine::start(opts);
  if (!engine) {
    std::cerr << "http-gateway: " << engine.error().message << '\n';
    return 1;
  }
  httplib::Server server;
  gateway api{**engine};
  api.routes(server);
  if (!server.bind_to_port(listen->host.c_str(), listen->port)) {
    std::cerr << "http-gateway: cannot listen on " << listen->host << ":" << listen->port << '\n';
    return 1;
  }
  running = &server;
  std::signal(SIGTERM, [](int) { running->stop(); });
  std::signal(SIGINT, [](int) { running->stop(); });
  std::cout << "http-gateway listening on " << listen->host << ":" << listen->port << std::endl;
  server.listen_after_bind();
  (*engine)->stop();
  return 0;
}
