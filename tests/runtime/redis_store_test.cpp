// The Redis store against a real redis-server: atomic fenced commits, rehydration, the
// events stream, idempotency records, sessions, membership, deadlines, outages, scripts
// flushed or lost with a restart, and stream trimming that spares consumer groups.

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include <future>

#include "actors/errors.hpp"
#include "domain/order_aggregate.hpp"
#include "domain/order_id.hpp"
#include "messages/codec.hpp"
#include "runtime/redis_keys.hpp"
#include "runtime/redis_store.hpp"
#include "support/redis_server.hpp"

namespace ordo::runtime {
namespace {

using namespace ordo::actors;
using std::chrono::milliseconds;

constexpr std::int64_t t0 = 1'764'000'000'000;

class redis_store_test : public ::testing::Test {
protected:
  redis_store_test() { start_store(); }

  ~redis_store_test() override {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }

  void start_store(std::int64_t events_max_len = 0) {
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    client = std::make_shared<redis_client>(
      redis_client::options{"127.0.0.1", redis.port(), timeout, milliseconds{50}});
    redis_store_options opts;
    opts.key_prefix = prefix;
    opts.timeout = timeout;
    opts.events_max_len = events_max_len;
    opts.trim_interval = milliseconds{20};
    store = spawn_redis_store(sys, client, opts);
  }

  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    caf::expected<T> out = make_error(errc::internal, "no reply");
    self->request(store, std::chrono::seconds{10}, std::forward<Ts>(xs)...)
      .receive([&](T& value) { out = std::move(value); }, [&](caf::error& err) { out = err; });
    return out;
  }

  // A place commit carries the membership its prices assume, as the order actor's does.
  static std::optional<bool> placed_as(const domain::order_state& next, const domain::event& e) {
    if (std::holds_alternative<domain::order_placed>(e.body))
      return next.member;
    return std::nullopt;
  }

  // Commits `cmd` on top of `state` as the order actor would; returns the new state.
  domain::order_state advance(const std::optional<domain::order_state>& state,
                              const domain::command& cmd, std::int64_t at = t0,
                              std::optional<idem_claim> idem = std::nullopt) {
    auto e = domain::decide(state, cmd, at);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    auto next = domain::apply_event(state, *e);
    std::optional<std::int64_t> deadline;
    if (next.order.status == order_status::pending_payment)
      deadline = next.order.created_at + 10'000;
    auto reply = ask<commit_reply>(commit_atom::value,
                                   order_commit{state ? state->order.version : 0, next, *e,
                                                std::move(idem), deadline, placed_as(next, *e), {}});
    EXPECT_TRUE(reply) << (reply ? "" : to_ordo_error(reply.error()).message);
    return next;
  }

  domain::place_order place_cmd(const std::string& customer, std::int64_t at = t0) {
    std::array<std::uint8_t, 10> entropy{};
    entropy[0] = static_cast<std::uint8_t>(++orders_made);
    entropy[9] = static_cast<std::uint8_t>(orders_made >> 8);
    return {domain::make_order_id(at, entropy, domain::customer_tag(customer)), customer, false,
            {{"A", 3, 10'000}, {"B", 1, 5'000}}};
  }

  ordo::errc code_of(const caf::error& err) { return to_ordo_error(err).code; }

