#include "runtime/redis_store.hpp"

#include <caf/all.hpp>

#include <charconv>
#include <map>

#include "actors/errors.hpp"
#include "domain/order_id.hpp"
#include "messages/codec.hpp"
#include "runtime/archive_reader.hpp"
#include "runtime/metrics.hpp"
#include "runtime/redis_keys.hpp"
#include "runtime/redis_scripts.hpp"
#include "warehouse/archive_queries.hpp"

namespace ordo::runtime {
namespace {
// What a read of the warehouse found: the orders, at their latest archived version.
using archive_answer = result<std::vector<domain::order_state>>;
} // namespace
} // namespace ordo::runtime

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::result<ordo::runtime::redis_value>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ordo::runtime::archive_answer)

namespace ordo::runtime {

namespace {

using namespace ordo::actors;

using reply_atom = caf::atom_constant<caf::atom("reply")>;
using archived_atom = caf::atom_constant<caf::atom("archived")>;
using announce_atom = caf::atom_constant<caf::atom("announce")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using trim_atom = caf::atom_constant<caf::atom("trim")>;

using length_atom = caf::atom_constant<caf::atom("length")>;

// Most entries one trim run drops, so a run stays short inside Redis.
constexpr std::int64_t trim_chunk = 10'000;

// How often the events stream's length is sampled for the metrics.
constexpr std::chrono::seconds stream_length_interval{1};

// How often the stream is named again in the set of events streams, in case Redis lost it.
constexpr std::chrono::seconds announce_interval{10};

using on_reply = std::function<void(result<redis_value>)>;

struct pending_request {
  std::chrono::steady_clock::time_point deadline;
  on_reply done;
  store_op op;
  metrics_clock::time_point issued;
};

using on_archive_answer = std::function<void(archive_answer)>;

struct pending_archive_read {
  std::chrono::steady_clock::time_point deadline;
  on_archive_answer done;
  metrics_clock::time_point issued;
};

struct redis_store_state {
  std::shared_ptr<redis_client> client;
  redis_store_options opts;
  redis_keys keys{""};
  std::map<std::uint64_t, pending_request> pending; // tickets grow with time
  std::map<std::uint64_t, pending_archive_read> archive_pending; // the same tickets
  std::uint64_t next_ticket = 0;
  static inline const char* name = "ordo.redis_store";
};

using store_self = caf::stateful_actor<redis_store_state>*;

// Sends one command; `done` runs in this actor once Redis answers, the connection fails, or
// the timeout passes, whichever comes first.
void issue(store_self self, store_op op, redis_command cmd, on_reply done) {
  auto& st = self->state;
  const auto ticket = st.next_ticket++;
  const auto now = std::chrono::steady_clock::now();
  st.pending.emplace(ticket, pending_request{now + st.opts.timeout, std::move(done), op, now});
  auto handle = caf::actor_cast<caf::actor>(self);
  st.client->submit(std::move(cmd), [handle, ticket](result<redis_value> r) {
    caf::anon_send(handle, reply_atom::value, ticket, std::move(r));
  });
}

// Runs `query` on one of the warehouse's connections; `done` runs in this actor with its
// answer, or `unavailable` once the timeout passed.
void issue_archive(store_self self,
                   std::function<archive_answer(warehouse::pg_connection&)> query,
                   on_archive_answer done) {
  auto& st = self->state;
  const auto ticket = st.next_ticket++;
  const auto now = std::chrono::steady_clock::now();
  st.archive_pending.emplace(ticket, pending_archive_read{now + st.opts.timeout, std::move(done), now});
  auto handle = caf::actor_cast<caf::actor>(self);
  st.opts.archive->submit(
    [handle, ticket, query = std::move(query)](result<warehouse::pg_connection*> pg) {
      archive_answer answer = pg ? query(**pg) : archive_answer{std::move(pg).error()};
      caf::anon_send(handle, archived_atom::value, ticket, std::move(answer));
    },
    now + st.opts.timeout);
}

void answer_archive(store_self self, std::map<std::uint64_t, pending_archive_read>::iterator it,
                    archive_answer answer) {
  auto& st = self->state;
  if (st.opts.metrics)
    st.opts.metrics->finished(store_op::archive, metrics_clock::now() - it->second.issued,
                              answer ? std::nullopt : std::optional<errc>{answer.error().code});
  auto done = std::move(it->second.done);
  st.archive_pending.erase(it);
  done(std::move(answer));
}

// An archived order's state as a request's answer: one order or none.
archive_answer lone(result<std::optional<domain::order_state>> found) {
  if (!found)
    return std::move(found).error();
  std::vector<domain::order_state> out;
  if (*found)
    out.push_back(std::move(**found));
  return out;
}

caf::error archive_failure(const archive_answer& answer) {
  // Whatever went wrong in the warehouse, Redis' own answer stands: the archive is only
  // "not reachable now" to the caller, who may try again.
  return make_error(errc::unavailable, answer.error().message);
}

// Errors Redis reports when it cannot take writes right now: the change was not made.
bool transient(const std::string& message) {
  for (const char* prefix : {"OOM", "BUSY", "LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN",
                             "CLUSTERDOWN", "NOREPLICAS", "NOSCRIPT"})
    if (message.rfind(prefix, 0) == 0)
      return true;
  return false;
}

caf::error failure_of(const result<redis_value>& r) {
  if (!r)
    return make_error(r.error());
  const auto& message = r->text;
  return make_error(transient(message) ? errc::unavailable : errc::internal,
                    "redis: " + message);
}

bool failed(const result<redis_value>& r) {
  return !r || r->is_error();
}

// A decimal the engine wrote; anything else means the key was damaged or written by
// something else, which must not be read as 0.
std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return out;
}

// Calls `make` with the reply, or delivers the failure; `make` returns the value to deliver
// or an error.
template <class T, class Make>
on_reply deliver_to(caf::typed_response_promise<T> rp, Make make) {
  return [rp, make](result<redis_value> r) mutable {
    if (failed(r)) {
      rp.deliver(failure_of(r));
      return;
    }
    caf::expected<T> value = make(*r);
    if (value)
      rp.deliver(std::move(*value));
    else
      rp.deliver(std::move(value.error()));
  };
}

caf::expected<ordo::order> decode_blob(const redis_value& v) {
  auto decoded = decode_order(v.text);
  if (!decoded)
    return make_error(errc::internal, "stored order is unreadable: " + decoded.error().message);
  return std::move(*decoded);
}

caf::expected<stored_order> decode_stored(const redis_value& v) {
  if (v.elements.size() != 5 || v.elements[0].is_nil())
    return stored_order{};
  auto o = decode_blob(v.elements[1]);
  if (!o)
    return std::move(o.error());
  domain::order_state state;
  state.order = std::move(*o);
  const auto version = to_int(v.elements[0].text);
  const auto delivered_at = to_int(v.elements[3].text);
  const auto charged = to_int(v.elements[4].text);
  const auto& member = v.elements[2].text;
  if (!version || !delivered_at || !charged || (member != "0" && member != "1"))
    return make_error(errc::internal, "stored order " + state.order.id +
                                        " has a field that is not what the engine writes");
  state.member = member == "1";
  state.delivered_at = *delivered_at;
  state.charged = *charged;
  if (static_cast<std::uint64_t>(*version) != state.order.version)
    return make_error(errc::internal, "stored order " + state.order.id + " disagrees with its version");
  return stored_order{std::move(state)};
}

caf::expected<commit_reply> decode_commit(const redis_value& v) {
  if (v.type != redis_value::kind::array || v.elements.empty())
    return make_error(errc::internal, "unexpected reply to a commit");
  const auto& outcome = v.elements[0].text;
  if (outcome == "ok")
    return commit_reply{};
  if (outcome == "fenced")
    return commit_reply{std::nullopt, true};
  if (outcome == "conflict" && v.elements.size() == 2 && v.elements[1].text == "membership")
    return make_error(errc::conflict, "the customer's membership changed meanwhile");
  if (outcome == "conflict" && v.elements.size() == 2)
    return make_error(errc::conflict, "the order changed meanwhile (now at version " +
                                        v.elements[1].text + ")");
  if (outcome == "replay" && v.elements.size() == 3) {
    auto reply = decode_blob(v.elements[2]);
    if (!reply)
      return std::move(reply.error());
    return commit_reply{idem_record{v.elements[1].text, std::move(*reply)}};
  }
  return make_error(errc::internal, "unexpected reply to a commit");
}

caf::expected<idem_lookup> decode_idem(const redis_value& v) {
  if (v.is_nil())
    return idem_lookup{};
  const auto& record = v.text;
  const std::size_t n = record.empty() ? 0 : static_cast<unsigned char>(record[0]);
  if (n == 0 || record.size() < 1 + n)
    return make_error(errc::internal, "stored idempotency record is unreadable");
  redis_value reply;
  reply.text = record.substr(1 + n);
  auto o = decode_blob(reply);
  if (!o)
    return std::move(o.error());
  return idem_lookup{idem_record{record.substr(1, n), std::move(*o)}};
}

caf::expected<idem_lookup> decode_old_idem(const redis_value& v) {
  if (v.elements.size() != 2 || v.elements[0].is_nil())
    return idem_lookup{};
  auto reply = decode_blob(v.elements[1]);
  if (!reply)
    return std::move(reply.error());
  const auto& hex = v.elements[0].text;
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    unsigned byte = 0;
    const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (ec != std::errc{} || end != hex.data() + i + 2)
      return make_error(errc::internal, "stored idempotency record has a damaged fingerprint");
    raw += static_cast<char>(byte);
  }
  return idem_lookup{idem_record{std::move(raw), std::move(*reply)}};
}

