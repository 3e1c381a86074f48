// The order actor under several nodes: it serves an order only while this node holds the
// order's tag, commits under that lease, reads the order again under a new epoch, waits
// out a hand-off, and treats a fenced commit as nothing applied.

#include "actor_fixture.hpp"

#include <map>
#include <mutex>
#include <set>

#include "actors/served_tags.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"

namespace ordo::actors::test {
namespace {

using std::chrono::milliseconds;

// The leases a node holds, set by the test.
class test_tags final : public served_tags {
public:
  std::optional<commit_fence> lease_of(std::size_t tag) const override {
    std::lock_guard lock{mutex_};
    const auto it = held_.find(tag);
    return it == held_.end() ? std::nullopt : std::optional{it->second};
  }

  bool awaiting(std::size_t tag) const override {
    std::lock_guard lock{mutex_};
    return expected_.count(tag) > 0;
  }

  void fenced(std::size_t tag, std::uint64_t epoch) override {
    std::lock_guard lock{mutex_};
    fenced_.emplace_back(tag, epoch);
    const auto it = held_.find(tag);
    if (it != held_.end() && it->second.epoch == epoch)
      held_.erase(it);
  }

  std::optional<commit_fence> begin_commit(std::size_t tag) override {
    std::lock_guard lock{mutex_};
    const auto it = held_.find(tag);
    if (it == held_.end())
      return std::nullopt;
    ++in_flight_[tag];
    return it->second;
  }

  void end_commit(std::size_t tag) override {
    std::lock_guard lock{mutex_};
    --in_flight_[tag];
  }

  void hold(std::size_t tag, std::uint64_t epoch) {
    std::lock_guard lock{mutex_};
    held_[tag] = commit_fence{"node-a#1", epoch};
  }

  void drop(std::size_t tag) {
    std::lock_guard lock{mutex_};
    held_.erase(tag);
  }

  void expect(std::size_t tag, bool coming) {
    std::lock_guard lock{mutex_};
    if (coming)
      expected_.insert(tag);
    else
      expected_.erase(tag);
  }

  int in_flight(std::size_t tag) {
    std::lock_guard lock{mutex_};
    return in_flight_[tag];
  }

  std::vector<std::pair<std::size_t, std::uint64_t>> fenced_calls() {
    std::lock_guard lock{mutex_};
    return fenced_;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::size_t, commit_fence> held_;
  std::map<std::size_t, int> in_flight_;
  std::set<std::size_t> expected_;
  std::vector<std::pair<std::size_t, std::uint64_t>> fenced_;
};

class tag_owner : public actor_fixture {
protected:
  tag_owner() {
    ctx.tags = tags;
    ctx.tag_wait = milliseconds{500};
    tags->expect(tag, true);
  }

  // Holds alice's tag under `epoch`, in this node's view and in the store's.
  void hold(std::uint64_t epoch) {
    tags->hold(tag, epoch);
    data->leases[domain::tag_at(tag)] = commit_fence{"node-a#1", epoch};
  }