  ordo::test::redis_server redis;
  milliseconds timeout{500};
  std::string prefix = "t:";
  redis_keys keys{prefix};
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<redis_client> client;
  store_actor store;
  int orders_made = 0;
};

TEST_F(redis_store_test, every_transition_is_persisted_and_rehydrated_identically) {
  auto s = advance(std::nullopt, place_cmd("alice"));
  const std::vector<domain::command> lifecycle = {
    domain::authorize_payment{},
    domain::cancel_order{std::vector<line_quantity>{{"A", 1}}},
    domain::ship_order{"TRK-9"},
    domain::deliver_order{},
    domain::request_return{std::vector<line_quantity>{{"A", 1}}},
    domain::refund_return{},
  };
  std::int64_t at = t0;
  for (const auto& cmd : lifecycle) {
    s = advance(s, cmd, at += 1'000);
    auto loaded = ask<stored_order>(load_atom::value, s.order.id);
    ASSERT_TRUE(loaded);
    ASSERT_TRUE(loaded->state);
    EXPECT_EQ(*loaded->state, s);
  }
}

TEST_F(redis_store_test, a_stored_field_that_is_not_a_number_is_an_error_not_zero) {
  const auto placed = advance(std::nullopt, place_cmd("alice"));
  const auto paid = advance(placed, domain::authorize_payment{}, t0 + 1);
  ASSERT_GT(paid.charged, 0);
  const auto key = keys.order(paid.order.id);
  for (const char* field : {"c", "d", "v"}) {
    const auto good = redis.cli({"HGET", key, field});
    redis.cli({"HSET", key, field, "12x"});
    auto loaded = ask<stored_order>(load_atom::value, paid.order.id);
    ASSERT_FALSE(loaded) << field << " read as " << (loaded && loaded->state ? loaded->state->charged : -1);
    EXPECT_EQ(to_ordo_error(loaded.error()).code, errc::internal) << field;
    redis.cli({"HSET", key, field, good.substr(0, good.size() - 1)});
  }
  auto loaded = ask<stored_order>(load_atom::value, paid.order.id);
  ASSERT_TRUE(loaded && loaded->state);
  EXPECT_EQ(*loaded->state, paid);
}

TEST_F(redis_store_test, a_session_whose_expiry_is_not_a_number_is_unreadable) {
  redis.cli({"SET", keys.session("s9"), "customer:soon:alice"});
  auto got = ask<stored_session>(session_atom::value, get_atom::value, std::string{"s9"});
  ASSERT_FALSE(got);
  EXPECT_EQ(to_ordo_error(got.error()).code, errc::internal);
}

TEST_F(redis_store_test, an_unknown_or_malformed_id_loads_as_no_order) {
  EXPECT_FALSE(ask<stored_order>(load_atom::value, std::string{"nope"})->state);
  EXPECT_FALSE(ask<stored_order>(load_atom::value, place_cmd("x").id)->state);
}

TEST_F(redis_store_test, a_stale_writer_gets_conflict_and_changes_nothing) {
  const auto placed = advance(std::nullopt, place_cmd("alice"));
  const auto paid = advance(placed, domain::authorize_payment{});
  // A second writer still at version 1 tries to cancel.
  auto e = domain::decide(placed, domain::cancel_order{}, t0);
  auto stale = domain::apply_event(placed, *e);
  auto reply = ask<commit_reply>(commit_atom::value, order_commit{1, stale, *e, std::nullopt, {}, {}, {}});
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::conflict);
  EXPECT_EQ(*ask<stored_order>(load_atom::value, placed.order.id)->state, paid);
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "2\n");
}

TEST_F(redis_store_test, a_commit_fenced_by_a_lease_that_is_not_current_writes_nothing) {
  const auto cmd = place_cmd("alice");
  auto e = domain::decide(std::nullopt, cmd, t0);
  const auto state = domain::apply_event(std::nullopt, *e);
  const auto tag = std::string{domain::order_id_tag(state.order.id)};
  const order_commit fenced{0, state, *e, {}, {}, {}, commit_fence{"node-a#1", 4}};
  auto reply = ask<commit_reply>(commit_atom::value, fenced);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fenced);
  EXPECT_EQ(redis.cli({"EXISTS", keys.order(state.order.id)}), "0\n");
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "0\n");
  // Under the live lease it names, the same commit applies.
  redis.cli({"HSET", keys.lease(tag), "o", "node-a#1", "e", "4", "x", "99999999999999"});
  reply = ask<commit_reply>(commit_atom::value, fenced);
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->fenced);
  EXPECT_EQ(*ask<stored_order>(load_atom::value, state.order.id)->state, state);
}

