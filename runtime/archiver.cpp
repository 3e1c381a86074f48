#include "runtime/archiver.hpp"

#include <algorithm>
#include <charconv>
#include <future>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "domain/order_id.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/redis_client.hpp"
#include "runtime/redis_keys.hpp"
#include "runtime/redis_scripts.hpp"
#include "warehouse/archive_writer.hpp"

namespace ordo::runtime {

namespace {

using clock = std::chrono::steady_clock;

constexpr std::chrono::seconds retry_interval{1};
constexpr std::chrono::seconds streams_interval{5};
constexpr std::chrono::seconds lag_interval{1};
constexpr std::chrono::milliseconds read_block{500};
// A statement of the archive's taking longer is cancelled: the batch is written again, and a
// PostgreSQL that hangs cannot hold the archiver (and its stop) for ever.
constexpr std::chrono::seconds statement_limit{60};
// Most orders one eviction run of a tag takes: keeps each run short inside Redis.
constexpr std::size_t evict_chunk = 1'000;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// The ms part of a stream entry id "MS-SEQ".
std::int64_t id_ms(const std::string& id) {
  std::int64_t ms = 0;
  std::from_chars(id.data(), id.data() + id.size(), ms);
  return ms;
}

struct entry {
  std::string stream;
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
  bool deleted = false; // trimmed while pending: nothing left to archive
};

// The entries of one stream in an XREADGROUP or XAUTOCLAIM answer.
// Moved out of the answer, not copied: a batch is thousands of strings.
void take_entries(const std::string& stream, redis_value& list, std::vector<entry>& out) {
  out.reserve(out.size() + list.elements.size());
  for (auto& e : list.elements) {
    if (e.elements.size() != 2)
      continue;
    entry item{stream, std::move(e.elements[0].text), {}, e.elements[1].is_nil()};
    auto& kv = e.elements[1].elements;
    item.fields.reserve(kv.size() / 2);
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2)
      item.fields.emplace_back(std::move(kv[i].text), std::move(kv[i + 1].text));
    out.push_back(std::move(item));
  }
}

} // namespace

struct archiver::state {
  archiver_options opts;
  redis_keys keys;
  redis_client redis;
  std::optional<warehouse::archive_writer> writer;
  std::vector<std::string> streams;
  std::set<std::string> grouped; // streams whose group is known to exist
  std::map<std::string, std::string> claim_cursor; // per stream, where XAUTOCLAIM goes on
  std::vector<entry> held;       // read and not yet committed to PostgreSQL
  clock::time_point next_streams{};
  clock::time_point next_claim{};
  clock::time_point next_evict{};
  clock::time_point next_lag{};
  clock::time_point next_connect{};
  std::future<result<redis_value>> prefetched; // the next batch, read ahead
  // Failed acknowledgements and marks, counted on the client's thread.
  std::shared_ptr<std::atomic<std::size_t>> unconfirmed_counter =
    std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<std::size_t>& unconfirmed = *unconfirmed_counter;
  std::string redis_down; // as last logged
  std::string postgres_down;
  bool announced = false;

  explicit state(archiver_options o)
    : opts(std::move(o)), keys(opts.key_prefix),
      redis(client_options(opts)) {}

  static redis_client::options client_options(const archiver_options& o) {
    redis_client::options out{o.redis.host, o.redis.port, o.redis_timeout};
    out.log_outages = false; // told once by the archiver, which knows what it was doing
    return out;
  }

  // Every command answered, in order.
  std::vector<result<redis_value>> call_all(std::vector<redis_command> cmds) {
    std::vector<std::future<result<redis_value>>> answers;
    answers.reserve(cmds.size());
    for (auto& cmd : cmds) {
      auto p = std::make_shared<std::promise<result<redis_value>>>();
      answers.push_back(p->get_future());
      redis.submit(std::move(cmd), [p](result<redis_value> r) { p->set_value(std::move(r)); });
    }
    std::vector<result<redis_value>> out;
    out.reserve(answers.size());
    for (auto& a : answers)
      out.push_back(a.get());
    return out;
  }