std::string encode_state(const ordo::order& o) {
  std::string blob;
  encode_order(o, blob);
  return blob;
}

redis_command commit_command(const redis_store_state& st, const order_commit& c, bool absent_ok) {
  const auto& o = c.state.order;
  const auto order_key = st.keys.order(o.id);
  const auto tag = std::string{domain::order_id_tag(o.id)};
  std::vector<std::string> keys{order_key, st.keys.customer_index(o.customer),
                                c.idem ? st.keys.idem(c.idem->customer, c.idem->key) : order_key,
                                st.keys.deadlines(tag), st.keys.events(),
                                c.member_assumed ? st.keys.member(o.customer) : order_key,
                                c.fence ? st.keys.lease(tag) : order_key};
  std::vector<std::string> args{
    std::to_string(c.expected_version),
    std::to_string(o.version),
    encode_state(o),
    c.state.member ? "1" : "0",
    std::to_string(c.state.delivered_at),
    std::to_string(c.state.charged),
    o.id,
    o.customer,
    std::string{domain::event_type(c.event.body)},
    std::to_string(c.event.at),
    c.idem ? c.idem->fingerprint : std::string{},
    std::to_string(st.opts.idem_ttl_s),
    c.payment_deadline_ms ? std::to_string(*c.payment_deadline_ms) : std::string{},
    c.member_assumed ? (*c.member_assumed ? "1" : "0") : std::string{},
    c.fence ? c.fence->owner : std::string{},
    c.fence ? std::to_string(c.fence->epoch) : std::string{},
    absent_ok ? "1" : "",
  };
  auto cmd = script_call(commit_script(), std::move(keys), std::move(args));
  cmd.batch_form = &commit_batch_form();
  return cmd;
}