TEST_F(redis_store_test, a_new_order_cannot_be_created_twice) {
  const auto cmd = place_cmd("alice");
  const auto placed = advance(std::nullopt, cmd);
  auto e = domain::decide(std::nullopt, cmd, t0);
  auto reply = ask<commit_reply>(commit_atom::value,
                                 order_commit{0, domain::apply_event(std::nullopt, *e), *e, {}, {}, {}, {}});
  EXPECT_EQ(code_of(reply.error()), errc::conflict);
}

TEST_F(redis_store_test, a_place_whose_assumed_membership_changed_gets_conflict_and_writes_nothing) {
  ASSERT_TRUE(ask<bool>(member_atom::value, put_atom::value, std::string{"alice"}, true));
  auto e = domain::decide(std::nullopt, place_cmd("alice"), t0);
  const auto as_non_member = domain::apply_event(std::nullopt, *e);
  auto reply = ask<commit_reply>(commit_atom::value,
                                 order_commit{0, as_non_member, *e, {}, {}, false, {}});
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::conflict);
  EXPECT_NE(to_ordo_error(reply.error()).message.find("membership"), std::string::npos);
  EXPECT_FALSE(ask<stored_order>(load_atom::value, as_non_member.order.id)->state);
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "0\n");

  auto member_cmd = place_cmd("alice");
  member_cmd.member = true;
  auto m = domain::decide(std::nullopt, member_cmd, t0);
  const auto as_member = domain::apply_event(std::nullopt, *m);
  EXPECT_TRUE(ask<commit_reply>(commit_atom::value, order_commit{0, as_member, *m, {}, {}, true, {}}));
  EXPECT_EQ(ask<stored_order>(load_atom::value, as_member.order.id)->state, as_member);
}

TEST_F(redis_store_test, the_events_stream_holds_every_event_in_version_order_as_spec_4a_says) {
  auto s = advance(std::nullopt, place_cmd("alice"));
  s = advance(s, domain::authorize_payment{}, t0 + 5);
  s = advance(s, domain::ship_order{"T"}, t0 + 9);
  const auto raw = redis.cli({"--no-raw", "XRANGE", keys.events(), "-", "+"});
  for (const char* field : {"\"order\"", "\"customer\"", "\"type\"", "\"version\"", "\"at\"",
                            "\"order_state\""})
    EXPECT_NE(raw.find(field), std::string::npos) << field;
  // Read back through the client to check values exactly.
  auto entries = std::make_shared<redis_value>();
  std::promise<void> done;
  client->submit({{"XRANGE", keys.events(), "-", "+"}, nullptr}, [&](result<redis_value> r) {
    *entries = *r;
    done.set_value();
  });
  done.get_future().wait();
  ASSERT_EQ(entries->elements.size(), 3u);
  const char* types[] = {"placed", "paid", "shipped"};
  const std::int64_t ats[] = {t0, t0 + 5, t0 + 9};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& fields = entries->elements[i].elements[1].elements;
    ASSERT_EQ(fields.size(), 18u);
    EXPECT_EQ(fields[0].text, "order");
    EXPECT_EQ(fields[1].text, s.order.id);
    EXPECT_EQ(fields[3].text, "alice");
    EXPECT_EQ(fields[5].text, types[i]);
    EXPECT_EQ(fields[7].text, std::to_string(i + 1));
    EXPECT_EQ(fields[9].text, std::to_string(ats[i]));
    auto state = decode_order(fields[11].text);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->version, i + 1);
    // What the warehouse needs to serve the order again once it left Redis.
    EXPECT_EQ(fields[12].text, "member");
    EXPECT_EQ(fields[13].text, "0");
    EXPECT_EQ(fields[14].text, "delivered_at");
    EXPECT_EQ(fields[16].text, "charged");
    EXPECT_EQ(fields[17].text, i == 0 ? "0" : std::to_string(state->total));
  }
}

