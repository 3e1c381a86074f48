// One node's view of one tag's lease: every phase, every answer (and answers that come too
// late), and the serving window counted from the send time of the request granted.

#include <gtest/gtest.h>

#include "cluster/ownership.hpp"

namespace ordo::cluster {
namespace {

const lease_timing timing = timing_for(3000); // renew after 1000, stop serving 600 early

// Acquired with the acquire sent at `sent_at`.
tag_ownership held_since(std::int64_t sent_at, std::uint64_t epoch = 7) {
  tag_ownership own{timing};
  const auto t = own.acquire_sent(sent_at);
  EXPECT_TRUE(own.granted(t, epoch));
  return own;
}

TEST(ownership, timing_for_renews_at_a_third_and_stops_a_fifth_early) {
  const auto t = timing_for(3000);
  EXPECT_EQ(t.lease_ms, 3000);
  EXPECT_EQ(t.renew_after_ms, 1000);
  EXPECT_EQ(t.margin_ms, 600);
  EXPECT_EQ(timing_for(100).renew_after_ms, 33);
  EXPECT_EQ(timing_for(100).margin_ms, 20);
}

TEST(ownership, the_default_margin_covers_5_percent_drift_and_473_ms_of_answer_delay) {
  EXPECT_EQ(max_answer_delay_ms(timing_for(3000)), 473);
  EXPECT_GT(max_answer_delay_ms(timing_for(100)), 0);
  EXPECT_LT(max_answer_delay_ms({3000, 1000, 0}), 0); // no margin covers no drift
}

TEST(ownership, a_new_tag_is_idle_and_wants_to_be_acquired) {
  tag_ownership own{timing};
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_EQ(own.epoch(), 0u);
  EXPECT_TRUE(own.wants_acquire(0));
  EXPECT_FALSE(own.may_serve(0));
  EXPECT_FALSE(own.wants_renew(5000));
  EXPECT_FALSE(own.wants_release());
}

TEST(ownership, an_acquire_out_is_not_sent_again) {
  tag_ownership own{timing};
  own.acquire_sent(100);
  EXPECT_EQ(own.phase(), tag_phase::acquiring);
  EXPECT_FALSE(own.wants_acquire(100'000));
  EXPECT_FALSE(own.may_serve(100));
}

TEST(ownership, a_grant_holds_the_tag_and_asks_for_its_data_to_be_loaded) {
  tag_ownership own{timing};
  const auto t = own.acquire_sent(100);
  EXPECT_TRUE(own.granted(t, 7));
  EXPECT_EQ(own.phase(), tag_phase::held);
  EXPECT_EQ(own.epoch(), 7u);
}

TEST(ownership, serving_is_counted_from_the_send_time_of_the_acquire_not_its_answer) {
  tag_ownership own{timing};
  const auto t = own.acquire_sent(100);
  // The answer came 2 s later: the term began in Redis somewhere in between.
  EXPECT_TRUE(own.granted(t, 7));
  EXPECT_TRUE(own.may_serve(2100));
  EXPECT_TRUE(own.may_serve(100 + 3000 - 600 - 1));
  EXPECT_FALSE(own.may_serve(100 + 3000 - 600));
}

TEST(ownership, renewal_is_due_a_third_of_a_lease_after_the_grant_was_asked_for) {
  auto own = held_since(100);
  EXPECT_FALSE(own.wants_renew(1099));
  EXPECT_TRUE(own.wants_renew(1100));
}

TEST(ownership, a_renewal_granted_moves_the_serving_window_to_its_send_time) {
  auto own = held_since(100);
  const auto t = own.renew_sent(1200);
  EXPECT_FALSE(own.wants_renew(2000)); // one out at a time
  EXPECT_FALSE(own.granted(t, 7));     // not a new hold: the data is still current
  EXPECT_EQ(own.phase(), tag_phase::held);
  EXPECT_TRUE(own.may_serve(1200 + 2400 - 1));
  EXPECT_FALSE(own.may_serve(1200 + 2400));
  EXPECT_TRUE(own.wants_renew(2200));
}

TEST(ownership, while_a_renewal_is_unanswered_serving_still_ends_with_the_old_term) {
  auto own = held_since(100);
  own.renew_sent(1100);
  EXPECT_FALSE(own.may_serve(2500));
  EXPECT_EQ(own.phase(), tag_phase::held);
}

TEST(ownership, a_renewal_that_timed_out_is_sent_again) {
  auto own = held_since(100);
  const auto t = own.renew_sent(1100);
  own.timed_out(t);
  EXPECT_EQ(own.phase(), tag_phase::held);
  EXPECT_TRUE(own.wants_renew(2100));
  EXPECT_TRUE(own.may_serve(2499)); // still the first term
}

TEST(ownership, a_renewal_refused_means_the_lease_is_gone) {
  auto own = held_since(100);
  const auto t = own.renew_sent(1100);
  own.refused(t, 1500, 0);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_EQ(own.epoch(), 0u);
  EXPECT_FALSE(own.may_serve(1500));
  EXPECT_TRUE(own.wants_acquire(1500));
}

TEST(ownership, an_acquire_refused_is_asked_again_when_the_holders_lease_runs_out) {
  tag_ownership own{timing};
  const auto t = own.acquire_sent(100);
  own.refused(t, 400, 1700);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_FALSE(own.wants_acquire(2099));
  EXPECT_TRUE(own.wants_acquire(2100));
}

TEST(ownership, an_acquire_refused_with_a_lease_left_out_of_bounds_waits_a_lease_at_most) {
  tag_ownership own{timing};
  auto t = own.acquire_sent(100);
  own.refused(t, 400, 1'000'000);
  EXPECT_TRUE(own.wants_acquire(3400));
  t = own.acquire_sent(3400);
  own.refused(t, 3500, -5);
  EXPECT_TRUE(own.wants_acquire(3501));
}

TEST(ownership, an_acquire_that_timed_out_is_asked_again_at_once) {
  tag_ownership own{timing};
  const auto t = own.acquire_sent(100);
  own.timed_out(t);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_TRUE(own.wants_acquire(1100));
}

TEST(ownership, the_answer_to_a_request_given_up_on_changes_nothing) {
  tag_ownership own{timing};
  const auto first = own.acquire_sent(100);
  own.timed_out(first);
  const auto second = own.acquire_sent(1100);
  EXPECT_FALSE(own.granted(first, 7));
  own.refused(first, 1200, 500);
  own.timed_out(first);
  EXPECT_EQ(own.phase(), tag_phase::acquiring);
  EXPECT_TRUE(own.granted(second, 7));
  EXPECT_TRUE(own.may_serve(100 + 2400)); // counted from the second acquire
  EXPECT_TRUE(own.may_serve(1100 + 2400 - 1));
  EXPECT_FALSE(own.may_serve(1100 + 2400));
}

TEST(ownership, handing_off_stops_serving_at_once_and_then_releases) {
  auto own = held_since(100);
  own.hand_off();
  EXPECT_EQ(own.phase(), tag_phase::handing_off);
  EXPECT_FALSE(own.may_serve(200));
  EXPECT_FALSE(own.wants_renew(5000));
  EXPECT_TRUE(own.wants_release());
  const auto t = own.release_sent();
  EXPECT_EQ(own.phase(), tag_phase::releasing);
  EXPECT_EQ(own.epoch(), 7u);
  EXPECT_FALSE(own.wants_release());
  EXPECT_FALSE(own.wants_acquire(5000)); // not before the release is answered
  own.released(t);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_EQ(own.epoch(), 0u);
  EXPECT_TRUE(own.wants_acquire(5000));
}

TEST(ownership, a_hand_off_waits_for_the_renewal_out) {
  auto own = held_since(100);
  const auto t = own.renew_sent(1100);
  own.hand_off();
  EXPECT_FALSE(own.wants_release());
  EXPECT_FALSE(own.granted(t, 7));
  EXPECT_EQ(own.phase(), tag_phase::handing_off);
  EXPECT_TRUE(own.wants_release());
}

TEST(ownership, a_hand_off_whose_renewal_is_refused_has_nothing_left_to_release) {
  auto own = held_since(100);
  const auto t = own.renew_sent(1100);
  own.hand_off();
  own.refused(t, 1200, 0);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_FALSE(own.wants_release());
}

TEST(ownership, a_release_that_timed_out_is_sent_again) {
  auto own = held_since(100);
  own.hand_off();
  const auto t = own.release_sent();
  own.timed_out(t);
  EXPECT_EQ(own.phase(), tag_phase::releasing);
  EXPECT_TRUE(own.wants_release());
  const auto again = own.release_sent();
  own.released(t); // the first one's answer, too late
  EXPECT_EQ(own.phase(), tag_phase::releasing);
  own.released(again);
  EXPECT_EQ(own.phase(), tag_phase::idle);
}

TEST(ownership, the_next_hold_after_a_release_is_a_new_epoch_to_load_afresh) {
  auto own = held_since(100, 7);
  own.hand_off();
  own.released(own.release_sent());
  const auto t = own.acquire_sent(4000);
  EXPECT_TRUE(own.granted(t, 8));
  EXPECT_TRUE(own.may_serve(4000));
}

TEST(ownership, redis_granting_a_released_epoch_again_is_a_broken_invariant) {
  auto own = held_since(100, 7);
  own.hand_off();
  own.released(own.release_sent());
  const auto t = own.acquire_sent(4000);
  EXPECT_DEATH(own.granted(t, 7), "retired_epoch_");
}

TEST(ownership, a_commit_fenced_under_the_epoch_held_loses_the_tag) {
  auto own = held_since(100, 7);
  own.lost(7);
  EXPECT_EQ(own.phase(), tag_phase::idle);
  EXPECT_FALSE(own.may_serve(200));
  EXPECT_TRUE(own.wants_acquire(200));
}

TEST(ownership, a_commit_fenced_under_an_older_epoch_changes_nothing) {
  auto own = held_since(100, 7);
  own.lost(6);
  EXPECT_EQ(own.phase(), tag_phase::held);
  EXPECT_TRUE(own.may_serve(200));
}

TEST(ownership, a_lost_tag_ignores_the_answer_to_its_renewal) {
  auto own = held_since(100, 7);
  const auto t = own.renew_sent(1100);
  own.lost(7);
  EXPECT_FALSE(own.granted(t, 7));
  EXPECT_EQ(own.phase(), tag_phase::idle);
}

TEST(ownership, a_lost_epoch_is_never_served_again) {
  auto own = held_since(100, 7);
  own.lost(7);
  const auto t = own.acquire_sent(300);
  EXPECT_DEATH(own.granted(t, 7), "retired_epoch_");
}

} // namespace
} // namespace ordo::cluster