// A change to an order that left Redis (the commit found no order where it expected one)
// applies if the warehouse holds the order at the very version the change was decided on:
// then the commit goes again, writing the order back whole.
void commit_archived(store_self self, std::shared_ptr<order_commit> c,
                     caf::typed_response_promise<commit_reply> rp) {
  const auto id = c->state.order.id;
  issue_archive(
    self, [id](warehouse::pg_connection& pg) { return lone(warehouse::find_order(pg, id)); },
    [self, c, rp](archive_answer found) mutable {
      if (!found) {
        rp.deliver(archive_failure(found));
        return;
      }
      if (found->empty() || found->front().order.version != c->expected_version) {
        rp.deliver(make_error(errc::conflict, "the order changed meanwhile (it is not in Redis, and "
                                              "the archive does not hold the version it was decided on)"));
        return;
      }
      issue(self, store_op::commit, commit_command(self->state, *c, true),
            deliver_to(rp, decode_commit));
    });
}

void commit(store_self self, const order_commit& c, caf::typed_response_promise<commit_reply> rp) {
  auto& st = self->state;
  const auto& o = c.state.order;
  if (st.keys.order(o.id).empty() || domain::order_id_tag(o.id) != domain::customer_tag(o.customer)) {
    rp.deliver(make_error(errc::internal, "order id " + o.id + " does not carry its customer's tag"));
    return;
  }
  if (c.idem && (c.idem->fingerprint.empty() || c.idem->fingerprint.size() > 255)) {
    rp.deliver(make_error(errc::internal, "an idempotency fingerprint must be 1 to 255 bytes"));
    return;
  }
  if (!st.opts.archive || c.expected_version == 0) {
    issue(self, store_op::commit, commit_command(st, c, false), deliver_to(rp, decode_commit));
    return;
  }
  auto kept = std::make_shared<order_commit>(c);
  issue(self, store_op::commit, commit_command(st, c, false),
        [self, kept, rp](result<redis_value> r) mutable {
          const bool absent = !failed(r) && r->elements.size() == 2 &&
                              r->elements[0].text == "conflict" && r->elements[1].text == "0";
          if (absent) {
            commit_archived(self, std::move(kept), rp);
            return;
          }
          deliver_to(rp, decode_commit)(std::move(r));
        });
}

