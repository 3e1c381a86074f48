// ordod over TCP, as an independent client sees it: every op, every error code, the frame
// rules, per-connection limits, pushes, resume, restarts and signals (docs/PROTOCOL.md, docs/OPERATIONS.md).

#include "gateway_fixture.hpp"

#include <thread>

#include "messages/codec.hpp"
#include "messages/frame.hpp"

namespace ordo::test {
namespace {

using namespace std::chrono_literals;
using gateway = gateway_fixture;

std::string framed(const std::string& payload) {
  std::string out;
  const auto header = begin_frame(out);
  out += payload;
  end_frame(out, header);
  return out;
}

reply next_reply(client& c) {
  auto m = c.receive(5'000ms);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  if (!m || !std::holds_alternative<reply>(*m))
    return {};
  return std::get<reply>(*m);
}

errc error_code(const reply& r) {
  const auto* e = as_error(r.body);
  return e ? e->code : errc::internal;
}

TEST_F(gateway, the_ready_line_comes_within_5_seconds_and_names_the_address) {
  start_ordod();
  EXPECT_LT(ordod->ready_after(), 5s);
  EXPECT_EQ(ordod->ready_line(), "ordod listening on " + ordod->address());
  EXPECT_NE(ordod->log().find("event=listening"), std::string::npos);
}

TEST_F(gateway, ping_works_before_hello) {
  auto c = connect();
  EXPECT_TRUE(c.call_as<pong_result>(ping_request{}).ok());
}

TEST_F(gateway, every_op_but_hello_resume_and_ping_is_unauthenticated_before_hello) {
  auto c = connect();
  const std::vector<request_body> ops = {
    place_request{"k", {{"A", 1, 1}}}, get_request{"x"}, list_request{},
    cancel_request{"x", "k", std::nullopt}, ship_request{"x", "T"}, deliver_request{"x"},
    return_request{"x", "k", std::nullopt}, refund_request{"x"}, membership_request{true},
    subscribe_request{}};
  for (const auto& op : ops)
    EXPECT_EQ(code_of(c.call(op)), errc::unauthenticated) << op_name(op);
  EXPECT_TRUE(c.open());
}

TEST_F(gateway, a_failed_hello_keeps_the_connection_open_and_unauthenticated) {
  auto c = connect();
  auto bad = token(ordo::role::customer, "alice", 3600, "wrong-key");
  EXPECT_EQ(code_of(c.call(hello_request{bad})), errc::unauthenticated);
  EXPECT_EQ(code_of(c.call(list_request{})), errc::unauthenticated);
  EXPECT_EQ(code_of(c.call(hello_request{token(ordo::role::customer, "alice", -5)})),
            errc::unauthenticated);
  EXPECT_TRUE(c.call_as<session_result>(hello_request{token(ordo::role::customer, "alice")}).ok());
  // A failed hello after a good one leaves the session as it was.
  EXPECT_EQ(code_of(c.call(hello_request{bad})), errc::unauthenticated);
  EXPECT_TRUE(c.call_as<orders_result>(list_request{}).ok());
}

TEST_F(gateway, hello_returns_session_subject_role_and_expiry) {
  auto c = connect();
  const auto expiry_s = unix_now_ms() / 1000 + 600;
  auto opened = c.call_as<session_result>(
    hello_request{auth::mint_token(ordo::role::operator_, "ops-1", expiry_s, ordod_process::auth_key)});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->subject, "ops-1");
  EXPECT_EQ(opened->role, ordo::role::operator_);
  EXPECT_EQ(opened->expires_at, expiry_s * 1000);
  EXPECT_FALSE(opened->session.empty());
}

TEST_F(gateway, a_whole_lifecycle_over_tcp) {
  auto alice = login("alice");
  auto ops = login("ops", ordo::role::operator_);
  ASSERT_TRUE(alice.call_as<membership_result>(membership_request{false}).ok());
  const auto placed = place(alice, {{"A", 2, 10'000}, {"B", 1, 5'000}}, "k-1");
  EXPECT_EQ(placed.status, order_status::pending_payment);
  EXPECT_EQ(placed.total, 25'000);
  await_status(alice, placed.id, order_status::paid);
  auto part = alice.call_as<order_result>(
    cancel_request{placed.id, "k-2", std::vector<line_quantity>{{"B", 1}}});
  ASSERT_TRUE(part.ok()) << part.error().message;
  EXPECT_EQ(part->order.total, 20'000);
  EXPECT_EQ(part->order.refunded, 5'000);
  ASSERT_TRUE(ops.call_as<order_result>(ship_request{placed.id, "TRK-1"}).ok());
  ASSERT_TRUE(ops.call_as<order_result>(deliver_request{placed.id}).ok());
  ASSERT_TRUE(alice.call_as<order_result>(return_request{placed.id, "k-3", std::nullopt}).ok());
  auto refunded = ops.call_as<order_result>(refund_request{placed.id});
  ASSERT_TRUE(refunded.ok()) << refunded.error().message;
  EXPECT_EQ(refunded->order.status, order_status::returned);
  EXPECT_EQ(refunded->order.refunded, 5'000 + 15'000);
  auto listed = alice.call_as<orders_result>(list_request{10, std::nullopt});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->orders.size(), 1u);
  EXPECT_EQ(listed->orders[0], refunded->order);
}

TEST_F(gateway, roles_and_ownership_are_enforced) {
  auto alice = login("alice");
  auto bob = login("bob");
  auto ops = login("ops", ordo::role::operator_);
  const auto placed = place(alice, {{"A", 1, 10'000}}, "k-1");
  EXPECT_EQ(code_of(alice.call(ship_request{placed.id, "T"})), errc::forbidden);
  EXPECT_EQ(code_of(ops.call(place_request{"k", {{"A", 1, 1}}})), errc::forbidden);
  EXPECT_EQ(code_of(bob.call(get_request{placed.id})), errc::not_found);
  EXPECT_EQ(code_of(bob.call(cancel_request{placed.id, "k", std::nullopt})), errc::not_found);
  EXPECT_EQ(code_of(bob.call(get_request{"01ZZZZZZZZZZZZZZZZZZZZZZZZ00"})), errc::not_found);
  EXPECT_TRUE(ops.call_as<order_result>(get_request{placed.id}).ok());
}

TEST_F(gateway, invalid_state_and_conflict_reach_the_client) {
  auto alice = login("alice");
  const auto placed = place(alice, {{"A", 1, 10'000}}, "k-1");
  EXPECT_EQ(code_of(alice.call(return_request{placed.id, "k-r", std::nullopt})), errc::invalid_state);
  EXPECT_EQ(code_of(alice.call(place_request{"k-1", {{"A", 2, 10'000}}})), errc::conflict);
}

TEST_F(gateway, malformed_frames_are_bad_request_and_the_connection_stays_open) {
  auto c = connect();
  // N = 0
  c.send_raw(std::string("\0\0\0\0", 4));
  auto r = next_reply(c);
  EXPECT_EQ(r.rid, 0u);
  EXPECT_EQ(error_code(r), errc::bad_request);
  // Not a map.
  c.send_raw(framed("\x93\x01\x02\x03"));
  EXPECT_EQ(error_code(next_reply(c)), errc::bad_request);
  // Trailing bytes.
  std::string ping;
  encode_request({7, ping_request{}}, ping);
  c.send_raw(framed(ping + "\xc0"));
  EXPECT_EQ(error_code(next_reply(c)), errc::bad_request);
  // Garbage.
  c.send_raw(framed("\xc1\xff\xee"));
  EXPECT_EQ(error_code(next_reply(c)), errc::bad_request);
  // Unknown op and a missing field keep their rid.
  c.send_raw(framed(std::string("\x82\xa2op\xa4nope\xa3rid\x09")));
  r = next_reply(c);
  EXPECT_EQ(r.rid, 9u);
  EXPECT_EQ(error_code(r), errc::bad_request);
  c.send_raw(framed(std::string("\x82\xa2op\xa5hello\xa3rid\x0a")));
  r = next_reply(c);
  EXPECT_EQ(r.rid, 10u);
  EXPECT_EQ(error_code(r), errc::bad_request);
  EXPECT_TRUE(c.call_as<pong_result>(ping_request{}).ok());
}

TEST_F(gateway, an_oversized_length_is_frame_too_large_and_closes) {
  start_ordod({"--max-frame-bytes=1024"});
  auto c = connect();
  c.send_raw(std::string("\x00\x00\x04\x01", 4)); // 1025
  auto r = next_reply(c);
  EXPECT_EQ(error_code(r), errc::frame_too_large);
  EXPECT_FALSE(c.receive(2'000ms).ok());
  EXPECT_FALSE(c.open());
  auto other = connect();
  EXPECT_TRUE(other.call_as<pong_result>(ping_request{}).ok());
}

TEST_F(gateway, a_client_vanishing_mid_frame_harms_no_one) {
  {
    auto c = connect();
    c.send_raw(std::string("\x00\x00\x00\x40\x81", 5));
  }
  auto other = login("alice");
  EXPECT_TRUE(other.call_as<orders_result>(list_request{}).ok());
}

TEST_F(gateway, a_client_that_never_reads_is_disconnected_not_buffered_forever) {
  start_ordod({"--max-write-buffer-bytes=65536"});
  auto reader = login("alice");
  std::vector<line_item> lines;
  for (int i = 0; i < 100; ++i)
    lines.push_back({"SKU-" + std::to_string(i), 1, 1'000});
  const auto big = place(reader, lines, "k-big");
  auto sink = login("alice");
  std::string burst;
  for (int i = 0; i < 200; ++i) {
    const auto header = begin_frame(burst);
    encode_request({static_cast<std::uint64_t>(100 + i), get_request{big.id}}, burst);
    end_frame(burst, header);
  }
  // Keep asking without reading: ordod must hang up once its buffer for this client is full.
  bool dropped = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!dropped && std::chrono::steady_clock::now() < deadline)
    dropped = !sink.send_raw(burst).ok();
  EXPECT_TRUE(dropped) << "ordod kept buffering for a client that does not read";
  EXPECT_TRUE(reader.call_as<order_result>(get_request{big.id}).ok());
}

TEST_F(gateway, beyond_the_in_flight_bound_requests_are_overloaded_and_not_applied) {
  start_ordod({"--max-in-flight=2"});
  auto c = login("alice");
  std::string burst;
  for (int i = 0; i < 40; ++i) {
    const auto header = begin_frame(burst);
    encode_request({static_cast<std::uint64_t>(1'000 + i),
                    place_request{"k-" + std::to_string(i), {{"A", 1, 1'000}}}},
                   burst);
    end_frame(burst, header);
  }
  ASSERT_TRUE(c.send_raw(burst).ok());
  int placed = 0;
  int overloaded = 0;
  for (int i = 0; i < 40; ++i) {
    const auto r = next_reply(c);
    if (std::holds_alternative<order_result>(r.body))
      ++placed;
    else if (error_code(r) == errc::overloaded)
      ++overloaded;
  }
  EXPECT_GT(overloaded, 0);
  EXPECT_EQ(placed + overloaded, 40);
  auto listed = c.call_as<orders_result>(list_request{100, std::nullopt});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(static_cast<int>(listed->orders.size()), placed);
}

TEST_F(gateway, a_subscriber_gets_pushes_for_its_own_orders_only) {
  auto watcher = login("alice");
  ASSERT_TRUE(watcher.call_as<subscribed_result>(subscribe_request{}).ok());
  auto alice = login("alice");
  auto bob = login("bob");
  place(bob, {{"B", 1, 1'000}}, "k-b");
  const auto placed = place(alice, {{"A", 1, 1'000}}, "k-a");
  std::vector<ordo::order> pushed;
  while (pushed.size() < 2) {
    auto m = watcher.receive(5'000ms);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_TRUE(std::holds_alternative<order_push>(*m));
    pushed.push_back(std::get<order_push>(*m).order);
  }
  EXPECT_EQ(pushed[0].id, placed.id);
  EXPECT_EQ(pushed[0].status, order_status::pending_payment);
  EXPECT_EQ(pushed[1].status, order_status::paid);
  for (const auto& o : pushed)
    EXPECT_EQ(o.customer, "alice");
}

TEST_F(gateway, resume_works_on_a_new_connection_and_after_a_restart) {
  auto first = login("alice");
  const auto session = last_session;
  const auto placed = place(first, {{"A", 1, 1'000}}, "k-1");
  auto second = connect();
  ASSERT_TRUE(second.call_as<session_result>(resume_request{session}).ok());
  EXPECT_TRUE(second.call_as<order_result>(get_request{placed.id}).ok());
  const auto port = ordod->port();
  EXPECT_EQ(ordod->terminate(), 0);
  start_ordod({}, port);
  auto third = connect();
  auto resumed = third.call_as<session_result>(resume_request{session});
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->subject, "alice");
  EXPECT_TRUE(third.call_as<order_result>(get_request{placed.id}).ok());
  EXPECT_EQ(code_of(connect().call(resume_request{"no-such-session"})), errc::unauthenticated);
}

TEST_F(gateway, ordod_takes_its_port_back_right_after_kill_9) {
  auto c = login("alice");
  const auto placed = place(c, {{"A", 1, 1'000}}, "k-1");
  const auto port = ordod->port();
  ordod->kill9();
  start_ordod({}, port);
  auto again = login("alice");
  EXPECT_TRUE(again.call_as<order_result>(get_request{placed.id}).ok());
}

TEST_F(gateway, sigterm_exits_0_and_loses_no_acknowledged_request) {
  auto c = login("alice");
  std::string burst;
  for (int i = 0; i < 100; ++i) {
    const auto header = begin_frame(burst);
    encode_request({static_cast<std::uint64_t>(1 + i),
                    place_request{"k-" + std::to_string(i), {{"A", 1, 1'000}}}},
                   burst);
    end_frame(burst, header);
  }
  ASSERT_TRUE(c.send_raw(burst).ok());
  std::vector<std::string> acknowledged;
  auto first = next_reply(c);
  if (const auto* o = std::get_if<order_result>(&first.body))
    acknowledged.push_back(o->order.id);
  std::thread stopper{[&] { EXPECT_EQ(ordod->terminate(), 0); }};
  for (;;) {
    auto m = c.receive(5'000ms);
    if (!m)
      break;
    if (const auto* r = std::get_if<reply>(&*m))
      if (const auto* o = std::get_if<order_result>(&r->body))
        acknowledged.push_back(o->order.id);
  }
  stopper.join();
  ASSERT_FALSE(acknowledged.empty());
  start_ordod();
  auto check = login("alice");
  for (const auto& id : acknowledged)
    EXPECT_TRUE(check.call_as<order_result>(get_request{id}).ok()) << id << " was acknowledged";
}

TEST_F(gateway, redis_down_is_unavailable_and_ordod_serves_again_when_it_returns) {
  auto c = login("alice");
  redis.stop();
  EXPECT_EQ(code_of(c.call(place_request{"k-1", {{"A", 1, 1'000}}})), errc::unavailable);
  EXPECT_EQ(code_of(c.call(list_request{})), errc::unavailable);
  EXPECT_TRUE(c.call_as<pong_result>(ping_request{}).ok());
  redis.start();
  result<order_result> placed = error{errc::internal, "not tried"};
  for (int i = 0; i < 100 && !placed; ++i) {
    placed = c.call_as<order_result>(place_request{"k-1", {{"A", 1, 1'000}}});
    if (!placed)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(placed.ok()) << placed.error().message;
}

TEST_F(gateway, an_unauthenticated_connection_is_closed_after_the_auth_timeout) {
  start_ordod({"--auth-timeout-ms=300"});
  auto idle = connect();
  std::this_thread::sleep_for(1'500ms);
  EXPECT_FALSE(idle.receive(1'000ms).ok());
  EXPECT_FALSE(idle.open());
  auto active = login("alice");
  std::this_thread::sleep_for(1'500ms);
  EXPECT_TRUE(active.call_as<pong_result>(ping_request{}).ok());
}

} // namespace
} // namespace ordo::test
