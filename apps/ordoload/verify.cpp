#include "verify.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "domain/order_id.hpp"
#include "runtime/redis_keys.hpp"
#include "warehouse/pg_connection.hpp"

namespace ordo::load {

namespace {

// Below ordod's default in-flight bound per connection.
constexpr std::size_t batch = 200;

std::uint64_t to_u64(const char* text, std::size_t len) {
  std::uint64_t out = 0;
  std::from_chars(text, text + len, out);
  return out;
}

// The orders of `customer` in Redis that were never acknowledged, with their version and
// the type of their first event, so that a failed count says what the extra order is.
std::string unacknowledged_orders(redisContext* ctx, const runtime::redis_keys& keys,
                                  const std::string& customer, const load_result& r) {
  std::string out;
  auto* ids = static_cast<redisReply*>(
    redisCommand(ctx, "ZRANGE %s 0 -1", keys.customer_index(customer).c_str()));
  if (ids == nullptr || ids->type != REDIS_REPLY_ARRAY) {
    if (ids)
      freeReplyObject(ids);
    return out;
  }
  for (std::size_t i = 0; i < ids->elements; ++i) {
    const std::string id{ids->element[i]->str, ids->element[i]->len};
    if (r.acked.count(id) != 0)
      continue;
    auto* version =
      static_cast<redisReply*>(redisCommand(ctx, "HGET %s v", keys.order(id).c_str()));
    out += "; not acknowledged: " + id + " at version " +
           (version && version->type == REDIS_REPLY_STRING ? std::string{version->str, version->len}
                                                           : std::string{"(none)"});
    if (version)
      freeReplyObject(version);
  }
  freeReplyObject(ids);
  return out;
}

// Reads that meet an outage (unavailable: the engine restarting, a connection being
// re-opened) are read again, for up to 30 s.
void through_engine(transport& t, std::size_t channel, const load_result& r, verification& v) {
  using entry = std::pair<std::string, acknowledged_order>;
  std::vector<entry> pending(r.acked.begin(), r.acked.end());
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (!pending.empty()) {
    std::vector<entry> again;
    for (std::size_t start = 0; start < pending.size(); start += batch) {
      std::size_t waiting = 0;
      for (auto k = start; k < std::min(pending.size(), start + batch); ++k) {
        ++waiting;
        t.submit(channel, get_request{pending[k].first}, [&, k](result<reply_body> got) {
          --waiting;
          const auto& [order_id, ack] = pending[k];
          if (!got && got.error().code == errc::unavailable &&
              std::chrono::steady_clock::now() < give_up_at) {
            again.push_back(pending[k]);
            return;
          }
          ++v.orders_read_back;
          if (!got) {
            v.failures.push_back("acknowledged order " + order_id + " cannot be read back: " +
                                 got.error().message);
            return;
          }
          const auto& o = std::get<order_result>(*got).order;
          if (o.version < ack.version || (o.version == ack.version && o.status != ack.status))
            v.failures.push_back("order " + order_id + " is at version " + std::to_string(o.version) +
                                 ", behind the acknowledged " + std::to_string(ack.version));
        });
      }
      while (waiting > 0)
        t.pump(std::chrono::milliseconds{100});
    }
    pending = std::move(again);
    if (!pending.empty())
      t.pump(std::chrono::milliseconds{200}); // lets lost connections be opened again
  }
}

// What the warehouse holds, for the orders that left Redis.
class archived_view {
public:
  explicit archived_view(const std::string& conninfo, verification& v) {
    if (conninfo.empty())
      return;
    auto pg = warehouse::pg_connection::connect(conninfo);
    if (!pg) {
      v.failures.push_back("cannot reach the warehouse: " + pg.error().message);
      return;
    }
    pg_ = std::move(*pg);
  }

  std::uint64_t version(const std::string& order_id) {
    if (!pg_)
      return 0;
    auto rows = pg_->exec("SELECT version FROM ordo_orders WHERE order_id = $1", {order_id});
    return rows && rows->size() == 1 ? to_u64(rows->text(0, 0).data(), rows->text(0, 0).size()) : 0;
  }