void scan_deadlines(store_self self, std::int64_t due_before_ms, std::uint32_t limit,
                    caf::typed_response_promise<due_orders> rp) {
  struct scan {
    std::size_t missing = 0;
    bool answered = false;
    std::vector<std::pair<std::int64_t, std::string>> due;
  };
  auto sets = self->state.keys.all_deadline_sets();
  auto progress = std::make_shared<scan>();
  progress->missing = sets.size();
  for (auto& key : sets) {
    redis_command cmd{{"ZRANGEBYSCORE", std::move(key), "-inf", std::to_string(due_before_ms),
                       "WITHSCORES", "LIMIT", "0", std::to_string(limit)},
                      nullptr};
    issue(self, store_op::deadlines, std::move(cmd),
          [rp, progress, limit](result<redis_value> r) mutable {
      if (progress->answered)
        return;
      if (failed(r)) {
        progress->answered = true;
        rp.deliver(failure_of(r));
        return;
      }
      for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
        // A score that is not a time the engine wrote cannot be due: leave it to an operator.
        if (const auto due_at = to_int(r->elements[i + 1].text))
          progress->due.emplace_back(*due_at, r->elements[i].text);
      }
      if (--progress->missing > 0)
        return;
      progress->answered = true;
      std::sort(progress->due.begin(), progress->due.end());
      due_orders out;
      for (std::size_t i = 0; i < progress->due.size() && i < limit; ++i)
        out.order_ids.push_back(progress->due[i].second);
      rp.deliver(std::move(out));
    });
  }
}

// How long the request took and, for the metrics, whether Redis failed it; what the
// answer means (a conflict, say) is for the request's own decoder.
void account(const redis_store_state& st, const pending_request& p, const result<redis_value>& r) {
  if (st.opts.metrics == nullptr)
    return;
  std::optional<errc> failure;
  if (!r)
    failure = r.error().code;
  else if (r->is_error())
    failure = transient(r->text) ? errc::unavailable : errc::internal;
  st.opts.metrics->finished(p.op, metrics_clock::now() - p.issued, failure);
}

void answer(store_self self, std::map<std::uint64_t, pending_request>::iterator it,
            result<redis_value> r) {
  auto& st = self->state;
  account(st, it->second, r);
  auto done = std::move(it->second.done);
  st.pending.erase(it);
  done(std::move(r));
}

void expire_overdue(store_self self) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  while (!st.pending.empty() && st.pending.begin()->second.deadline <= now)
    answer(self, st.pending.begin(),
           error{errc::unavailable,
                 "redis did not answer within " + std::to_string(st.opts.timeout.count()) + " ms"});
  while (!st.archive_pending.empty() && st.archive_pending.begin()->second.deadline <= now)
    answer_archive(self, st.archive_pending.begin(),
                   error{errc::unavailable, "the archive did not answer within " +
                                              std::to_string(st.opts.timeout.count()) + " ms"});
}

// An order Redis does not hold may have left it for the warehouse.
void load(store_self self, const std::string& id, caf::typed_response_promise<stored_order> rp) {
  auto& st = self->state;
  const auto key = st.keys.order(id);
  if (key.empty()) {
    rp.deliver(stored_order{});
    return;
  }
  issue(self, store_op::load, {{"HMGET", key, "v", "s", "m", "d", "c"}, nullptr},
        [self, id, rp](result<redis_value> r) mutable {
          if (failed(r) || !self->state.opts.archive) {
            deliver_to(rp, decode_stored)(std::move(r));
            return;
          }
          auto stored = decode_stored(*r);
          if (!stored || stored->state) {
            deliver_to(rp, decode_stored)(std::move(r));
            return;
          }
          issue_archive(
            self, [id](warehouse::pg_connection& pg) { return lone(warehouse::find_order(pg, id)); },
            [rp](archive_answer found) mutable {
              if (!found) {
                rp.deliver(archive_failure(found));
                return;
              }
              stored_order out;
              if (!found->empty())
                out.state = std::move(found->front());
              rp.deliver(std::move(out));
            });
        });
}