  result<redis_value> call(std::vector<std::string> args) {
    auto out = call_all({redis_command{std::move(args), nullptr}});
    return std::move(out.front());
  }

  // A failed answer as one line: the connection's failure or Redis' error.
  static std::optional<std::string> failure(const result<redis_value>& r) {
    if (!r)
      return r.error().message;
    if (r->is_error())
      return r->text;
    return std::nullopt;
  }

  void redis_failed(const std::string& why) {
    if (why != redis_down)
      log_event("warning", "redis_down", {{"why", why}});
    redis_down = why;
  }

  void redis_answered() {
    if (!redis_down.empty())
      log_event("info", "redis_up");
    redis_down.clear();
  }

  void postgres_failed(const std::string& why) {
    if (why != postgres_down)
      log_event("warning", "postgres_down", {{"why", why}});
    postgres_down = why;
  }

  void report_connected() {
    if (opts.metrics)
      opts.metrics->set_connected(redis_down.empty(), writer.has_value());
  }

  bool connect_postgres() {
    if (writer && writer->connection().healthy())
      return true;
    writer.reset();
    if (clock::now() < next_connect)
      return false;
    next_connect = clock::now() + retry_interval;
    auto pg = warehouse::pg_connection::connect(opts.postgres, statement_limit);
    if (!pg) {
      postgres_failed(pg.error().message);
      return false;
    }
    auto opened = warehouse::archive_writer::open(std::move(*pg), wall_ms());
    if (!opened) {
      postgres_failed(opened.error().message);
      return false;
    }
    writer.emplace(std::move(*opened));
    if (!postgres_down.empty())
      log_event("info", "postgres_up");
    postgres_down.clear();
    return true;
  }

  // The streams of PREFIX event-streams, each with the group made (from its first entry).
  bool refresh_streams() {
    if (clock::now() < next_streams && !streams.empty())
      return true;
    auto members = call({"SMEMBERS", keys.event_streams()});
    if (auto why = failure(members)) {
      redis_failed(*why);
      return false;
    }
    redis_answered();
    next_streams = clock::now() + streams_interval;
    std::vector<std::string> found;
    for (const auto& m : members->elements)
      found.push_back(m.text);
    std::sort(found.begin(), found.end());
    for (const auto& s : found) {
      if (grouped.count(s))
        continue;
      auto made = call({"XGROUP", "CREATE", s, opts.group, "0", "MKSTREAM"});
      const auto why = failure(made);
      if (why && why->rfind("BUSYGROUP", 0) != 0) {
        redis_failed(*why);
        return false;
      }
      grouped.insert(s);
      log_event("info", "stream_archived", {{"stream", s}, {"group", opts.group}});
    }
    streams = std::move(found);
    return true;
  }

  // Entries other archivers left pending longer than claim_idle become this one's.
  void claim() {
    if (clock::now() < next_claim)
      return;
    next_claim = clock::now() + std::max<std::chrono::milliseconds>(opts.claim_idle / 4, retry_interval);
    for (const auto& s : streams) {
      // Kept from one claim to the next: a long pending list is walked, not its head again.
      auto& cursor = claim_cursor[s];
      if (cursor.empty())
        cursor = "0-0";
      while (held.size() < opts.batch) {
        auto claimed = call({"XAUTOCLAIM", s, opts.group, opts.consumer,
                             std::to_string(opts.claim_idle.count()), cursor, "COUNT",
                             std::to_string(opts.batch - held.size())});
        if (auto why = failure(claimed)) {
          redis_failed(*why);
          return;
        }
        if (claimed->elements.size() < 2)
          break;
        const auto before = held.size();
        take_entries(s, claimed->elements[1], held);
        // Redis 7 lists the ids of pending entries that were trimmed away: nothing to keep.
        if (claimed->elements.size() > 2)
          for (const auto& gone : claimed->elements[2].elements)
            held.push_back({s, gone.text, {}, true});
        if (opts.metrics && held.size() > before)
          opts.metrics->claimed(held.size() - before);
        cursor = claimed->elements[0].text;
        if (cursor == "0-0")
          break;
      }
    }
  }