TEST_F(redis_store_test, an_idempotency_key_replays_its_original_reply_and_writes_nothing) {
  const idem_claim claim{"alice", "k-1", "fp-1"};
  const auto placed = advance(std::nullopt, place_cmd("alice"), t0, claim);
  auto again = domain::decide(std::nullopt, place_cmd("alice"), t0);
  auto reply = ask<commit_reply>(
    commit_atom::value, order_commit{0, domain::apply_event(std::nullopt, *again), *again, claim, {}, {}, {}});
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->replayed);
  EXPECT_EQ(reply->replayed->fingerprint, "fp-1");
  EXPECT_EQ(reply->replayed->reply, placed.order);
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "1\n");
  auto lookup = ask<idem_lookup>(idem_atom::value, std::string{"alice"}, std::string{"k-1"});
  ASSERT_TRUE(lookup->record);
  EXPECT_EQ(lookup->record->reply, placed.order);
  const auto ttl = std::stoi(redis.cli({"TTL", keys.idem("alice", "k-1")}));
  EXPECT_GT(ttl, 86'000);
  EXPECT_LE(ttl, 86'400);
  EXPECT_FALSE(ask<idem_lookup>(idem_atom::value, std::string{"bob"}, std::string{"k-1"})->record);
}

// Records of an earlier engine are hashes (f: the fingerprint in hex, r: the reply): after
// an upgrade they replay all the same, for a commit and for a lookup.
TEST_F(redis_store_test, an_idempotency_record_of_an_earlier_engine_still_replays) {
  const std::string raw(32, '\x5a');
  const idem_claim claim{"alice", "k-old", raw};
  const auto placed = advance(std::nullopt, place_cmd("alice"), t0);
  std::string reply;
  encode_order(placed.order, reply);
  std::string hex;
  for (int i = 0; i < 32; ++i)
    hex += "5a";
  // Through the client: the msgpack bytes must arrive as they are.
  std::promise<void> written;
  client->submit({{"HSET", keys.idem("alice", "k-old"), "f", hex, "r", reply}, nullptr},
                 [&](result<redis_value>) { written.set_value(); });
  written.get_future().wait();
  auto again = domain::decide(std::nullopt, place_cmd("alice"), t0);
  auto replayed = ask<commit_reply>(
    commit_atom::value, order_commit{0, domain::apply_event(std::nullopt, *again), *again, claim, {}, {}, {}});
  ASSERT_TRUE(replayed);
  ASSERT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->replayed->fingerprint, raw);
  EXPECT_EQ(replayed->replayed->reply, placed.order);
  auto lookup = ask<idem_lookup>(idem_atom::value, std::string{"alice"}, std::string{"k-old"});
  ASSERT_TRUE(lookup);
  ASSERT_TRUE(lookup->record);
  EXPECT_EQ(lookup->record->fingerprint, raw);
  EXPECT_EQ(lookup->record->reply, placed.order);
}