caf::expected<order_page> decode_page(const redis_value& v) {
  order_page page;
  for (const auto& blob : v.elements) {
    auto o = decode_blob(blob);
    if (!o)
      return std::move(o.error());
    page.orders.push_back(std::move(*o));
  }
  return page;
}

// Redis' page and the warehouse's, merged: by id, newest first, an order in both at the
// higher version (Redis' unless it is behind the archive, which it never is for long).
order_page merged(order_page hot, std::vector<domain::order_state> archived, std::uint32_t limit) {
  std::map<std::string, ordo::order, std::greater<>> by_id;
  for (auto& o : hot.orders)
    by_id[o.id] = std::move(o);
  for (auto& a : archived) {
    auto [it, added] = by_id.try_emplace(a.order.id, a.order);
    if (!added && it->second.version < a.order.version)
      it->second = std::move(a.order);
  }
  order_page out;
  for (auto& [id, o] : by_id) {
    if (out.orders.size() == limit)
      break;
    out.orders.push_back(std::move(o));
  }
  return out;
}

void list(store_self self, const list_query& q, caf::typed_response_promise<order_page> rp) {
  auto& st = self->state;
  auto cmd = script_call(list_script(), {st.keys.customer_index(q.customer)},
                         {q.before.value_or(std::string{}), std::to_string(q.limit),
                          st.keys.order_prefix(domain::customer_tag(q.customer))});
  if (!st.opts.archive) {
    issue(self, store_op::list, std::move(cmd), deliver_to(rp, decode_page));
    return;
  }
  issue(self, store_op::list, std::move(cmd), [self, q, rp](result<redis_value> r) mutable {
    if (failed(r)) {
      rp.deliver(failure_of(r));
      return;
    }
    auto hot = decode_page(*r);
    if (!hot) {
      rp.deliver(std::move(hot.error()));
      return;
    }
    issue_archive(
      self,
      [q](warehouse::pg_connection& pg) {
        return warehouse::list_orders(pg, q.customer, q.before.value_or(std::string{}), q.limit);
      },
      [rp, hot = std::move(*hot), limit = q.limit](archive_answer archived) mutable {
        if (!archived) {
          rp.deliver(archive_failure(archived));
          return;
        }
        rp.deliver(merged(std::move(hot), std::move(*archived), limit));
      });
  });
}

std::chrono::milliseconds tick_interval(const redis_store_options& opts) {
  return std::max(opts.timeout / 20, std::chrono::milliseconds{5});
}