  redis_command read_command(std::chrono::milliseconds block) const {
    std::vector<std::string> args{"XREADGROUP", "GROUP", opts.group, opts.consumer, "COUNT",
                                  std::to_string(opts.batch)};
    if (block.count() > 0) {
      args.push_back("BLOCK");
      args.push_back(std::to_string(block.count()));
    }
    args.push_back("STREAMS");
    args.insert(args.end(), streams.begin(), streams.end());
    for (std::size_t i = 0; i < streams.size(); ++i)
      args.push_back(">");
    return {std::move(args), nullptr};
  }

  void take_read(result<redis_value> read) {
    if (auto why = failure(read)) {
      // A stream deleted under its group (NOGROUP): made again on the next refresh.
      if (why->rfind("NOGROUP", 0) == 0) {
        grouped.clear();
        next_streams = {};
      } else {
        redis_failed(*why);
      }
      return;
    }
    redis_answered();
    for (auto& per_stream : read->elements)
      if (per_stream.elements.size() == 2)
        take_entries(per_stream.elements[0].text, per_stream.elements[1], held);
  }

  void read_new() {
    if (prefetched.valid()) {
      take_read(prefetched.get());
      return;
    }
    if (streams.empty()) {
      std::this_thread::sleep_for(read_block);
      return;
    }
    auto answers = call_all({read_command(read_block)});
    take_read(std::move(answers.front()));
  }

  // The next batch is read while this one goes into PostgreSQL: the two overlap. Its entries
  // are this archiver's from then on, pending; they are written before it stops.
  void prefetch() {
    if (prefetched.valid() || streams.empty())
      return;
    auto p = std::make_shared<std::promise<result<redis_value>>>();
    prefetched = p->get_future();
    redis.submit(read_command(std::chrono::milliseconds{0}),
                 [p](result<redis_value> r) { p->set_value(std::move(r)); });
  }

  // A prefetched batch at the stop: written if PostgreSQL takes it, else left pending for
  // the group.
  void finish_prefetched() {
    if (!prefetched.valid() || !writer)
      return;
    take_read(prefetched.get());
    if (!held.empty())
      write_held();
  }

  // What the acknowledgements and marks, sent without waiting, met.
  void note_unconfirmed() {
    const auto failed = unconfirmed.exchange(0);
    if (failed > 0)
      log_event("warning", "acknowledgements_failed",
                {{"count", std::to_string(failed)}, {"why", "left pending or unmarked: claimed and written again"}});
  }

  // An entry the warehouse cannot take (not an event the engine wrote, or one PostgreSQL
  // refuses as data) goes to the dead-letter stream PREFIX events-unarchived with why, then
  // is acknowledged: it must neither stall the archive nor hold the stream's trimming back,
  // and an operator finds it there. Answers false when Redis did not take it (it stays
  // pending, and is tried again).
  bool dead_letter(const entry& e, const std::string& why) {
    log_event("error", "entry_unarchived", {{"stream", e.stream}, {"id", e.id}, {"why", why}});
    std::vector<std::string> args{"XADD", keys.prefix() + "events-unarchived", "*", "stream", e.stream,
                                  "id", e.id, "why", why};
    for (const auto& [name, value] : e.fields) {
      args.push_back(name);
      args.push_back(value);
    }
    auto added = call(std::move(args));
    if (auto failed = failure(added)) {
      redis_failed(*failed);
      return false;
    }
    if (opts.metrics)
      opts.metrics->unreadable(1);
    return true;
  }

  // A refusal of the data itself, not of the server: the same batch would fail again.
  static bool refused_as_data(const std::string& sqlstate) {
    return sqlstate.rfind("22", 0) == 0 || (sqlstate.rfind("23", 0) == 0 && sqlstate != "23505");
  }

