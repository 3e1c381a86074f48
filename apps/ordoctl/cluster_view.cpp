#include "cluster_view.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "domain/order_id.hpp"
#include "render.hpp"

namespace ordo::ctl {

namespace {

using reply_ptr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

reply_ptr command(redisContext* ctx, std::initializer_list<std::string> words) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& w : words) {
    argv.push_back(w.data());
    lens.push_back(w.size());
  }
  return {static_cast<redisReply*>(
            redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data())),
          freeReplyObject};
}

std::int64_t to_int(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_STRING)
    return 0;
  return std::strtoll(r->str, nullptr, 10);
}

} // namespace

result<cluster_view> read_cluster(const std::string& host, std::uint16_t port,
                                  const std::string& key_prefix, std::chrono::milliseconds timeout) {
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  std::unique_ptr<redisContext, decltype(&redisFree)> ctx{
    redisConnectWithTimeout(host.c_str(), port, tv), redisFree};
  const auto where = "redis at " + host + ":" + std::to_string(port);
  if (!ctx || ctx->err)
    return error{errc::unavailable, "cannot reach " + where + (ctx ? ": " + std::string{ctx->errstr} : "")};
  redisSetTimeout(ctx.get(), tv);
  auto time = command(ctx.get(), {"TIME"});
  if (!time || time->type != REDIS_REPLY_ARRAY || time->elements != 2)
    return error{errc::unavailable, where + " did not answer TIME"};
  const auto now = to_int(time->element[0]) * 1000 + to_int(time->element[1]) / 1000;
  cluster_view view;
  auto nodes = command(ctx.get(), {"HGETALL", key_prefix + "nodes"});
  if (!nodes || nodes->type != REDIS_REPLY_ARRAY)
    return error{errc::unavailable, where + " did not answer HGETALL"};
  for (std::size_t i = 0; i + 1 < nodes->elements; i += 2) {
    std::istringstream fields{nodes->element[i + 1]->str};
    std::int64_t expires = 0;
    node_view n;
    n.name = nodes->element[i]->str;
    fields >> expires >> n.owner >> n.address;
    if (expires <= now)
      continue; // expired, not yet dropped by a node's beat
    n.heartbeat_left_ms = expires - now;
    view.nodes.push_back(std::move(n));
  }
  std::sort(view.nodes.begin(), view.nodes.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (std::size_t tag = 0; tag < domain::customer_tags; ++tag)
    redisAppendCommand(ctx.get(), "HMGET %s o x",
                       (key_prefix + "{" + domain::tag_at(tag) + "}lease").c_str());
  for (std::size_t tag = 0; tag < domain::customer_tags; ++tag) {
    redisReply* raw = nullptr;
    if (redisGetReply(ctx.get(), reinterpret_cast<void**>(&raw)) != REDIS_OK)
      return error{errc::unavailable, where + " stopped answering"};
    reply_ptr lease{raw, freeReplyObject};
    const std::string owner = lease->type == REDIS_REPLY_ARRAY && lease->element[0]->type == REDIS_REPLY_STRING
                                ? lease->element[0]->str
                                : "";
    const auto left = lease->type == REDIS_REPLY_ARRAY ? to_int(lease->element[1]) - now : 0;
    const auto holder = std::find_if(view.nodes.begin(), view.nodes.end(),
                                     [&](const auto& n) { return n.owner == owner; });
    if (owner.empty() || left <= 0 || holder == view.nodes.end()) {
      ++view.unowned_tags;
      continue;
    }
    holder->soonest_lease_end_ms = holder->tags == 0 ? left : std::min(holder->soonest_lease_end_ms, left);
    holder->latest_lease_end_ms = std::max(holder->latest_lease_end_ms, left);
    ++holder->tags;
  }
  return view;
}

std::string cluster_table(const cluster_view& view) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %-22s %6s %12s %18s\n", "node", "address", "tags",
                "heartbeat", "leases end in");
  out << line;
  for (const auto& n : view.nodes) {
    const auto ends = n.tags == 0 ? std::string{"-"}
                                  : std::to_string(n.soonest_lease_end_ms) + "-" +
                                      std::to_string(n.latest_lease_end_ms) + " ms";
    std::snprintf(line, sizeof line, "%-28s %-22s %6zu %9lld ms %18s\n", n.name.c_str(),
                  n.address.c_str(), n.tags, static_cast<long long>(n.heartbeat_left_ms), ends.c_str());
    out << line;
  }
  out << view.nodes.size() << " nodes; " << view.unowned_tags << " of " << domain::customer_tags
      << " tags held by none\n";
  return out.str();
}

std::string cluster_json(const cluster_view& view) {
  std::ostringstream out;
  out << "{\"nodes\":[";
  for (std::size_t i = 0; i < view.nodes.size(); ++i) {
    const auto& n = view.nodes[i];
    out << (i ? "," : "") << "{\"name\":" << json_string(n.name) << ",\"owner\":" << json_string(n.owner)
        << ",\"address\":" << json_string(n.address) << ",\"heartbeat_left_ms\":" << n.heartbeat_left_ms
        << ",\"tags\":" << n.tags << ",\"soonest_lease_end_ms\":" << n.soonest_lease_end_ms
        << ",\"latest_lease_end_ms\":" << n.latest_lease_end_ms << "}";
  }
  out << "],\"unowned_tags\":" << view.unowned_tags << ",\"tags\":" << domain::customer_tags << "}\n";
  return out.str();
}

} // namespace ordo::ctl
