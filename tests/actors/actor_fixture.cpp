#include "actor_fixture.hpp"

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/errors.hpp"
#include "auth/secure_random.hpp"
#include "auth/token.hpp"

namespace ordo::actors::test {

namespace {

// Long enough for any test, short enough that teardown can expire every pending request.
constexpr std::chrono::seconds probe_timeout{3600};

} // namespace

const ordo::order& outcome::order() const {
  static const ordo::order none;
  if (!ok())
    return none;
  if (const auto* r = std::get_if<order_result>(&*reply))
    return r->order;
  return none;
}

actor_fixture::actor_fixture() {
  cfg_.set("scheduler.policy", caf::atom("testing"));
  add_error_category(cfg_);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
  ctx.now_ms = [this] { return now; };
  ctx.auth_key = auth_key;
  ctx.faults = faults;
  ctx.store_timeout = std::chrono::milliseconds{1'500};
}

actor_fixture::~actor_fixture() {
  if (tree_)
    stop_actor_tree(*tree_);
  caf::anon_send_exit(store_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(payment_, caf::exit_reason::user_shutdown);
  for (const auto& probe : probes_)
    caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  run();
  sched_->advance_time(probe_timeout * 2);
  run();
}

void actor_fixture::run() {
  sched_->run();
}

void actor_fixture::advance(std::chrono::milliseconds by) {
  now += by.count();
  sched_->advance_time(by);
  run();
}

const actor_tree& actor_fixture::tree() {
  if (!tree_) {
    data->answer_timeout = ctx.store_timeout;
    store_ = spawn_memory_store(*sys_, data);
    payment_ = spawn_payment_simulator(*sys_, payment);
    ctx.store = store_;
    ctx.payment = payment_;
    tree_ = spawn_actor_tree(*sys_, ctx, shards);
    run();
  }
  return *tree_;
}

std::string actor_fixture::token(ordo::role role, const std::string& subject, std::int64_t ttl_s) {
  return auth::mint_token(role, subject, now / 1000 + ttl_s, auth_key);
}

std::shared_ptr<outcome> actor_fixture::hello_outcome(const std::string& tok) {
  return send(auth::make_session_id(), hello_request{tok});
}

std::string actor_fixture::login(const std::string& subject, ordo::role role) {
  auto out = hello_outcome(token(role, subject));
  run();
  EXPECT_TRUE(out->ok()) << "hello failed: " << out->error.message;
  if (!out->ok())
    return {};
  return std::get<session_result>(*out->reply).session;
}

std::shared_ptr<outcome> actor_fixture::send(const std::string& session, ordo::request_body body) {
  auto out = std::make_shared<outcome>();
  const auto& dest = tree().sessions.pick(session);
  session_request req{session, std::move(body)};
  probes_.push_back(sys_->spawn([=](caf::event_based_actor* self) {
    self->request(dest, probe_timeout, request_atom::value, req)
      .then(
        [=](ordo::reply_body& reply) {
          out->done = true;
          out->reply = std::move(reply);
        },
        [=](caf::error& err) {
          out->done = true;
          out->error = to_ordo_error(err);
        });
  }));
  return out;
}

outcome actor_fixture::call(const std::string& session, ordo::request_body body) {
  auto out = send(session, std::move(body));
  run();
  EXPECT_TRUE(out->done) << "no reply";
  return *out;
}

ordo::order actor_fixture::place(const std::string& session, std::vector<line_item> lines,
                                 const std::string& idem) {
  const auto out = call(session, place_request{idem, std::move(lines)});
  EXPECT_TRUE(out.ok()) << "place failed: " << out.error.message;
  return out.order();
}

subscriber actor_fixture::subscribe(const std::string& session) {
  auto pushes = std::make_shared<std::vector<ordo::order>>();
  const auto& dest = tree().sessions.pick(session);
  session_request req{session, subscribe_request{}};
  auto handle = sys_->spawn([=](caf::event_based_actor* self) -> caf::behavior {
    self->request(dest, probe_timeout, request_atom::value, req)
      .then([](ordo::reply_body&) {}, [](caf::error&) {});
    return {
      [=](push_atom, const ordo::order& o) { pushes->push_back(o); },
    };
  });
  probes_.push_back(handle);
  run();
  return {handle, pushes};
}

template <class Atom>
std::size_t actor_fixture::count_orders(Atom question) {
  auto count = std::make_shared<std::size_t>(0);
  const auto root = tree().root;
  probes_.push_back(sys_->spawn([=](caf::event_based_actor* self) {
    self->request(root, probe_timeout, question)
      .then([=](std::size_t n) { *count = n; }, [](caf::error&) {});
  }));
  run();
  return *count;
}

std::size_t actor_fixture::resident_orders() {
  return count_orders(resident_atom::value);
}

std::size_t actor_fixture::parked_orders() {
  return count_orders(park_atom::value);
}

} // namespace ordo::actors::test