  // The held entries into PostgreSQL, then acknowledged, then their orders marked.
  bool write_held() {
    const auto started = metrics_clock::now();
    std::vector<warehouse::archived_event> events;
    std::vector<const entry*> sources; // the entry of each event
    std::vector<const entry*> done;    // acknowledged once the batch committed
    for (const auto& e : held) {
      if (e.deleted) {
        done.push_back(&e);
        continue;
      }
      auto event = warehouse::event_from_entry(e.fields);
      if (!event) {
        if (dead_letter(e, event.error().message))
          done.push_back(&e);
        continue;
      }
      events.push_back(std::move(*event));
      sources.push_back(&e);
    }
    auto written = writer->write(events);
    if (!written && writer->connection().healthy() &&
        refused_as_data(writer->connection().last_sqlstate())) {
      // One event PostgreSQL will not take must not hold the others back: one at a time.
      std::vector<warehouse::archived_event> taken;
      std::vector<const entry*> taken_sources;
      for (std::size_t i = 0; i < events.size(); ++i) {
        auto one = writer->write({events[i]});
        if (one) {
          taken.push_back(std::move(events[i]));
          taken_sources.push_back(sources[i]);
        } else if (writer->connection().healthy() && refused_as_data(writer->connection().last_sqlstate())) {
          if (dead_letter(*sources[i], one.error().message))
            done.push_back(sources[i]);
        } else {
          written = std::move(one);
          break;
        }
        written = true;
      }
      events = std::move(taken);
      sources = std::move(taken_sources);
    }
    if (!written) {
      if (opts.metrics)
        opts.metrics->batch_failed();
      postgres_failed(written.error().message);
      if (!writer->connection().healthy())
        writer.reset();
      return false;
    }
    if (opts.metrics)
      opts.metrics->batch_written(events.size(), metrics_clock::now() - started);
    done.insert(done.end(), sources.begin(), sources.end());
    acknowledge(done);
    mark(events);
    held.clear();
    return true;
  }

  // An acknowledgement Redis did not take leaves the entry pending: it is claimed and
  // written again, which the warehouse's merge makes harmless.
  void acknowledge(const std::vector<const entry*>& done) {
    std::map<std::string, std::vector<std::string>> by_stream;
    for (const auto* e : done)
      by_stream[e->stream].push_back(e->id);
    std::vector<redis_command> acks;
    for (auto& [stream, ids] : by_stream) {
      redis_command cmd{{"XACK", stream, opts.group}, nullptr};
      cmd.args.insert(cmd.args.end(), ids.begin(), ids.end());
      acks.push_back(std::move(cmd));
    }
    send_unwaited(std::move(acks));
  }

  // Sent without waiting for the answers: the next batch does not wait on them. A failure
  // leaves an entry pending (claimed and written again: harmless) or an order unmarked
  // (it stays in Redis until it next changes).
  void send_unwaited(std::vector<redis_command> cmds) {
    for (auto& cmd : cmds)
      redis.submit(std::move(cmd), [counter = unconfirmed_counter](result<redis_value> r) {
        if (failure(r))
          counter->fetch_add(1);
      });
  }

  // Each order at the latest version archived: if Redis still holds it at that version, it
  // becomes a candidate to leave Redis once the grace has passed.
  void mark(const std::vector<warehouse::archived_event>& events) {
    std::map<std::string, const warehouse::archived_event*> latest;
    for (const auto& e : events) {
      auto& slot = latest[e.state.order.id];
      if (!slot || slot->state.order.version < e.state.order.version)
        slot = &e;
    }
    std::vector<redis_command> marks;
    for (const auto& [id, e] : latest) {
      const auto tag = domain::order_id_tag(id);
      if (tag.empty())
        continue;
      marks.push_back(script_call(mark_archived_script(), {keys.order(id), keys.archived(tag)},
                                  {std::to_string(e->state.order.version), std::to_string(e->at),
                                   id, e->state.order.customer}));
    }
    send_unwaited(std::move(marks));
  }