TEST_F(redis_store_test, commits_sent_together_travel_as_one_script_call_and_each_gets_its_own_answer) {
  // Set up: an order to be written stale, a recorded idempotency key, and a customer whose
  // index key has the wrong type, so that Redis fails that one commit.
  const auto placed = advance(std::nullopt, place_cmd("alice"));
  const idem_claim claim{"alice", "k-rec", "fp-rec"};
  const auto recorded = advance(std::nullopt, place_cmd("alice"), t0, claim);
  redis.cli({"SET", keys.customer_index("mallory"), "not-a-sorted-set"});
  const auto calls_before = redis.cli({"INFO", "commandstats"});

  struct expectation {
    order_commit commit;
    enum { ok, conflict, replay, failed } outcome;
  };
  std::vector<expectation> burst;
  for (int i = 0; i < 150; ++i) {
    const auto who = i % 50 == 7 ? std::string{"mallory"} : "c" + std::to_string(i % 40);
    auto e = domain::decide(std::nullopt, place_cmd(who), t0);
    burst.push_back({{0, domain::apply_event(std::nullopt, *e), *e, {}, {}, false, {}},
                     who == "mallory" ? expectation::failed : expectation::ok});
    if (i % 10 == 3) {
      auto stale = domain::decide(placed, domain::cancel_order{}, t0);
      burst.push_back({{0, domain::apply_event(placed, *stale), *stale, {}, {}, {}, {}},
                       expectation::conflict});
    }
    if (i % 10 == 5) {
      auto again = domain::decide(std::nullopt, place_cmd("alice"), t0);
      burst.push_back({{0, domain::apply_event(std::nullopt, *again), *again, claim, {}, false, {}},
                       expectation::replay});
    }
  }
  // All sent at once, from one actor, as the order actors' commits arrive under load.
  using answer = std::optional<caf::expected<commit_reply>>;
  auto answers = std::make_shared<std::vector<answer>>(burst.size());
  auto all_answered = std::make_shared<std::promise<void>>();
  auto missing = std::make_shared<std::size_t>(burst.size());
  auto commits = std::make_shared<std::vector<expectation>>(burst);
  sys.spawn([=, store = store](caf::event_based_actor* a) {
    for (std::size_t i = 0; i < commits->size(); ++i) {
      auto settle = [=](caf::expected<commit_reply> r) {
        (*answers)[i] = std::move(r);
        if (--*missing == 0)
          all_answered->set_value();
      };
      a->request(store, std::chrono::seconds{10}, commit_atom::value, (*commits)[i].commit)
        .then([=](commit_reply& r) { settle(r); },
              [=](caf::error& err) { settle(caf::expected<commit_reply>{err}); });
    }
  });
  ASSERT_EQ(all_answered->get_future().wait_for(std::chrono::seconds{20}), std::future_status::ready);
  for (std::size_t i = 0; i < burst.size(); ++i) {
    ASSERT_TRUE((*answers)[i]) << i;
    const auto& a = *(*answers)[i];
    const auto& o = burst[i].commit.state.order;
    switch (burst[i].outcome) {
      case expectation::ok:
        ASSERT_TRUE(a) << i << ": " << to_ordo_error(a.error()).message;
        EXPECT_FALSE(a->replayed);
        EXPECT_EQ(ask<stored_order>(load_atom::value, o.id)->state, burst[i].commit.state);
        break;
      case expectation::conflict:
        ASSERT_FALSE(a) << i;
        EXPECT_EQ(code_of(a.error()), errc::conflict);
        break;
      case expectation::replay:
        ASSERT_TRUE(a) << i;
        ASSERT_TRUE(a->replayed);
        EXPECT_EQ(a->replayed->reply, recorded.order);
        EXPECT_FALSE(ask<stored_order>(load_atom::value, o.id)->state);
        break;
      case expectation::failed:
        ASSERT_FALSE(a) << i;
        EXPECT_EQ(code_of(a.error()), errc::internal);
        EXPECT_NE(to_ordo_error(a.error()).message.find("WRONGTYPE"), std::string::npos);
        break;
    }
  }
  // Fewer script calls than commits: they were combined.
  const auto calls_of = [](const std::string& stats) {
    const auto at = stats.find("cmdstat_evalsha:calls=");
    return at == std::string::npos ? 0 : std::stoi(stats.substr(at + 22));
  };
  const auto calls = calls_of(redis.cli({"INFO", "commandstats"})) - calls_of(calls_before);
  EXPECT_LT(calls, static_cast<int>(burst.size()) / 2) << calls << " calls for " << burst.size();
}

