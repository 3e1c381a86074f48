// ordoarchive and ordod --archive end to end, on a real Redis, a real PostgreSQL 15 and real
// processes: every acknowledged event archived once whatever dies, archived orders leaving
// Redis after the grace and served again from the warehouse, ordoarchive's command line.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "auth/token.hpp"
#include "clients/client.hpp"
#include "integration/background_load.hpp"
#include "support/archive_process.hpp"
#include "support/ordod_process.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace ordo::test {
namespace {

using namespace std::chrono_literals;

class archive_test : public ::testing::Test {
protected:
  std::string token(ordo::role role, const std::string& subject) {
    return auth::mint_token(role, subject, unix_now_ms() / 1000 + 3600, ordod_process::auth_key);
  }

  client login(const std::string& subject, ordo::role role = ordo::role::customer) {
    auto c = client::connect("127.0.0.1", ordod->port());
    EXPECT_TRUE(c.ok());
    auto opened = c->call_as<session_result>(hello_request{token(role, subject)});
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return std::move(*c);
  }

  void start_ordod() {
    ordod = std::make_unique<ordod_process>(redis.address(),
                                            std::vector<std::string>{"--archive=" + pg.conninfo()});
  }

  std::unique_ptr<archive_process> archiver(std::vector<std::string> extra = {}) {
    return std::make_unique<archive_process>(redis.address(), pg.conninfo(), std::move(extra));
  }

  // Waits (up to 60 s) until the archive group has nothing pending and nothing unread.
  bool archive_caught_up() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto info = redis.cli({"XINFO", "GROUPS", "it:events"});
      if (info.find("pending\n0\n") != std::string::npos && info.find("lag\n0\n") != std::string::npos)
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  bool in_redis(const std::string& order_id) {
    const auto tag = order_id.substr(order_id.size() - 2);
    return redis.cli({"EXISTS", "it:{" + tag + "}o:" + order_id}) == "1\n";
  }