  std::chrono::milliseconds evict_every() const {
    return std::clamp<std::chrono::milliseconds>(opts.grace / 10, std::chrono::seconds{1},
                                                 std::chrono::seconds{60});
  }

  void evict() {
    if (clock::now() < next_evict)
      return;
    next_evict = clock::now() + evict_every();
    std::vector<redis_command> runs;
    runs.reserve(domain::customer_tags);
    for (std::size_t t = 0; t < domain::customer_tags; ++t) {
      const auto tag = domain::tag_at(t);
      runs.push_back(script_call(evict_script(), {keys.archived(tag)},
                                 {std::to_string(opts.grace.count()), std::to_string(evict_chunk),
                                  keys.order_prefix(tag), keys.customer_index_prefix(tag)}));
    }
    std::size_t evicted = 0;
    for (const auto& r : call_all(std::move(runs))) {
      if (auto why = failure(r)) {
        redis_failed(*why);
        continue;
      }
      evicted += static_cast<std::size_t>(r->integer);
    }
    if (opts.metrics && evicted > 0)
      opts.metrics->evicted(evicted);
  }

  // The group's lag (XINFO GROUPS) and the age of the oldest entry it has not acknowledged.
  void measure_lag() {
    if (!opts.metrics || clock::now() < next_lag)
      return;
    next_lag = clock::now() + lag_interval;
    std::int64_t entries = 0;
    std::int64_t oldest_ms = 0;
    for (const auto& s : streams) {
      auto groups = call({"XINFO", "GROUPS", s});
      if (failure(groups))
        return;
      for (const auto& g : groups->elements) {
        std::map<std::string, const redis_value*> info;
        for (std::size_t i = 0; i + 1 < g.elements.size(); i += 2)
          info[g.elements[i].text] = &g.elements[i + 1];
        if (!info.count("name") || info["name"]->text != opts.group)
          continue;
        const auto pending = info.count("pending") ? info["pending"]->integer : 0;
        const auto lag = info.count("lag") ? info["lag"]->integer : 0;
        entries += pending + lag;
        std::vector<std::string> candidates;
        if (pending > 0) {
          auto summary = call({"XPENDING", s, opts.group});
          if (!failure(summary) && summary->elements.size() >= 2)
            candidates.push_back(summary->elements[1].text);
        }
        if (lag > 0 && info.count("last-delivered-id")) {
          auto next = call({"XRANGE", s, "(" + info["last-delivered-id"]->text, "+", "COUNT", "1"});
          if (!failure(next) && !next->elements.empty() && !next->elements[0].elements.empty())
            candidates.push_back(next->elements[0].elements[0].text);
        }
        for (const auto& id : candidates)
          if (oldest_ms == 0 || id_ms(id) < oldest_ms)
            oldest_ms = id_ms(id);
      }
    }
    const double age = oldest_ms == 0 ? 0.0 : std::max<double>(0.0, (wall_ms() - oldest_ms) / 1000.0);
    opts.metrics->lag(entries, age);
  }

  void idle() { std::this_thread::sleep_for(std::chrono::milliseconds{100}); }
};

archiver::archiver(archiver_options opts) : st_(std::make_unique<state>(std::move(opts))) {}

archiver::~archiver() = default;

void archiver::run(const std::atomic<bool>& stop, const std::function<void()>& running) {
  auto& st = *st_;
  while (!stop.load()) {
    const bool postgres = st.connect_postgres();
    const bool redis = st.refresh_streams();
    st.report_connected();
    if (!postgres || !redis) {
      st.idle();
      continue;
    }
    if (!st.announced) {
      st.announced = true;
      running();
    }
    if (st.held.empty())
      st.claim();
    if (st.held.empty())
      st.read_new();
    if (!st.held.empty()) {
      st.prefetch();
      if (!st.write_held()) {
        st.idle();
        continue;
      }
    }
    st.note_unconfirmed();
    st.evict();
    st.measure_lag();
  }
  st.finish_prefetched();
  // Answered after everything sent before it: the last acknowledgements are in.
  st.call({"PING"});
}

} // namespace ordo::runtime
