// Order writes per second through the Redis store's group commit, against the raw ceiling
// of the same commit script driven by a plain hiredis pipeline, in the same run on the same
// Redis. Usage: store_throughput HOST:PORT [COMMITS] [IN_FLIGHT]
// bench/store runs it against a private redis-server; see docs/BENCHMARKS.md.

#include <caf/all.hpp>

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "actors/atoms.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "messages/codec.hpp"
#include "runtime/options.hpp"
#include "runtime/redis_keys.hpp"
#include "runtime/redis_scripts.hpp"
#include "runtime/redis_store.hpp"

namespace {

using namespace ordo;
using clock_type = std::chrono::steady_clock;

// Every commit is fenced by the lease this owner holds, as a node's are.
constexpr const char* bench_owner = "bench#1";

// A representative `place` commit: three lines, a non-member, a payment deadline.
actors::order_commit place_commit(std::uint64_t n) {
  std::array<std::uint8_t, 10> entropy{};
  for (std::size_t i = 0; i < 8; ++i)
    entropy[i] = static_cast<std::uint8_t>(n >> (8 * i));
  const auto customer = "customer-" + std::to_string(n % 10'000);
  const auto id = domain::make_order_id(1'764'000'000'000 + static_cast<std::int64_t>(n / 1000),
                                        entropy, domain::customer_tag(customer));
  domain::place_order cmd{id, customer, false, {{"SKU-1", 2, 9'900}, {"SKU-2", 1, 4'500}, {"SKU-3", 3, 1'200}}};
  auto e = *domain::decide(std::nullopt, cmd, 1'764'000'000'000);
  auto state = domain::apply_event(std::nullopt, e);
  return {0, state, e, actors::idem_claim{customer, "k-" + std::to_string(n), std::string(64, 'f')},
          state.order.created_at + 10'000, false, actors::commit_fence{bench_owner, 1}};
}

std::vector<std::string> script_args(const runtime::redis_keys& keys, const actors::order_commit& c) {
  const auto& o = c.state.order;
  std::string blob;
  encode_order(o, blob);
  const auto tag = std::string{domain::order_id_tag(o.id)};
  return {"EVALSHA", runtime::commit_script().sha1, "7", keys.order(o.id),
          keys.customer_index(o.customer), keys.idem(c.idem->customer, c.idem->key),
          keys.deadlines(tag), keys.events(), keys.member(o.customer), keys.lease(tag), "0", "1",
          blob, "0", "0", "0", o.id, o.customer, "placed", std::to_string(c.event.at),
          c.idem->fingerprint, "86400", std::to_string(*c.payment_deadline_ms), "0",
          bench_owner, "1"};
}

// Every tag's lease, held by the bench for a day: commits are fenced, as a node's are.
void hold_every_lease(redisContext* ctx, const runtime::redis_keys& keys) {
  const auto until = std::to_string(1'764'000'000'000 + 86'400'000LL * 365 * 50);
  for (std::size_t tag = 0; tag < domain::customer_tags; ++tag)
    freeReplyObject(redisCommand(ctx, "HSET %s o %s e 1 x %s", keys.lease(domain::tag_at(tag)).c_str(),
                                 bench_owner, until.c_str()));
}

// The raw ceiling: the same script, `depth` commands per round trip, one connection.
double raw_commits_per_second(const runtime::host_port& redis, const std::string& prefix,
                              std::uint64_t commits, std::uint64_t depth) {
  redisContext* ctx = redisConnect(redis.host.c_str(), redis.port);
  auto* loaded = static_cast<redisReply*>(
    redisCommand(ctx, "SCRIPT LOAD %b", runtime::commit_script().source->data(),
                 runtime::commit_script().source->size()));
  freeReplyObject(loaded);
  const runtime::redis_keys keys{prefix};
  hold_every_lease(ctx, keys);
  const auto started = clock_type::now();
  for (std::uint64_t done = 0; done < commits;) {
    const auto batch = std::min(depth, commits - done);
    for (std::uint64_t i = 0; i < batch; ++i) {
      const auto args = script_args(keys, place_commit(done + i));
      std::vector<const char*> argv;
      std::vector<std::size_t> lens;
      for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
    }
    for (std::uint64_t i = 0; i < batch; ++i) {
      void* reply = nullptr;
      redisGetReply(ctx, &reply);
      freeReplyObject(reply);
    }
    done += batch;
  }
  const std::chrono::duration<double> took = clock_type::now() - started;
  redisFree(ctx);
  return static_cast<double>(commits) / took.count();
}

// Through the store actor: `in_flight` writers, each committing its next order as soon as
// the previous one is confirmed, as order actors do.
double store_commits_per_second(caf::actor_system& sys, const runtime::host_port& redis,
                                const std::string& prefix, std::uint64_t commits,
                                std::uint64_t in_flight) {
  auto client = std::make_shared<runtime::redis_client>(
    runtime::redis_client::options{redis.host, redis.port, std::chrono::milliseconds{5'000}});
  runtime::redis_store_options opts;
  opts.key_prefix = prefix;
  opts.timeout = std::chrono::milliseconds{5'000};
  redisContext* ctx = redisConnect(redis.host.c_str(), redis.port);
  hold_every_lease(ctx, runtime::redis_keys{prefix});
  redisFree(ctx);
  auto store = runtime::spawn_redis_store(sys, client, opts);
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> failed{0};
  const auto started = clock_type::now();
  {
    caf::scoped_actor self{sys};
    std::vector<caf::actor> writers;
    for (std::uint64_t w = 0; w < in_flight; ++w) {
      writers.push_back(self->spawn([&, store](caf::event_based_actor* writer) {
        auto step = std::make_shared<std::function<void()>>();
        *step = [&, writer, store, step] {
          const auto n = next++;
          if (n >= commits)
            return;
          writer->request(store, std::chrono::seconds{10}, actors::commit_atom::value, place_commit(n))
            .then([step](actors::commit_reply&) { (*step)(); },
                  [&, step](caf::error&) {
                    ++failed;
                    (*step)();
                  });
        };
        (*step)();
      }));
    }
    for (const auto& writer : writers) // each ends when the work runs out
      self->wait_for(writer);
  }
  const std::chrono::duration<double> took = clock_type::now() - started;
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  if (failed > 0)
    std::fprintf(stderr, "store_throughput: %llu commits failed\n",
                 static_cast<unsigned long long>(failed.load()));
  return static_cast<double>(commits) / took.count();
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_throughput HOST:PORT [COMMITS] [IN_FLIGHT]\n");
    return 2;
  }
  const auto redis = runtime::parse_host_port(argv[1]);
  if (!redis) {
    std::fprintf(stderr, "store_throughput: bad address %s\n", argv[1]);
    return 2;
  }
  const std::uint64_t commits = argc > 2 ? std::stoull(argv[2]) : 100'000;
  const std::uint64_t in_flight = argc > 3 ? std::stoull(argv[3]) : 1'000;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  const auto unpipelined = raw_commits_per_second(*redis, "raw1:", commits / 10, 1);
  const auto pipelined = raw_commits_per_second(*redis, "raw:", commits, 256);
  const auto through_store = store_commits_per_second(sys, *redis, "store:", commits, in_flight);
  std::printf("%-44s %12s\n", "commit script, same arguments", "commits/s");
  std::printf("%-44s %12.0f\n", "raw hiredis, unpipelined (1 per round trip)", unpipelined);
  std::printf("%-44s %12.0f\n", "raw hiredis, pipelined 256 per round trip", pipelined);
  std::printf("%-44s %12.0f\n", "redis_store actor, group commit", through_store);
  std::printf("store / raw pipelined ceiling: %.2f\n", through_store / pipelined);
  // For drivers such as redis-benchmark: the script is loaded now.
  std::printf("commit script sha1: %s\n", runtime::commit_script().sha1.c_str());
  return 0;
}