TEST_F(redis_store_test, list_is_newest_first_and_pages_with_an_exclusive_before) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(advance(std::nullopt, place_cmd("alice", t0 + i)).order.id);
  advance(std::nullopt, place_cmd("bob"));
  auto page = ask<order_page>(list_atom::value, list_query{"alice", 2, std::nullopt});
  ASSERT_EQ(page->orders.size(), 2u);
  EXPECT_EQ(page->orders[0].id, ids[4]);
  EXPECT_EQ(page->orders[1].id, ids[3]);
  auto rest = ask<order_page>(list_atom::value, list_query{"alice", 20, ids[3]});
  ASSERT_EQ(rest->orders.size(), 3u);
  EXPECT_EQ(rest->orders[0].id, ids[2]);
  EXPECT_EQ(rest->orders[2].id, ids[0]);
  EXPECT_TRUE(ask<order_page>(list_atom::value, list_query{"carol", 20, std::nullopt})->orders.empty());
}

TEST_F(redis_store_test, sessions_are_kept_until_they_expire) {
  const auto now = std::chrono::duration_cast<milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(ask<bool>(session_atom::value, put_atom::value,
                        session_record{"s1", "alice", ordo::role::operator_, now + 60'000}));
  auto got = ask<stored_session>(session_atom::value, get_atom::value, std::string{"s1"});
  ASSERT_TRUE(got->session);
  EXPECT_EQ(got->session->subject, "alice");
  EXPECT_EQ(got->session->role, ordo::role::operator_);
  EXPECT_EQ(got->session->expires_at_ms, now + 60'000);
  ASSERT_TRUE(ask<bool>(session_atom::value, put_atom::value,
                        session_record{"s2", "bob", ordo::role::customer, now + 100}));
  std::this_thread::sleep_for(milliseconds{250});
  EXPECT_FALSE(ask<stored_session>(session_atom::value, get_atom::value, std::string{"s2"})->session);
}

TEST_F(redis_store_test, membership_is_kept_per_customer) {
  EXPECT_FALSE(*ask<bool>(member_atom::value, get_atom::value, std::string{"alice"}));
  EXPECT_TRUE(*ask<bool>(member_atom::value, put_atom::value, std::string{"alice"}, true));
  EXPECT_TRUE(*ask<bool>(member_atom::value, get_atom::value, std::string{"alice"}));
  EXPECT_FALSE(*ask<bool>(member_atom::value, get_atom::value, std::string{"bob"}));
}

TEST_F(redis_store_test, unpaid_orders_keep_a_deadline_until_paid) {
  const auto a = advance(std::nullopt, place_cmd("alice"));
  const auto b = advance(std::nullopt, place_cmd("bob", t0 + 1), t0 + 1);
  auto due = ask<due_orders>(deadline_atom::value, std::int64_t{t0 + 10'000}, std::uint32_t{10});
  EXPECT_EQ(due->order_ids, (std::vector<std::string>{a.order.id}));
  due = ask<due_orders>(deadline_atom::value, std::int64_t{t0 + 20'000}, std::uint32_t{10});
  EXPECT_EQ(due->order_ids, (std::vector<std::string>{a.order.id, b.order.id}));
  advance(a, domain::authorize_payment{});
  due = ask<due_orders>(deadline_atom::value, std::int64_t{t0 + 20'000}, std::uint32_t{10});
  EXPECT_EQ(due->order_ids, (std::vector<std::string>{b.order.id}));
}

TEST_F(redis_store_test, a_refused_connection_is_unavailable_at_once) {
  redis.stop();
  const auto started = std::chrono::steady_clock::now();
  auto loaded = ask<stored_order>(load_atom::value, place_cmd("alice").id);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(code_of(loaded.error()), errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, timeout);
}

TEST_F(redis_store_test, a_silent_redis_is_unavailable_within_the_timeout_and_nothing_is_half_applied) {
  const auto placed = advance(std::nullopt, place_cmd("alice"));
  redis.pause();
  const auto started = std::chrono::steady_clock::now();
  auto e = domain::decide(placed, domain::authorize_payment{}, t0);
  auto reply = ask<commit_reply>(
    commit_atom::value, order_commit{1, domain::apply_event(placed, *e), *e, std::nullopt, {}, {}, {}});
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::unavailable);
  EXPECT_GE(waited, timeout);
  EXPECT_LT(waited, timeout + milliseconds{300});
  redis.resume();
  // The write either landed whole or not at all; the store serves again by itself.
  std::optional<stored_order> loaded;
  for (int i = 0; i < 100 && !loaded; ++i) {
    if (auto l = ask<stored_order>(load_atom::value, placed.order.id))
      loaded = *l;
    else
      std::this_thread::sleep_for(milliseconds{20});
  }
  ASSERT_TRUE(loaded && loaded->state);
  const auto version = loaded->state->order.version;
  EXPECT_TRUE(version == 1 || version == 2);
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), std::to_string(version) + "\n");
}

TEST_F(redis_store_test, the_store_serves_again_after_redis_restarts_and_reloads_its_scripts) {
  const auto placed = advance(std::nullopt, place_cmd("alice"));
  redis.cli({"SCRIPT", "FLUSH"});
  const auto paid = advance(placed, domain::authorize_payment{});
  redis.stop();
  EXPECT_FALSE(ask<stored_order>(load_atom::value, placed.order.id));
  redis.start(); // no persistence configured: the data is gone, the scripts too
  std::optional<commit_reply> reply;
  for (int i = 0; i < 100 && !reply; ++i) {
    auto fresh = place_cmd("bob");
    auto e = domain::decide(std::nullopt, fresh, t0);
    if (auto r = ask<commit_reply>(commit_atom::value,
                                   order_commit{0, domain::apply_event(std::nullopt, *e), *e, {}, {}, {}, {}}))
      reply = *r;
    else
      std::this_thread::sleep_for(milliseconds{20});
  }
  EXPECT_TRUE(reply);
  (void) paid;
}

TEST_F(redis_store_test, the_stream_is_trimmed_to_its_max_length_without_consumer_groups) {
  start_store(10);
  auto s = advance(std::nullopt, place_cmd("alice"));
  for (int i = 0; i < 8; ++i) {
    s = advance(s, domain::authorize_payment{});
    s = advance(s, domain::cancel_order{});
    s = advance(std::nullopt, place_cmd("alice", t0 + i + 1));
  }
  for (int i = 0; i < 100 && redis.cli({"XLEN", keys.events()}) != "10\n"; ++i)
    std::this_thread::sleep_for(milliseconds{20});
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "10\n");
}

TEST_F(redis_store_test, trimming_never_drops_what_a_consumer_group_still_needs) {
  start_store(5);
  redis.cli({"XGROUP", "CREATE", keys.events(), "billing", "0", "MKSTREAM"});
  for (int i = 0; i < 20; ++i)
    advance(std::nullopt, place_cmd("alice", t0 + i));
  std::this_thread::sleep_for(milliseconds{200});
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "20\n"); // nothing delivered yet
  // The group reads 12 and acknowledges only the first 8.
  const auto read = redis.cli({"XREADGROUP", "GROUP", "billing", "c1", "COUNT", "12", "STREAMS",
                               keys.events(), ">"});
  std::vector<std::string> ids;
  std::istringstream lines{read};
  for (std::string line; std::getline(lines, line);)
    if (line.find('-') != std::string::npos && line.find_first_not_of("0123456789-") == std::string::npos)
      ids.push_back(line);
  ASSERT_EQ(ids.size(), 12u);
  for (int i = 0; i < 8; ++i)
    redis.cli({"XACK", keys.events(), "billing", ids[static_cast<std::size_t>(i)]});
  for (int i = 0; i < 100 && redis.cli({"XLEN", keys.events()}) != "12\n"; ++i)
    std::this_thread::sleep_for(milliseconds{20});
  EXPECT_EQ(redis.cli({"XLEN", keys.events()}), "12\n");
  const auto first = redis.cli({"XRANGE", keys.events(), "-", "+", "COUNT", "1"});
  EXPECT_NE(first.find(ids[8]), std::string::npos);
}

} // namespace
} // namespace ordo::runtime
