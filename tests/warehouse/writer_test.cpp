// The warehouse's writer and queries on a real PostgreSQL 15: exactly once whatever is
// written again or out of order, monthly partitions, and what the engine reads back.

#include <gtest/gtest.h>

#include <thread>

#include "messages/order_json.hpp"
#include "support/postgres_server.hpp"
#include "warehouse/archive_queries.hpp"
#include "warehouse/archive_writer.hpp"
#include "warehouse/schema.hpp"

namespace ordo::warehouse {
namespace {

// 2026-12-01 00:00:00 UTC.
constexpr std::int64_t december = 1'796'083'200'000;
constexpr std::int64_t day_ms = 86'400'000;

class warehouse_test : public ::testing::Test {
protected:
  static void SetUpTestSuite() { pg_ = new test::postgres_server; }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }

  void SetUp() override { pg_->sql("DROP TABLE IF EXISTS ordo_events, ordo_orders CASCADE"); }

  static std::unique_ptr<pg_connection> connect() {
    auto c = pg_connection::connect(pg_->conninfo());
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return std::move(*c);
  }

  static archive_writer writer() {
    auto w = archive_writer::open(connect(), december);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return std::move(*w);
  }

  static test::postgres_server* pg_;
};

test::postgres_server* warehouse_test::pg_ = nullptr;

// Order `id` of `customer` after `version` events, the last at `at`.
archived_event event(const std::string& id, const std::string& customer, std::uint64_t version,
                     std::int64_t at, order_status status = order_status::paid) {
  archived_event e;
  e.type = version == 1 ? "placed" : "paid";
  e.at = at;
  auto& o = e.state.order;
  o.id = id;
  o.customer = customer;
  o.status = status;
  o.lines = {{"sku-1", 2, 10'000, 0, 0}, {"sku\t\"2\"\\n", 1, 5'000, 0, 0}};
  o.subtotal = 25'000;
  o.total = 25'000;
  o.version = version;
  o.created_at = at - static_cast<std::int64_t>(version - 1);
  o.updated_at = at;
  if (status == order_status::cancelled)
    o.reason = "payment_timeout";
  e.state.member = customer == "member";
  e.state.charged = version > 1 ? 25'000 : 0;
  e.state.delivered_at = version > 3 ? at : 0;
  return e;
}

TEST_F(warehouse_test, a_batch_written_twice_or_out_of_order_leaves_each_event_once_and_orders_at_their_latest) {
  auto w = writer();
  const std::vector<archived_event> first{event("a1", "alice", 1, december + 1'000),
                                          event("a1", "alice", 2, december + 2'000)};
  const std::vector<archived_event> later{event("a1", "alice", 3, december + 3'000),
                                          event("b1", "bob", 1, december + 3'500)};
  ASSERT_TRUE(w.write(later).ok());
  ASSERT_TRUE(w.write(first).ok()); // redelivered late: must not move a1 back
  ASSERT_TRUE(w.write(first).ok()); // and again
  std::vector<archived_event> mixed = later;
  mixed.push_back(later.front()); // the same event twice in one batch
  ASSERT_TRUE(w.write(mixed).ok());
  EXPECT_EQ(pg_->sql("SELECT count(*), count(DISTINCT (order_id, version)) FROM ordo_events"), "4|4\n");
  EXPECT_EQ(pg_->sql("SELECT order_id, version, status FROM ordo_orders ORDER BY order_id"),
            "a1|3|paid\nb1|1|paid\n");
  EXPECT_EQ(pg_->sql("SELECT type FROM ordo_events WHERE order_id = 'a1' ORDER BY version"),
            "placed\npaid\npaid\n");
}

TEST_F(warehouse_test, events_are_partitioned_by_month_and_a_new_month_gets_its_partition) {
  auto w = writer();
  EXPECT_EQ(pg_->sql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'ordo_events'::regclass"), "3\n");
  // 2031-05-17: years ahead of the partitions made at the start.
  ASSERT_TRUE(w.write({event("far", "alice", 1, 1'936'742'400'000)}).ok());
  EXPECT_EQ(pg_->sql("SELECT count(*) FROM ordo_events_2031_05"), "1\n");
  EXPECT_EQ(pg_->sql("SELECT count(*) FROM ordo_events_2026_12"), "0\n");
  EXPECT_EQ(partition_name(month_of(december)), "ordo_events_2026_12");
  EXPECT_EQ(partition_name(month_of(december - 1)), "ordo_events_2026_11");
}

TEST_F(warehouse_test, an_order_reads_back_with_what_the_rules_need) {
  auto w = writer();
  auto e = event("m1", "member", 5, december + 10'000, order_status::delivered);
  e.state.order.tracking = "TRK-1";
  ASSERT_TRUE(w.write({e}).ok());
  auto conn = connect();
  auto found = find_order(*conn, "m1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, e.state);
  auto missing = find_order(*conn, "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(pg_->sql("SELECT state->>'tracking', state->'lines'->1->>'sku' FROM ordo_orders"),
            "TRK-1|sku\t\"2\"\\n\n");
}

TEST_F(warehouse_test, a_customers_orders_list_newest_first_and_before_is_exclusive) {
  auto w = writer();
  ASSERT_TRUE(w.write({event("01A", "alice", 1, december), event("01C", "alice", 1, december),
                       event("01B", "alice", 2, december), event("01Z", "bob", 1, december)})
                .ok());
  auto conn = connect();
  auto all = list_orders(*conn, "alice", "", 10);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].order.id, "01C");
  EXPECT_EQ((*all)[2].order.id, "01A");
  auto page = list_orders(*conn, "alice", "01C", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].order.id, "01B");
}

TEST_F(warehouse_test, the_daily_report_counts_orders_value_cancellations_returns_and_members) {
  auto w = writer();
  ASSERT_TRUE(w.write({event("d1", "member", 2, december + 1'000),
                       event("d2", "alice", 1, december + 2'000, order_status::cancelled),
                       event("d3", "alice", 6, december + 3'000, order_status::returned),
                       event("e1", "alice", 2, december + day_ms + 1'000)})
                .ok());
  auto conn = connect();
  auto days = daily_report(*conn, "2026-12-01", "2026-12-02");
  ASSERT_TRUE(days.ok()) << days.error().message;
  ASSERT_EQ(days->size(), 2u);
  const auto& first = (*days)[0];
  EXPECT_EQ(first.day, "2026-12-01");
  EXPECT_EQ(first.placed, 3);
  EXPECT_EQ(first.gross_merchandise_value, 3 * 25'000);
  EXPECT_EQ(first.cancelled, 1);
  EXPECT_EQ(first.returned, 1);
  EXPECT_EQ(first.by_members, 1);
  EXPECT_EQ((*days)[1].day, "2026-12-02");
  EXPECT_EQ((*days)[1].placed, 1);
  auto none = daily_report(*conn, "2026-11-01", "2026-11-30");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// ordod --archive may start before any archiver made the tables: nothing is archived yet.
TEST_F(warehouse_test, before_any_archiver_ran_nothing_is_archived_rather_than_an_error) {
  auto conn = connect();
  auto found = find_order(*conn, "a1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_FALSE(found->has_value());
  auto listed = list_orders(*conn, "alice", "", 10);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_TRUE(listed->empty());
  auto days = daily_report(*conn, "2026-12-01", "2026-12-31");
  ASSERT_TRUE(days.ok()) << days.error().message;
  EXPECT_TRUE(days->empty());
}

TEST_F(warehouse_test, archivers_starting_together_make_the_schema_once) {
  std::vector<std::thread> starting;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i)
    starting.emplace_back([&] {
      auto c = pg_connection::connect(pg_->conninfo());
      if (c && archive_writer::open(std::move(*c), december))
        ++opened;
    });
  for (auto& t : starting)
    t.join();
  EXPECT_EQ(opened.load(), 4);
}

TEST_F(warehouse_test, a_batch_postgres_refuses_writes_nothing) {
  auto w = writer();
  pg_->sql("ALTER TABLE ordo_orders ADD CONSTRAINT small CHECK (total < 20000)");
  const auto refused = w.write({event("x1", "alice", 1, december)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::internal);
  EXPECT_EQ(pg_->sql("SELECT count(*) FROM ordo_events"), "0\n");
  pg_->sql("ALTER TABLE ordo_orders DROP CONSTRAINT small");
  EXPECT_TRUE(w.write({event("x1", "alice", 1, december)}).ok()); // the connection is still good
}

TEST(order_json, an_order_round_trips_and_bad_json_is_a_clear_error) {
  auto o = event("r1", "alice", 3, december).state.order;
  o.tracking = "T\x01";
  auto back = order_from_json(order_json(o));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, o);
  for (const char* bad : {"", "[]", "{\"id\":1}", "{not json"}) {
    auto refused = order_from_json(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code, errc::bad_request);
  }
}

} // namespace
} // namespace ordo::warehouse