  redis_server redis;
  postgres_server pg;
  std::unique_ptr<ordod_process> ordod;
};

// Every (order, version) of the events stream, the highest version of every order.
std::map<std::string, std::uint64_t> stream_versions(const redis_server& redis,
                                                     std::set<std::pair<std::string, std::uint64_t>>& events) {
  std::map<std::string, std::uint64_t> latest;
  std::istringstream lines{redis.cli({"--no-raw", "XRANGE", "it:events", "-", "+"})};
  // Pairs of "order" then the id, "version" then the number, in redis-cli's listing.
  std::string line;
  std::string order;
  std::string last;
  while (std::getline(lines, line)) {
    const auto quote = line.find('"');
    if (quote == std::string::npos)
      continue;
    const auto value = line.substr(quote + 1, line.rfind('"') - quote - 1);
    if (last == "order")
      order = value;
    if (last == "version") {
      const std::uint64_t v = std::stoull(value);
      events.emplace(order, v);
      latest[order] = std::max(latest[order], v);
    }
    last = value;
  }
  return latest;
}

TEST_F(archive_test, every_event_is_archived_once_while_archivers_die_and_join_and_postgres_crashes) {
  start_ordod();
  auto first = archiver({"--claim-idle-ms=1000", "--batch=200"});
  background_load load{ordod->address(), redis.address(), 14, "archive-chaos", "lifecycle"};
  std::this_thread::sleep_for(2s);
  first->kill9(); // its batch in flight stays pending: claimed by the next
  auto second = archiver({"--claim-idle-ms=1000", "--batch=200"});
  auto third = archiver({"--claim-idle-ms=1000", "--batch=50"}); // joins the group
  std::this_thread::sleep_for(2s);
  pg.crash();
  std::this_thread::sleep_for(2s); // both archivers retry meanwhile
  pg.start();
  std::this_thread::sleep_for(2s);
  second->kill9();
  std::this_thread::sleep_for(1s);
  auto again = archiver({"--claim-idle-ms=1000"});
  ASSERT_EQ(load.finish(), 0) << load.output();
  ASSERT_TRUE(archive_caught_up()) << redis.cli({"XINFO", "GROUPS", "it:events"});

  std::set<std::pair<std::string, std::uint64_t>> events;
  const auto latest = stream_versions(redis, events);
  ASSERT_GT(events.size(), 1000u) << "the load made too few events to prove anything";
  EXPECT_EQ(pg.sql("SELECT count(*) - count(DISTINCT (order_id, version)) FROM ordo_events"), "0\n");
  EXPECT_EQ(pg.sql("SELECT count(*) FROM ordo_events"), std::to_string(events.size()) + "\n");
  // Every order at its latest version, and each version 1..v there.
  std::istringstream rows{pg.sql("SELECT order_id, version FROM ordo_orders")};
  std::size_t orders = 0;
  for (std::string row; std::getline(rows, row); ++orders) {
    const auto bar = row.find('|');
    const auto id = row.substr(0, bar);
    EXPECT_EQ(std::stoull(row.substr(bar + 1)), latest.at(id)) << id;
  }
  EXPECT_EQ(orders, latest.size());
  EXPECT_EQ(pg.sql("SELECT count(*) FROM (SELECT order_id FROM ordo_events GROUP BY order_id "
                   "HAVING max(version) <> count(*) OR min(version) <> 1) AS gaps"),
            "0\n");
  EXPECT_EQ(again->terminate(), 0);
  EXPECT_EQ(third->terminate(), 0);
}

TEST_F(archive_test, an_archived_order_leaves_redis_after_the_grace_and_is_read_listed_and_returned) {
  start_ordod();
  auto work = archiver({"--archive-grace-ms=1000"});
  auto alice = login("alice");
  auto op = login("ops", ordo::role::operator_);
  auto placed = alice.call_as<order_result>(place_request{"k-1", {{"A", 2, 30'000}}});
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  const auto id = placed->order.id;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (alice.call_as<order_result>(get_request{id})->order.status != order_status::paid &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(op.call_as<order_result>(ship_request{id, "TRK-9"}).ok());
  auto delivered = op.call_as<order_result>(deliver_request{id});
  ASSERT_TRUE(delivered.ok());
  auto hot = alice.call_as<order_result>(place_request{"k-2", {{"B", 1, 1'000}}});
  ASSERT_TRUE(hot.ok());
  // Both leave Redis once archived and unchanged for a second.
  while ((in_redis(id) || in_redis(hot->order.id)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(in_redis(id)) << work->log();
  EXPECT_EQ(redis.cli({"ZCARD", "it:{" + id.substr(id.size() - 2) + "}c:alice"}), "0\n");

  // Read, listed, authorized as before (a fresh connection: no cached actor helps).
  auto later = login("alice");
  auto got = later.call_as<order_result>(get_request{id});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->order, delivered->order);
  auto listed = later.call_as<orders_result>(list_request{});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->orders.size(), 2u);
  EXPECT_EQ(listed->orders[0].id, hot->order.id);
  EXPECT_EQ(listed->orders[1].id, id);
  auto mallory = login("mallory");
  auto refused = mallory.call(get_request{id});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::not_found);

  // A return within 30 days of delivery brings the order back into Redis and applies.
  auto returned = later.call_as<order_result>(return_request{id, "k-3", std::nullopt});
  ASSERT_TRUE(returned.ok()) << returned.error().message;
  EXPECT_EQ(returned->order.status, order_status::return_requested);
  EXPECT_EQ(returned->order.version, delivered->order.version + 1);
  EXPECT_TRUE(in_redis(id));
  auto refunded = op.call_as<order_result>(refund_request{id});
  ASSERT_TRUE(refunded.ok()) << refunded.error().message;
  EXPECT_EQ(refunded->order.status, order_status::returned);
  EXPECT_EQ(refunded->order.refunded, 60'000 - 5'000); // a non-member's return fee: read back too
  // The same idempotency key still answers the original reply.
  auto replayed = later.call_as<order_result>(return_request{id, "k-3", std::nullopt});
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->order, returned->order);
  ASSERT_TRUE(archive_caught_up());
  const auto v = std::to_string(refunded->order.version);
  const auto deadline2 = std::chrono::steady_clock::now() + 30s;
  while (pg.sql("SELECT version FROM ordo_orders WHERE order_id = '" + id + "'") != v + "\n" &&
         std::chrono::steady_clock::now() < deadline2)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pg.sql("SELECT version, status FROM ordo_orders WHERE order_id = '" + id + "'"),
            v + "|returned\n");
}

TEST_F(archive_test, an_order_changed_during_its_grace_stays_in_redis) {
  start_ordod();
  auto work = archiver({"--archive-grace-ms=2000"});
  auto alice = login("alice");
  auto placed = alice.call_as<order_result>(place_request{"k-1", {{"A", 30, 100'000}}});
  ASSERT_TRUE(placed.ok());
  const auto id = placed->order.id;
  // One unit cancelled every 400 ms for 6 s: each change archived, none unchanged for the
  // grace, so the order never leaves Redis.
  const auto until = std::chrono::steady_clock::now() + 6s;
  for (int n = 0; std::chrono::steady_clock::now() < until; ++n) {
    ASSERT_TRUE(in_redis(id)) << "evicted after " << n << " changes";
    auto got = alice.call_as<order_result>(get_request{id});
    ASSERT_TRUE(got.ok());
    if (got->order.status == order_status::paid) {
      auto cut = alice.call_as<order_result>(
        cancel_request{id, "c-" + std::to_string(n), std::vector<line_quantity>{{"A", 1}}});
      ASSERT_TRUE(cut.ok()) << cut.error().message;
    }
    std::this_thread::sleep_for(400ms);
  }
  EXPECT_TRUE(in_redis(id));
  EXPECT_NE(pg.sql("SELECT version FROM ordo_orders WHERE order_id = '" + id + "'"), "1\n");
}

TEST_F(archive_test, with_the_warehouse_down_only_archived_orders_are_unavailable) {
  start_ordod();
  auto work = archiver({"--archive-grace-ms=500"});
  auto alice = login("alice");
  auto old = alice.call_as<order_result>(place_request{"k-1", {{"A", 1, 1'000}}});
  ASSERT_TRUE(old.ok());
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (in_redis(old->order.id) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(in_redis(old->order.id));
  work->kill9();
  pg.stop();
  // A new ordod: the old one may still hold the order in memory, which is as good as Redis.
  ASSERT_EQ(ordod->terminate(), 0);
  start_ordod();
  auto fresh = login("alice");
  auto missing = fresh.call(get_request{old->order.id});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::unavailable) << missing.error().message;
  auto listed = fresh.call(list_request{});
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, errc::unavailable);
  auto placed = fresh.call_as<order_result>(place_request{"k-2", {{"B", 1, 1'000}}});
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  EXPECT_TRUE(fresh.call_as<order_result>(get_request{placed->order.id}).ok());
  pg.start();
  // Back: served again, without restarting ordod.
  const auto back_by = std::chrono::steady_clock::now() + 30s;
  result<order_result> again = error{errc::unavailable, ""};
  while (!again.ok() && std::chrono::steady_clock::now() < back_by) {
    again = fresh.call_as<order_result>(get_request{old->order.id});
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->order.id, old->order.id);
}

TEST_F(archive_test, ordoarchive_waits_for_postgres_then_runs_and_stops_cleanly_on_sigterm) {
  pg.stop();
  archive_process work{redis.address(), pg.conninfo(), {}, false};
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(::kill(work.pid(), 0), 0) << "ordoarchive gave up with PostgreSQL down";
  pg.start();
  ASSERT_TRUE(work.await_running()) << work.log();
  EXPECT_NE(work.log().find("event=postgres_down"), std::string::npos) << work.log();
  EXPECT_EQ(work.terminate(), 0);
}

TEST_F(archive_test, ordoctl_report_counts_what_was_archived_today_and_ordoarchive_exports_metrics) {
  start_ordod();
  const auto metrics_port = free_loopback_port();
  auto work = archiver({"--metrics=127.0.0.1:" + std::to_string(metrics_port)});
  auto alice = login("alice");
  auto kept = alice.call_as<order_result>(place_request{"k-1", {{"A", 2, 10'000}}});
  auto dropped = alice.call_as<order_result>(place_request{"k-2", {{"B", 1, 5'000}}});
  ASSERT_TRUE(kept.ok() && dropped.ok());
  ASSERT_TRUE(alice.call_as<order_result>(cancel_request{dropped->order.id, "k-3", std::nullopt}).ok());
  ASSERT_TRUE(archive_caught_up());
  const auto today = pg.sql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
  const auto day = today.substr(0, 10);
  const auto report = run_command(std::string{ORDOCTL_PATH} + " report --from " + day + " --to " + day +
                                  " --json --postgres '" + pg.conninfo() + "'");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out, "[{\"day\":\"" + day +
                          "\",\"orders_placed\":2,\"gross_merchandise_value\":25000,"
                          "\"cancellation_rate\":0.5000,\"return_rate\":0.0000,\"members_share\":0.0000}]\n");
  // The lag is sampled every second: wait for a sample after the last batch.
  command_result scraped;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  do {
    std::this_thread::sleep_for(200ms);
    scraped = run_command("curl -s http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  } while ((scraped.out.find("ordo_archive_events_total 4\n") == std::string::npos ||
            scraped.out.find("ordo_archive_lag_entries 0\n") == std::string::npos) &&
           std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(scraped.exit_code, 0);
  for (const char* family : {"ordo_archive_events_total 4", "ordo_archive_lag_entries 0",
                             "ordo_archive_lag_seconds 0", "ordo_archive_batch_duration_seconds_bucket",
                             "ordo_ready 1"})
    EXPECT_NE(scraped.out.find(family), std::string::npos) << family << "\n" << scraped.out;
  const auto ready = run_command("curl -s http://127.0.0.1:" + std::to_string(metrics_port) + "/ready");
  EXPECT_EQ(ready.out, "ready\n");
  const auto checked = run_command("curl -s http://127.0.0.1:" + std::to_string(metrics_port) +
                                   "/metrics | promtool check metrics");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

// What the warehouse cannot take must not stall it: an entry an older engine wrote (without
// the warehouse's fields), a sku holding NUL (jsonb refuses it) and one PostgreSQL refuses
// as UTF-8 (an overlong encoding) go to the dead-letter stream and are acknowledged, and the
// orders around them are archived.
TEST_F(archive_test, entries_the_warehouse_cannot_take_go_to_the_dead_letter_stream_and_stall_nothing) {
  start_ordod();
  auto alice = login("alice");
  auto before = alice.call_as<order_result>(place_request{"k-0", {{"A", 1, 1'000}}});
  ASSERT_TRUE(before.ok());
  redis.cli({"XADD", "it:events", "*", "order", "x", "customer", "alice", "type", "placed", "version", "1",
             "at", "1", "order_state", "junk"});
  for (const auto& sku : {std::string("n\0l", 3), std::string("\xC0\x80u")}) {
    auto odd = alice.call_as<order_result>(place_request{"k-" + std::to_string(sku.size()) + sku.substr(2),
                                                         {{sku, 1, 1'000}}});
    ASSERT_TRUE(odd.ok()) << odd.error().message;
  }
  auto after = alice.call_as<order_result>(place_request{"k-9", {{"B", 1, 2'000}}});
  ASSERT_TRUE(after.ok());
  auto work = archiver({"--batch=50"});
  ASSERT_TRUE(archive_caught_up()) << redis.cli({"XINFO", "GROUPS", "it:events"}) << work->log();
  // The old entry, and placed and paid of each odd order.
  EXPECT_EQ(redis.cli({"XLEN", "it:events-unarchived"}), "5\n") << work->log();
  for (const auto& id : {before->order.id, after->order.id})
    EXPECT_EQ(pg.sql("SELECT count(*) FROM ordo_orders WHERE order_id = '" + id + "'"), "1\n") << id;
  EXPECT_NE(work->log().find("event=entry_unarchived"), std::string::npos);
}

TEST(ordoarchive_cli, help_and_bad_options_are_clear) {
  const std::string bin = ORDOARCHIVE_PATH;
  const auto help = run_command(bin + " --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--postgres", "--redis", "--key-prefix", "--group", "--consumer", "--batch",
                             "--claim-idle-ms", "--archive-grace-ms", "--metrics"})
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  const std::pair<const char*, const char*> bad[] = {
    {"", "--postgres=CONNINFO is required"},
    {"--postgres='host=x port=1' --batch=0", "--batch must be a whole number from 1 to 100000"},
    {"--postgres='nonsense'", "--postgres is not a libpq connection string"},
    {"--postgres='host=x' --redis=nowhere", "--redis must be HOST:PORT"},
    {"--postgres='host=x' --frobnicate=1", "unknown option --frobnicate"},
  };
  for (const auto& [args, message] : bad) {
    const auto r = run_command(bin + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
  }
}

} // namespace
} // namespace ordo::test