  std::size_t tag = domain::tag_index(domain::customer_tag("alice"));
  std::shared_ptr<test_tags> tags = std::make_shared<test_tags>();
};

TEST_F(tag_owner, commits_carry_the_lease_and_none_stays_in_flight) {
  hold(7);
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 1'000}});
  advance(milliseconds{3});
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
  EXPECT_EQ(tags->in_flight(tag), 0);
  EXPECT_TRUE(tags->fenced_calls().empty());
}

TEST_F(tag_owner, a_request_waits_for_the_tag_and_is_served_once_it_is_held) {
  const auto alice = login("alice");
  auto placing = send(alice, place_request{"k-1", {{"A", 1, 1'000}}});
  advance(milliseconds{200});
  EXPECT_FALSE(placing->done);
  EXPECT_TRUE(data->orders.empty());
  hold(1);
  advance(milliseconds{100});
  ASSERT_TRUE(placing->ok()) << placing->error.message;
}

TEST_F(tag_owner, a_tag_never_served_makes_the_request_unavailable_with_nothing_applied) {
  const auto alice = login("alice");
  auto placing = send(alice, place_request{"k-1", {{"A", 1, 1'000}}});
  for (int i = 0; i < 20 && !placing->done; ++i)
    advance(milliseconds{50});
  ASSERT_TRUE(placing->done);
  EXPECT_EQ(placing->code(), errc::unavailable);
  EXPECT_NE(placing->error.message.find("not served by this node"), std::string::npos);
  EXPECT_TRUE(data->orders.empty());
}

TEST_F(tag_owner, a_tag_another_node_serves_is_unavailable_at_once) {
  tags->expect(tag, false);
  const auto alice = login("alice");
  auto placing = send(alice, place_request{"k-1", {{"A", 1, 1'000}}});
  run();
  ASSERT_TRUE(placing->done);
  EXPECT_EQ(placing->code(), errc::unavailable);
  EXPECT_TRUE(data->orders.empty());
}

TEST_F(tag_owner, a_read_under_a_new_epoch_sees_what_another_node_wrote_meanwhile) {
  hold(1);
  const auto alice = login("alice");
  const auto ops = login("ops", ordo::role::operator_);
  const auto placed = place(alice, {{"A", 1, 1'000}});
  advance(milliseconds{3});
  ASSERT_EQ(call(alice, get_request{placed.id}).order().status, order_status::paid);
  // The tag moved away and back; meanwhile its other owner shipped the order.
  auto shipped = data->orders.at(placed.id);
  const auto e = domain::decide(shipped, domain::ship_order{"TRK-9"}, now);
  ASSERT_TRUE(e.ok());
  data->orders[placed.id] = domain::apply_event(shipped, *e);
  hold(3);
  const auto got = call(alice, get_request{placed.id});
  ASSERT_TRUE(got.ok()) << got.error.message;
  EXPECT_EQ(got.order().status, order_status::shipped);
  EXPECT_EQ(call(ops, deliver_request{placed.id}).order().status, order_status::delivered);
}

TEST_F(tag_owner, a_fenced_commit_applies_nothing_and_the_node_stops_serving_the_tag) {
  hold(1);
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 2, 1'000}});
  advance(milliseconds{3});
  // Another node took the lease while this one still believed it held it.
  data->leases[domain::tag_at(tag)] = commit_fence{"node-b#1", 2};
  auto cancel = send(alice, cancel_request{placed.id, "k-c", std::nullopt});
  for (int i = 0; i < 20 && !cancel->done; ++i)
    advance(milliseconds{50});
  ASSERT_TRUE(cancel->done);
  EXPECT_EQ(cancel->code(), errc::unavailable);
  EXPECT_EQ(data->orders.at(placed.id).order.status, order_status::paid);
  EXPECT_EQ(tags->fenced_calls(),
            (std::vector<std::pair<std::size_t, std::uint64_t>>{{tag, 1}}));
  EXPECT_FALSE(tags->lease_of(tag).has_value());
  EXPECT_EQ(tags->in_flight(tag), 0);
}

TEST_F(tag_owner, a_command_waiting_through_a_hand_off_is_applied_once_by_the_next_epoch) {
  hold(1);
  const auto alice = login("alice");
  const auto placed = place(alice, {{"A", 2, 1'000}});
  advance(milliseconds{3});
  tags->drop(tag);
  auto cancel = send(alice, cancel_request{placed.id, "k-c", std::nullopt});
  advance(milliseconds{150});
  EXPECT_FALSE(cancel->done);
  hold(2);
  advance(milliseconds{100});
  ASSERT_TRUE(cancel->ok()) << cancel->error.message;
  EXPECT_EQ(cancel->order().status, order_status::cancelled);
  EXPECT_EQ(data->orders.at(placed.id).order.version, placed.version + 2);
}

} // namespace
} // namespace ordo::actors::test
