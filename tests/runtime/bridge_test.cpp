// The bridge answers every request exactly once: with the session's reply, or with a
// timeout once its request timeout has passed (and then never again, when the reply comes
// late). Real actor system and clock; the "session shard" is a stand-in actor.

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include <condition_variable>
#include <mutex>

#include "actors/atoms.hpp"
#include "actors/session_protocol.hpp"
#include "runtime/bridge.hpp"

namespace ordo::runtime {
namespace {

using namespace ordo::actors;
using std::chrono::milliseconds;

using release_atom = caf::atom_constant<caf::atom("release")>;

// A session shard that answers pings at once and holds every other request until told to
// release them.
using stand_in_shard_actor = session_directory_actor::extend<caf::reacts_to<release_atom>>;

stand_in_shard_actor::behavior_type stand_in_shard(stand_in_shard_actor::pointer self) {
  auto held = std::make_shared<std::vector<caf::typed_response_promise<ordo::reply_body>>>();
  return {
    [=](request_atom, session_request& req) -> caf::result<ordo::reply_body> {
      if (std::holds_alternative<ping_request>(req.body))
        return ordo::reply_body{pong_result{}};
      held->push_back(self->make_response_promise<ordo::reply_body>());
      return held->back();
    },
    [=](release_atom) {
      for (auto& rp : *held)
        rp.deliver(ordo::reply_body{pong_result{}});
      held->clear();
    },
    [](retire_atom, const std::string&) {},
    [](crashed_atom, const std::string&) {},
    [](sweep_atom, bool) {},
    [](resident_atom) { return std::size_t{0}; },
  };
}

struct collected {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<completion> all;

  bool wait_for(std::size_t n, milliseconds within) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, within, [&] { return all.size() >= n; });
  }
};

struct bridge_test : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  stand_in_shard_actor shard = sys.spawn(stand_in_shard);
  std::shared_ptr<collected> out = std::make_shared<collected>();
  caf::actor bridge;

  void start(milliseconds timeout) {
    auto sink = [out = out](completion c) {
      std::lock_guard lock{out->mutex};
      out->all.push_back(std::move(c));
      out->changed.notify_all();
    };
    bridge = spawn_bridge(sys, session_router{{shard}}, sink, timeout);
  }

  ~bridge_test() override {
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  }
};

TEST_F(bridge_test, an_answered_request_completes_with_its_reply) {
  start(milliseconds{5'000});
  bridge_submit(bridge, 7, 1, "s", ping_request{});
  ASSERT_TRUE(out->wait_for(1, milliseconds{5'000}));
  std::lock_guard lock{out->mutex};
  EXPECT_EQ(out->all[0].connection, 7u);
  EXPECT_EQ(out->all[0].rid, 1u);
  EXPECT_TRUE(std::holds_alternative<ordo::reply_body>(out->all[0].what));
}

TEST_F(bridge_test, an_unanswered_request_times_out_once_and_its_late_reply_is_dropped) {
  start(milliseconds{200});
  const auto sent = std::chrono::steady_clock::now();
  bridge_submit(bridge, 1, 10, "s", get_request{"o"});
  bridge_submit(bridge, 1, 11, "s", ping_request{});
  bridge_submit(bridge, 2, 12, "s", get_request{"o"});
  // Only the two held requests' timeouts are waited for; when the ping's reply comes
  // relative to them depends on the machine's speed, so no order is asserted among them.
  ASSERT_TRUE(out->wait_for(3, milliseconds{30'000}));
  EXPECT_GE(std::chrono::steady_clock::now() - sent, milliseconds{200});
  {
    std::lock_guard lock{out->mutex};
    ASSERT_EQ(out->all.size(), 3u);
    for (const auto& c : out->all) {
      if (c.rid == 11) {
        EXPECT_TRUE(std::holds_alternative<ordo::reply_body>(c.what)) << "the ping, answered";
        continue;
      }
      EXPECT_TRUE(c.rid == 10 || c.rid == 12) << c.rid;
      const auto* err = std::get_if<ordo::error>(&c.what);
      ASSERT_NE(err, nullptr) << "rid " << c.rid << " answered although it was held";
      EXPECT_EQ(err->code, errc::unavailable);
    }
  }
  // The shard answers the held requests only now, after their timeouts fired. The ping sent
  // next reaches the shard after the release (the bridge forwards it only once submitted),
  // so its reply reaches the bridge after the late replies: by then they were dropped.
  caf::anon_send(shard, release_atom::value);
  bridge_submit(bridge, 3, 13, "s", ping_request{});
  ASSERT_TRUE(out->wait_for(4, milliseconds{30'000}));
  std::lock_guard lock{out->mutex};
  ASSERT_EQ(out->all.size(), 4u);
  EXPECT_EQ(out->all[3].rid, 13u);
}

TEST_F(bridge_test, a_subscribe_unanswered_when_its_connection_closes_is_answered_unavailable) {
  start(milliseconds{60'000});
  // The bridge hands the subscribe to the connection's forwarder, then stops it: the
  // forwarder has sent the subscribe (the shard holds it) before it hears the stop.
  bridge_submit(bridge, 4, 20, "s", subscribe_request{});
  bridge_closed(bridge, 4);
  ASSERT_TRUE(out->wait_for(1, milliseconds{30'000}));
  std::lock_guard lock{out->mutex};
  ASSERT_EQ(out->all.size(), 1u);
  const auto& closed = out->all[0];
  EXPECT_EQ(closed.connection, 4u);
  EXPECT_EQ(closed.rid, 20u);
  const auto* err = std::get_if<ordo::error>(&closed.what);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, errc::unavailable);
}

} // namespace
} // namespace ordo::runtime