caf::behavior redis_store(store_self self, std::shared_ptr<redis_client> client,
                          redis_store_options opts) {
  auto& st = self->state;
  st.client = std::move(client);
  st.keys = redis_keys{opts.key_prefix};
  st.opts = std::move(opts);
  self->delayed_send(self, tick_interval(st.opts), tick_atom::value);
  if (st.opts.events_max_len > 0)
    self->delayed_send(self, st.opts.trim_interval, trim_atom::value);
  if (st.opts.metrics)
    self->send(self, length_atom::value);
  self->send(self, announce_atom::value);
  return {
    [=](reply_atom, std::uint64_t ticket, result<redis_value>& r) {
      auto& s = self->state;
      auto it = s.pending.find(ticket);
      if (it == s.pending.end())
        return; // answered unavailable already
      answer(self, it, std::move(r));
    },
    [=](archived_atom, std::uint64_t ticket, archive_answer& answer) {
      auto& s = self->state;
      auto it = s.archive_pending.find(ticket);
      if (it == s.archive_pending.end())
        return; // answered unavailable already
      answer_archive(self, it, std::move(answer));
    },
    [=](announce_atom) {
      auto& s = self->state;
      issue(self, store_op::announce, {{"SADD", s.keys.event_streams(), s.keys.events()}, nullptr},
            [](result<redis_value>) {});
      self->delayed_send(self, announce_interval, announce_atom::value);
    },
    [=](tick_atom) {
      expire_overdue(self);
      self->delayed_send(self, tick_interval(self->state.opts), tick_atom::value);
    },
    [=](trim_atom) {
      auto& s = self->state;
      issue(self, store_op::trim,
            script_call(trim_script(), {s.keys.events()},
                        {std::to_string(s.opts.events_max_len), std::to_string(trim_chunk)}),
            [](result<redis_value>) {});
      self->delayed_send(self, s.opts.trim_interval, trim_atom::value);
    },
    [=](length_atom) {
      auto& s = self->state;
      issue(self, store_op::stream_length, {{"XLEN", s.keys.events()}, nullptr},
            [metrics = s.opts.metrics](result<redis_value> r) {
              if (r && r->type == redis_value::kind::integer)
                metrics->stream_length(r->integer);
            });
      self->delayed_send(self, stream_length_interval, length_atom::value);
    },
    [=](load_atom, const std::string& id) {
      auto rp = self->make_response_promise<stored_order>();
      load(self, id, rp);
      return rp;
    },
    [=](commit_atom, const order_commit& c) {
      auto rp = self->make_response_promise<commit_reply>();
      commit(self, c, rp);
      return rp;
    },
    [=](idem_atom, const std::string& customer, const std::string& key) {
      auto rp = self->make_response_promise<idem_lookup>();
      const auto record_key = self->state.keys.idem(customer, key);
      issue(self, store_op::idempotency, {{"GET", record_key}, nullptr},
            [self, rp, record_key](result<redis_value> r) mutable {
              // A record of an earlier engine is a hash (WRONGTYPE to a GET): read it as one.
              if (r && r->is_error() && r->text.rfind("WRONGTYPE", 0) == 0) {
                issue(self, store_op::idempotency, {{"HMGET", record_key, "f", "r"}, nullptr},
                      deliver_to(rp, decode_old_idem));
                return;
              }
              deliver_to(rp, decode_idem)(std::move(r));
            });
      return rp;
    },
    [=](list_atom, const list_query& q) {
      auto rp = self->make_response_promise<order_page>();
      list(self, q, rp);
      return rp;
    },
    [=](member_atom, get_atom, const std::string& customer) {
      auto rp = self->make_response_promise<bool>();
      issue(self, store_op::membership_read, {{"GET", self->state.keys.member(customer)}, nullptr},
            deliver_to(rp, [](const redis_value& v) -> caf::expected<bool> {
              return v.text == "1";
            }));
      return rp;
    },
    [=](member_atom, put_atom, const std::string& customer, bool member) {
      auto rp = self->make_response_promise<bool>();
      issue(self, store_op::membership_write,
            {{"SET", self->state.keys.member(customer), member ? "1" : "0"}, nullptr},
            deliver_to(rp, [member](const redis_value&) -> caf::expected<bool> { return member; }));
      return rp;
    },
    [=](session_atom, put_atom, const session_record& r) {
      auto rp = self->make_response_promise<bool>();
      const auto value = std::string{to_string(r.role)} + ":" + std::to_string(r.expires_at_ms) +
                         ":" + r.subject;
      issue(self, store_op::session_write,
            {{"SET", self->state.keys.session(r.id), value, "PXAT",
              std::to_string(r.expires_at_ms)},
             nullptr},
            deliver_to(rp, [](const redis_value&) -> caf::expected<bool> { return true; }));
      return rp;
    },
    [=](session_atom, get_atom, const std::string& id) {
      auto rp = self->make_response_promise<stored_session>();
      issue(self, store_op::session_read, {{"GET", self->state.keys.session(id)}, nullptr},
            deliver_to(rp, [id](const redis_value& v) -> caf::expected<stored_session> {
              if (v.is_nil())
                return stored_session{};
              const auto first = v.text.find(':');
              const auto second = v.text.find(':', first + 1);
              const auto role = parse_role(std::string_view{v.text}.substr(0, first));
              const auto expires_at =
                first == std::string::npos || second == std::string::npos
                  ? std::nullopt
                  : to_int(std::string_view{v.text}.substr(first + 1, second - first - 1));
              if (!role || !expires_at)
                return make_error(errc::internal, "stored session " + id + " is unreadable");
              return stored_session{session_record{id, v.text.substr(second + 1), *role, *expires_at}};
            }));
      return rp;
    },
    [=](deadline_atom, std::int64_t due_before_ms, std::uint32_t limit) {
      auto rp = self->make_response_promise<due_orders>();
      scan_deadlines(self, due_before_ms, limit, rp);
      return rp;
    },
  };
}

} // namespace

actors::store_actor spawn_redis_store(caf::actor_system& sys, std::shared_ptr<redis_client> client,
                                      redis_store_options opts) {
  return caf::actor_cast<actors::store_actor>(sys.spawn(redis_store, std::move(client), std::move(opts)));
}

} // namespace ordo::runtime