  std::set<std::string> orders_of(const std::string& customer) {
    std::set<std::string> out;
    if (!pg_)
      return out;
    auto rows = pg_->exec("SELECT order_id FROM ordo_orders WHERE customer = $1", {customer});
    if (rows)
      for (std::size_t i = 0; i < rows->size(); ++i)
        out.insert(rows->text(i, 0));
    return out;
  }

private:
  std::unique_ptr<warehouse::pg_connection> pg_;
};

void straight_from_redis(const runtime::host_port& address, const std::string& prefix,
                         const load_result& r, const std::vector<std::string>& customers,
                         archived_view& archived, verification& v) {
  redisContext* ctx = redisConnect(address.host.c_str(), address.port);
  if (ctx == nullptr || ctx->err != 0) {
    v.failures.push_back("cannot reach redis at " + address.host + ":" + std::to_string(address.port));
    if (ctx)
      redisFree(ctx);
    return;
  }
  v.redis_checked = true;
  const runtime::redis_keys keys{prefix};
  // Versions of every acknowledged order.
  std::vector<std::pair<std::string, std::uint64_t>> orders(r.acked.size());
  std::size_t i = 0;
  for (const auto& [id, acked] : r.acked)
    orders[i++] = {id, acked.version};
  for (std::size_t start = 0; start < orders.size(); start += batch) {
    const auto end = std::min(orders.size(), start + batch);
    for (auto k = start; k < end; ++k)
      redisAppendCommand(ctx, "HGET %s v", keys.order(orders[k].first).c_str());
    for (auto k = start; k < end; ++k) {
      void* raw = nullptr;
      redisGetReply(ctx, &raw);
      auto* reply = static_cast<redisReply*>(raw);
      ++v.orders_in_redis;
      auto version = reply && reply->type == REDIS_REPLY_STRING ? to_u64(reply->str, reply->len) : 0;
      if (version == 0)
        version = archived.version(orders[k].first);
      if (version < orders[k].second)
        v.failures.push_back("redis holds order " + orders[k].first + " at version " +
                             std::to_string(version) + ", behind the acknowledged " +
                             std::to_string(orders[k].second));
      if (reply)
        freeReplyObject(reply);
    }
  }
  // Every acknowledged event is in the stream.
  std::set<std::pair<std::string, std::uint64_t>> stream;
  std::string from = "-";
  for (;;) {
    auto* reply = static_cast<redisReply*>(
      redisCommand(ctx, "XRANGE %s %s + COUNT 10000", keys.events().c_str(), from.c_str()));
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
      if (reply)
        freeReplyObject(reply);
      break;
    }
    for (std::size_t e = 0; e < reply->elements; ++e) {
      const auto* entry = reply->element[e];
      const auto* fields = entry->element[1];
      std::string order;
      std::uint64_t version = 0;
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        const std::string name{fields->element[f]->str, fields->element[f]->len};
        if (name == "order")
          order.assign(fields->element[f + 1]->str, fields->element[f + 1]->len);
        else if (name == "version")
          version = to_u64(fields->element[f + 1]->str, fields->element[f + 1]->len);
      }
      stream.emplace(std::move(order), version);
    }
    from = "(" + std::string{reply->element[reply->elements - 1]->element[0]->str};
    freeReplyObject(reply);
  }
  for (const auto& event : r.acked_events) {
    if (stream.count(event) != 0)
      ++v.events_found;
    else
      v.failures.push_back("the events stream lacks version " + std::to_string(event.second) +
                           " of order " + event.first);
  }
  // No customer has an order that was not acknowledged (a retried place made no second one).
  std::map<std::string, std::uint64_t> acked_per_customer;
  for (const auto& [id, acked] : r.acked)
    ++acked_per_customer[acked.customer];
  for (std::size_t c = 0; c < customers.size(); ++c) {
    if (r.customers_with_unsure_places.count(c) != 0)
      continue;
    auto ids = archived.orders_of(customers[c]);
    auto* reply = static_cast<redisReply*>(
      redisCommand(ctx, "ZRANGE %s 0 -1", keys.customer_index(customers[c]).c_str()));
    if (reply && reply->type == REDIS_REPLY_ARRAY)
      for (std::size_t e = 0; e < reply->elements; ++e)
        ids.emplace(reply->element[e]->str, reply->element[e]->len);
    if (reply)
      freeReplyObject(reply);
    const auto stored = static_cast<std::uint64_t>(ids.size());
    ++v.customers_counted;
    if (stored != acked_per_customer[customers[c]])
      v.failures.push_back(customers[c] + " has " + std::to_string(stored) + " orders in redis, " +
                           std::to_string(acked_per_customer[customers[c]]) + " were acknowledged" +
                           unacknowledged_orders(ctx, keys, customers[c], r));
  }
  redisFree(ctx);
}

} // namespace

verification verify(transport& t, std::size_t operator_channel, const load_result& r,
                    const std::vector<std::string>& customers,
                    const std::optional<runtime::host_port>& redis, const std::string& key_prefix,
                    const std::string& archive) {
  verification v;
  through_engine(t, operator_channel, r, v);
  if (redis) {
    archived_view archived{archive, v};
    straight_from_redis(*redis, key_prefix, r, customers, archived, v);
  }
  if (r.retry_mismatches > 0)
    v.failures.push_back(std::to_string(r.retry_mismatches) +
                         " idempotent retries returned another order than the original");
  return v;
}

} // namespace ordo::load
