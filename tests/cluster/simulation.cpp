#include "simulation.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <iostream>
#include <queue>
#include <random>
#include <sstream>
#include <vector>

#include "cluster/assignment.hpp"
#include "cluster/lease_rules.hpp"
#include "cluster/ownership.hpp"

namespace ordo::cluster::sim {

namespace {

constexpr int max_nodes = 5;
constexpr std::array<const char*, max_nodes> node_names{"node-a", "node-b", "node-c", "node-d",
                                                        "node-e"};
constexpr std::size_t trace_length = 40;
constexpr std::int64_t client_delay_ms = 2; // clients sit next to the nodes

// What one seed draws; the faults stop at quiet_at_ms, liveness is judged at check_at_ms.
struct params {
  std::int64_t lease_ms = 0;
  int nodes = 0;
  std::size_t tags = 0;
  std::int64_t max_delay_ms = 0; // one way, node <-> Redis
  double slow_share = 0;         // of messages, delayed lease/2 .. 2 x lease instead
  double loss_share = 0;
  double stall_share = 0;        // of a node's steps, after which it acts on that clock reading
  std::int64_t max_stall_ms = 0; // for up to this long
  double pause_share = 0;        // per node and half lease
  double cut_share = 0;          // cut off from Redis (not from its clients) for up to 3 leases
  double death_share = 0;
  std::int64_t op_every_ms = 0;
  std::int64_t quiet_at_ms = 0;
  std::int64_t check_at_ms = 0;
};

enum class kind : std::uint8_t {
  heartbeat, // node -> Redis requests, and their replies
  acquire,
  renew,
  release,
  commit,
  load,
  read, // client -> node requests, and the node's answers
  write,
};

constexpr std::array<const char*, 5> phase_names{"idle", "acquiring", "held", "handing off",
                                                 "releasing"};

constexpr std::array<const char*, 8> kind_names{"heartbeat", "acquire", "renew", "release",
                                                "commit",    "load",    "read",  "write"};

struct message {
  kind what = kind::heartbeat;
  std::uint64_t id = 0; // the node's request, or the client's op
  std::size_t tag = 0;
  std::uint64_t epoch = 0;
  std::uint64_t version = 0; // a commit's expected version; the version of a reply or answer
  std::uint64_t op = 0;      // a commit's client op: the write's identity in the register
  bool ok = false;           // granted, applied, served
  bool fenced = false;       // a commit refused for want of a current lease
  std::uint32_t live = 0;    // a heartbeat's reply: bit i for node i alive in the registry
  std::int64_t left_ms = 0;  // an acquire's reply: what the lease has left to run
};

enum class happening : std::uint8_t {
  tick,      // a node's periodic work
  at_node,   // a reply from Redis or a client's request reaches a node
  at_redis,  // a node's request reaches Redis
  at_client, // a node's answer reaches its client
  client_op,
  fault,
  wake,
  restart,
  quiet,
  check,
  last_reads,
  verdict,
};

struct event {
  std::int64_t at_ms = 0;
  std::uint64_t seq = 0;
  happening what = happening::tick;
  int node = 0;
  std::uint32_t life = 0; // the incarnation of `node` it is from or for; a wake's pause
  message m;
};

struct later {
  bool operator()(const event& a, const event& b) const {
    return a.at_ms != b.at_ms ? a.at_ms > b.at_ms : a.seq > b.seq;
  }
};

struct cached_tag {
  explicit cached_tag(lease_timing timing)
      : own(timing) {}
  tag_ownership own;
  bool loaded = false; // `version` is current for this hold
  std::uint64_t version = 0;
  std::uint64_t load_id = 0; // the load whose answer counts; 0: none out
  bool committing = false;
};

struct request_out {
  std::uint64_t id = 0;
  kind what = kind::heartbeat;
  std::size_t tag = 0;
  tag_ownership::ticket ticket = 0; // lease requests
  std::uint64_t op = 0;             // a commit's client op
  std::uint64_t epoch = 0;          // the epoch a commit was decided under
  std::int64_t deadline_ms = 0;     // node clock
};

enum class status : std::uint8_t { up, paused, dead };

struct node {
  status state = status::up;
  std::uint32_t life = 0;
  bool gone_for_good = false;
  double rate = 1;
  std::int64_t offset_ms = 0;
  std::int64_t last_now_ms = 0;
  std::int64_t stalled_until_ms = 0; // real time: until then it acts on last_now_ms
  std::vector<cached_tag> tags;
  std::uint32_t view = 0; // the live nodes, as the registry last answered
  std::uint64_t view_id = 0;
  std::vector<bool> mine;
  std::vector<request_out> out;
  std::int64_t next_beat_ms = 0;
  std::uint64_t next_id = 0;
  std::vector<event> held_back;  // what reached it while paused, in order
  std::uint32_t pause = 0;       // which pause a wake ends
  std::int64_t cut_until_ms = 0; // real time: everything between it and Redis is lost till then
};

struct tag_record {
  lease l;
  std::vector<std::uint64_t> writes; // the client op that wrote version i + 1, at i
  // The current term, for check (1): from a grant to a new (owner, epoch) until its expiry
  // or release.
  std::string term_owner;
  std::uint64_t term_epoch = 0;
  std::int64_t term_end_ms = 0;
  std::uint64_t newest_commit_epoch = 0;
};

struct client_op {
  bool write = false;
  std::size_t tag = 0;
  std::uint64_t floor = 0; // the newest version any client had seen when it was sent
  bool last = false;       // one of the final ops that must succeed
  bool succeeded = false;
};

struct trace_entry {
  std::int64_t at_ms = 0;
  int node = -1;
  std::uint32_t life = 0;
  const char* what = "";
  const char* about = nullptr; // the kind of request it concerns
  std::int64_t tag = -1;
  const char* a_name = nullptr;
  std::int64_t a = 0;
  const char* b_name = nullptr;
  std::int64_t b = 0;
};

class world {
public:
  explicit world(const config& cfg);
  result run();

private:
  // randomness
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  bool chance(double share);
  double draw_rate();
  std::int64_t network_delay(int n); // -1: lost

  void schedule(std::int64_t at_ms, happening what, int n, std::uint32_t life,
                const message& m = {});
  void record(int n, const char* what, std::int64_t tag = -1, const char* a_name = nullptr,
              std::int64_t a = 0, const char* b_name = nullptr, std::int64_t b = 0);
  void record(int n, const char* what, kind about, std::size_t tag, const char* a_name = nullptr,
              std::int64_t a = 0);
  void add(const trace_entry& e);
  void fail(const std::string& why);
  std::string describe(const trace_entry& e) const;

  // nodes
  std::int64_t clock_of(const node& nd, std::int64_t real_ms) const;
  std::int64_t now_of(node& nd);
  void boot(int n);
  void at_node(const event& e);
  void tick(int n, std::int64_t now);
  void step_tag(int n, std::size_t tag, std::int64_t now);
  void timed_out(int n, const request_out& r);
  void on_reply(int n, const message& m, std::int64_t now);
  void on_client(int n, const message& m, std::int64_t now);
  void new_hold(int n, std::size_t tag, std::int64_t now);
  void ask(int n, kind what, std::size_t tag, tag_ownership::ticket ticket, std::int64_t now);
  void load(int n, std::size_t tag, std::int64_t now);
  void send_to_redis(int n, const message& m);
  void answer(int n, std::uint64_t op, bool ok, std::uint64_t version);
  void assign(node& nd, int n);
  void check_single_server(int n);
  void check_lease_held(int n, std::size_t tag, std::uint64_t epoch);
  std::string owner_name(int n, std::uint32_t life) const;

  // Redis, clients, faults
  void at_redis(const event& e);
  void commit(const std::string& owner, const message& m, message& reply);
  void lease_changed(tag_record& r, std::size_t tag, lease next);
  void at_client(const message& m);
  void client_request();
  void send_client(int n, bool write, std::size_t tag, bool last);
  void fault();
  void die(int n);
  void wake(int n, std::uint32_t pause);
  void quiet();
  void check_liveness();
  void last_reads();
  void verdict();
  int rendezvous_owner(std::size_t tag) const;

  config cfg_;
  std::mt19937_64 rng_;
  params p_;
  lease_timing timing_; // the nodes'
  std::int64_t timeout_ms_ = 0;
  std::int64_t tick_ms_ = 0;
  std::priority_queue<event, std::vector<event>, later> queue_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0; // real time = Redis' clock
  bool quiet_ = false;
  bool done_ = false;
  std::vector<node> nodes_;
  std::vector<tag_record> records_;
  std::vector<std::int64_t> beats_; // registry: node -> heartbeat expires at
  std::vector<std::uint64_t> floors_;
  std::vector<client_op> ops_;
  std::array<trace_entry, trace_length> trace_{};
  std::size_t traced_ = 0;
  result result_;
};

world::world(const config& cfg)
    : cfg_(cfg)
    , rng_(cfg.seed) {
  p_.lease_ms = between(200, 3000);
  const auto lease_ms = p_.lease_ms;
  p_.nodes = static_cast<int>(between(2, max_nodes));
  p_.tags = static_cast<std::size_t>(between(4, 16));
  // Redis is usually close (a LAN's delay is tiny beside a lease, which is when drift
  // matters most), sometimes far.
  p_.max_delay_ms =
      between(0, lease_ms / std::array{100, 20, 2}[static_cast<std::size_t>(between(0, 2))]);
  p_.slow_share = std::array{0.0, 0.01, 0.05}[static_cast<std::size_t>(between(0, 2))];
  p_.loss_share = std::array{0.0, 0.02, 0.1}[static_cast<std::size_t>(between(0, 2))];
  p_.stall_share = std::array{0.0, 0.01, 0.05}[static_cast<std::size_t>(between(0, 2))];
  // A node acts on a clock reading at most this long after it read it: the budget of the
  // correct timing (ownership.hpp), less 2 ms for the rounding of the node clocks.
  p_.max_stall_ms = std::max<std::int64_t>(0, max_answer_delay_ms(timing_for(lease_ms)) - 2);
  p_.pause_share = std::array{0.0, 0.05, 0.15}[static_cast<std::size_t>(between(0, 2))];
  p_.cut_share = std::array{0.0, 0.05, 0.15}[static_cast<std::size_t>(between(0, 2))];
  p_.death_share = std::array{0.0, 0.02, 0.06}[static_cast<std::size_t>(between(0, 2))];
  p_.op_every_ms = between(lease_ms / 40, lease_ms / 10);
  p_.quiet_at_ms = lease_ms * between(20, 40);
  // Five leases of quiet: a departed node drops out of the registry after one, its leases
  // run out after another, and the new owner acquires, loads and serves well within a third.
  p_.check_at_ms = p_.quiet_at_ms + 5 * lease_ms;

  timing_ = timing_for(lease_ms);
  if (cfg_.broken == flaw::no_margin)
    timing_.margin_ms = 0;
  timeout_ms_ = lease_ms / 3;
  tick_ms_ = lease_ms / 16;
  nodes_.resize(static_cast<std::size_t>(p_.nodes));
  records_.resize(p_.tags);
  beats_.assign(nodes_.size(), 0);
  floors_.assign(p_.tags, 0);
}

std::int64_t world::between(std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
}

// Not std::uniform_real_distribution: its output differs between standard libraries, and a
// seed must replay the same everywhere.
bool world::chance(double share) {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < share;
}

double world::draw_rate() {
  // A third of the clocks run at the edge of the assumption, where a bug shows first.
  const auto unit = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * 2 - 1;
  switch (between(0, 2)) {
    case 0:
      return 1 - max_drift;
    case 1:
      return 1 + max_drift * unit;
    default:
      return 1 + max_drift;
  }
}

std::int64_t world::network_delay(int n) {
  const auto lease_ms = p_.lease_ms;
  if (quiet_)
    return between(0, std::min(p_.max_delay_ms, lease_ms / 10));
  if (now_ < nodes_[static_cast<std::size_t>(n)].cut_until_ms || chance(p_.loss_share))
    return -1;
  if (chance(p_.slow_share))
    return between(lease_ms / 2, 2 * lease_ms);
  return between(0, p_.max_delay_ms);
}

void world::schedule(std::int64_t at_ms, happening what, int n, std::uint32_t life,
                     const message& m) {
  queue_.push({at_ms, ++seq_, what, n, life, m});
}

void world::record(int n, const char* what, std::int64_t tag, const char* a_name, std::int64_t a,
                   const char* b_name, std::int64_t b) {
  const std::uint32_t life = n >= 0 ? nodes_[static_cast<std::size_t>(n)].life : 0;
  add({now_, n, life, what, nullptr, tag, a_name, a, b_name, b});
}

void world::record(int n, const char* what, kind about, std::size_t tag, const char* a_name,
                   std::int64_t a) {
  add({now_, n, nodes_[static_cast<std::size_t>(n)].life, what,
       kind_names[static_cast<std::size_t>(about)], static_cast<std::int64_t>(tag), a_name, a});
}

void world::add(const trace_entry& e) {
  trace_[traced_++ % trace_length] = e;
  if (cfg_.verbose)
    std::cout << describe(e) << '\n';
}

std::string world::describe(const trace_entry& e) const {
  std::ostringstream out;
  out << "t=" << e.at_ms;
  if (e.node >= 0)
    out << ' ' << node_names[static_cast<std::size_t>(e.node)] << '#' << e.life;
  if (e.tag >= 0)
    out << " tag " << e.tag;
  out << ' ' << e.what;
  if (e.about)
    out << ' ' << e.about;
  if (e.a_name)
    out << ' ' << e.a_name << '=' << e.a;
  if (e.b_name)
    out << ' ' << e.b_name << '=' << e.b;
  return out.str();
}

void world::fail(const std::string& why) {
  if (!result_.failure.empty())
    return;
  result_.failure = why;
  done_ = true;
  std::ostringstream out;
  out << "lease " << p_.lease_ms << " ms, " << p_.nodes << " nodes, " << p_.tags
      << " tags, delay <= " << p_.max_delay_ms << " ms, slow " << p_.slow_share << ", lost "
      << p_.loss_share << ", stalls " << p_.stall_share << " <= " << p_.max_stall_ms
      << " ms, pauses " << p_.pause_share << ", cuts " << p_.cut_share << ", deaths "
      << p_.death_share << ", quiet from " << p_.quiet_at_ms << " ms\nclock rates:";
  for (const auto& nd : nodes_)
    out << ' ' << nd.rate;
  out << "\nlast events:\n";
  const auto first = traced_ > trace_length ? traced_ - trace_length : 0;
  for (auto i = first; i < traced_; ++i)
    out << "  " << describe(trace_[i % trace_length]) << '\n';
  result_.trace = out.str();
}

std::int64_t world::clock_of(const node& nd, std::int64_t real_ms) const {
  return nd.offset_ms +
         static_cast<std::int64_t>(std::floor(nd.rate * static_cast<double>(real_ms)));
}

// The node's monotonic clock as it reads it for this step. Now and then a node stalls right
// after reading it (descheduled, a long handler): every step until the stall ends acts on
// that one reading, as an event loop that reads the clock once per batch would. This is the
// delay between reading the clock for may_serve and answering that the margin must cover.
std::int64_t world::now_of(node& nd) {
  if (now_ < nd.stalled_until_ms)
    return nd.last_now_ms;
  nd.last_now_ms = clock_of(nd, now_);
  if (!quiet_ && p_.stall_share > 0 && chance(p_.stall_share))
    nd.stalled_until_ms = now_ + between(0, p_.max_stall_ms);
  return nd.last_now_ms;
}

void world::boot(int n) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  ++nd.life;
  nd.state = status::up;
  nd.rate = draw_rate();
  nd.offset_ms = between(0, 1'000'000);
  nd.last_now_ms = clock_of(nd, now_);
  nd.stalled_until_ms = 0;
  nd.tags.assign(p_.tags, cached_tag{timing_});
  nd.view = 0;
  nd.view_id = 0;
  nd.mine.assign(p_.tags, false);
  nd.out.clear();
  nd.next_beat_ms = nd.last_now_ms;
  nd.next_id = 0;
  nd.held_back.clear();
  record(n, "boot", -1, "rate_ppm", std::llround((nd.rate - 1) * 1e6));
  schedule(now_, happening::tick, n, nd.life);
}

void world::at_node(const event& e) {
  auto& nd = nodes_[static_cast<std::size_t>(e.node)];
  if (nd.state == status::dead || e.life != nd.life)
    return; // a message to a former life: its connection is gone
  if (nd.state == status::paused) {
    nd.held_back.push_back(e);
    return;
  }
  const auto now = now_of(nd);
  if (e.what == happening::tick)
    tick(e.node, now);
  else if (e.m.what == kind::read || e.m.what == kind::write)
    on_client(e.node, e.m, now);
  else
    on_reply(e.node, e.m, now);
  check_single_server(e.node);
}

void world::tick(int n, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  for (std::size_t i = 0; i < nd.out.size();) {
    if (nd.out[i].deadline_ms > now) {
      ++i;
      continue;
    }
    const auto r = nd.out[i];
    nd.out[i] = nd.out.back();
    nd.out.pop_back();
    timed_out(n, r);
  }
  if (now >= nd.next_beat_ms) {
    send_to_redis(n, {kind::heartbeat, ++nd.next_id});
    nd.next_beat_ms = now + p_.lease_ms / 3;
  }
  for (std::size_t tag = 0; tag < p_.tags; ++tag)
    step_tag(n, tag, now);
  schedule(now_ + tick_ms_, happening::tick, n, nd.life);
}

void world::step_tag(int n, std::size_t tag, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  auto& c = nd.tags[tag];
  auto& own = c.own;
  const auto t = static_cast<std::int64_t>(tag);
  if (own.phase() == tag_phase::held && !nd.mine[tag]) {
    own.hand_off();
    record(n, "hand-off", t, "epoch", static_cast<std::int64_t>(own.epoch()));
  }
  switch (own.phase()) {
    case tag_phase::idle:
      if (nd.mine[tag] && own.wants_acquire(now))
        ask(n, kind::acquire, tag, own.acquire_sent(now), now);
      break;
    case tag_phase::held:
      if (own.wants_renew(now))
        ask(n, kind::renew, tag, own.renew_sent(now), now);
      if (!c.loaded && c.load_id == 0)
        load(n, tag, now);
      break;
    case tag_phase::handing_off:
    case tag_phase::releasing:
      // A commit in flight finishes (or times out) under the lease before it is given up.
      if (own.wants_release() && !c.committing)
        ask(n, kind::release, tag, own.release_sent(), now);
      break;
    case tag_phase::acquiring:
      break;
  }
}

void world::timed_out(int n, const request_out& r) {
  auto& c = nodes_[static_cast<std::size_t>(n)].tags[r.tag];
  record(n, "timed out:", r.what, r.tag);
  switch (r.what) {
    case kind::acquire:
    case kind::renew:
    case kind::release:
      c.own.timed_out(r.ticket);
      break;
    case kind::commit:
      // The outcome is unknown, so the client hears nothing. The cache stays: if the write
      // did land, a read of the older version is still linearizable (the write was never
      // acknowledged), and the next commit meets the new version as a conflict.
      c.committing = false;
      break;
    case kind::load:
      if (c.load_id == r.id)
        c.load_id = 0;
      break;
    default:
      break;
  }
}

void world::on_reply(int n, const message& m, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  if (m.what == kind::heartbeat) {
    if (m.id > nd.view_id) {
      nd.view_id = m.id;
      if (m.live != nd.view) {
        nd.view = m.live;
        assign(nd, n);
      }
    }
    return;
  }
  const auto found = std::find_if(nd.out.begin(), nd.out.end(),
                                  [&](const request_out& r) { return r.id == m.id; });
  const auto t = static_cast<std::int64_t>(m.tag);
  if (found == nd.out.end()) {
    record(n, "reply too late, dropped:", m.what, m.tag);
    return;
  }
  const auto r = *found;
  nd.out.erase(found);
  auto& c = nd.tags[r.tag];
  switch (m.what) {
    case kind::acquire:
    case kind::renew:
      record(n, m.ok ? "granted:" : "refused:", m.what, m.tag, "epoch",
             static_cast<std::int64_t>(m.epoch));
      if (!m.ok)
        c.own.refused(r.ticket, now, m.left_ms);
      else if (c.own.granted(r.ticket, m.epoch))
        new_hold(n, r.tag, now);
      break;
    case kind::release:
      record(n, "released", t, "epoch", static_cast<std::int64_t>(m.epoch));
      c.own.released(r.ticket);
      break;
    case kind::commit: {
      const auto* outcome = m.ok ? "committed" : m.fenced ? "commit fenced" : "commit conflict";
      record(n, outcome, t, "version", static_cast<std::int64_t>(m.version), "op",
             static_cast<std::int64_t>(r.op));
      c.committing = false;
      if (m.ok) {
        if (c.loaded && c.own.epoch() == r.epoch)
          c.version = m.version;
        answer(n, r.op, true, m.version);
        break;
      }
      if (m.fenced)
        c.own.lost(r.epoch);
      else
        c.loaded = false; // another write landed: read the tag again
      answer(n, r.op, false, 0);
      break;
    }
    case kind::load:
      if (c.load_id == m.id) {
        c.load_id = 0;
        if (c.own.phase() == tag_phase::held) {
          c.loaded = true;
          c.version = m.version;
          record(n, "loaded", t, "version", static_cast<std::int64_t>(m.version));
        }
      }
      break;
    default:
      break;
  }
}

void world::new_hold(int n, std::size_t tag, std::int64_t now) {
  auto& c = nodes_[static_cast<std::size_t>(n)].tags[tag];
  if (cfg_.broken == flaw::no_reload) {
    c.loaded = true;
    return;
  }
  // Another node may have written the tag since this one last held it.
  c.loaded = false;
  load(n, tag, now);
}

void world::on_client(int n, const message& m, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  auto& c = nd.tags[m.tag];
  const bool serving = c.own.may_serve(now) && c.loaded;
  const auto t = static_cast<std::int64_t>(m.tag);
  if (m.what == kind::read) {
    if (serving) {
      record(n, "read served", t, "version", static_cast<std::int64_t>(c.version), "op",
             static_cast<std::int64_t>(m.id));
      check_lease_held(n, m.tag, c.own.epoch());
    }
    answer(n, m.id, serving, c.version);
    return;
  }
  if (!serving || c.committing) {
    answer(n, m.id, false, 0);
    return;
  }
  check_lease_held(n, m.tag, c.own.epoch());
  message out{kind::commit, ++nd.next_id, m.tag, c.own.epoch(), c.version, m.id};
  nd.out.push_back({out.id, kind::commit, m.tag, 0, m.id, out.epoch, now + timeout_ms_});
  c.committing = true;
  record(n, "commit sent", t, "expected", static_cast<std::int64_t>(c.version), "epoch",
         static_cast<std::int64_t>(out.epoch));
  send_to_redis(n, out);
}

void world::ask(int n, kind what, std::size_t tag, tag_ownership::ticket ticket, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  const message m{what, ++nd.next_id, tag, nd.tags[tag].own.epoch()};
  nd.out.push_back({m.id, what, tag, ticket, 0, 0, now + timeout_ms_});
  record(n, "sent:", what, tag, "now", now);
  send_to_redis(n, m);
}

void world::load(int n, std::size_t tag, std::int64_t now) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  const message m{kind::load, ++nd.next_id, tag};
  nd.tags[tag].load_id = m.id;
  nd.out.push_back({m.id, kind::load, tag, 0, 0, 0, now + timeout_ms_});
  send_to_redis(n, m);
}

void world::send_to_redis(int n, const message& m) {
  const auto delay = network_delay(n);
  const auto& nd = nodes_[static_cast<std::size_t>(n)];
  if (delay < 0) {
    if (m.what != kind::heartbeat)
      record(n, "request lost:", m.what, m.tag);
    return;
  }
  schedule(now_ + delay, happening::at_redis, n, nd.life, m);
}

void world::answer(int n, std::uint64_t op, bool ok, std::uint64_t version) {
  const auto& o = ops_[op];
  const message m{o.write ? kind::write : kind::read, op, o.tag, 0, version, 0, ok};
  schedule(now_ + between(0, client_delay_ms), happening::at_client, n, 0, m);
}

void world::assign(node& nd, int n) {
  std::vector<std::string> names;
  for (int i = 0; i < p_.nodes; ++i)
    if ((nd.view >> i) & 1u)
      names.emplace_back(node_names[static_cast<std::size_t>(i)]);
  for (std::size_t tag = 0; tag < p_.tags; ++tag)
    nd.mine[tag] = owner_of(tag, names) == node_names[static_cast<std::size_t>(n)];
  record(n, "view", -1, "live_mask", nd.view);
}

// Check (4). A tag's may_serve only turns true at a step of its node (a grant or renewal
// answered) and otherwise only ends as clocks move, so two nodes serving at one instant are
// both serving at the later of the two steps that began their windows: checking the node
// that stepped, at every step, checks every instant.
void world::check_single_server(int n) {
  const auto& nd = nodes_[static_cast<std::size_t>(n)];
  const auto now = clock_of(nd, now_);
  for (std::size_t tag = 0; tag < p_.tags; ++tag) {
    if (!nd.tags[tag].own.may_serve(now))
      continue;
    for (int other = 0; other < p_.nodes; ++other) {
      const auto& o = nodes_[static_cast<std::size_t>(other)];
      if (other == n || o.state == status::dead)
        continue;
      if (o.tags[tag].own.may_serve(clock_of(o, now_)))
        fail("(4) " + std::string{node_names[static_cast<std::size_t>(n)]} + " and " +
             node_names[static_cast<std::size_t>(other)] + " may both serve tag " +
             std::to_string(tag) + " at " + std::to_string(now_) + " ms (epochs " +
             std::to_string(nd.tags[tag].own.epoch()) + ", " +
             std::to_string(o.tags[tag].own.epoch()) + ")");
    }
  }
}

// Check (4) at the moment of serving: what the margin is for. Unlike the check above it
// sees the clock a node read a little before it acted.
void world::check_lease_held(int n, std::size_t tag, std::uint64_t epoch) {
  const auto& l = records_[tag].l;
  const auto owner = owner_name(n, nodes_[static_cast<std::size_t>(n)].life);
  if (!is_live(l, now_) || l.owner != owner || l.epoch != epoch)
    fail("(4) " + owner + " served tag " + std::to_string(tag) + " under epoch " +
         std::to_string(epoch) + " at " + std::to_string(now_) +
         " ms, when Redis held the lease for " +
         (l.owner.empty() ? std::string{"nobody"} : l.owner) + " epoch " + std::to_string(l.epoch) +
         " until " + std::to_string(l.expires_at_ms) + " ms");
}

std::string world::owner_name(int n, std::uint32_t life) const {
  return std::string{node_names[static_cast<std::size_t>(n)]} + '#' + std::to_string(life);
}

void world::at_redis(const event& e) {
  const auto owner = owner_name(e.node, e.life);
  auto reply = e.m;
  reply.ok = false;
  auto& r = records_[e.m.tag];
  switch (e.m.what) {
    case kind::heartbeat:
      beats_[static_cast<std::size_t>(e.node)] = now_ + p_.lease_ms;
      reply.live = 0;
      for (std::size_t i = 0; i < beats_.size(); ++i)
        if (beats_[i] > now_)
          reply.live |= 1u << i;
      break;
    case kind::acquire: {
      auto got = acquire(r.l, owner, now_, p_.lease_ms);
      reply.ok = got.granted;
      reply.epoch = got.now.epoch;
      reply.left_ms = got.now.expires_at_ms - now_;
      lease_changed(r, e.m.tag, std::move(got.now));
      break;
    }
    case kind::renew: {
      auto got = renew(r.l, owner, e.m.epoch, now_, p_.lease_ms);
      reply.ok = got.granted;
      reply.epoch = got.now.epoch;
      lease_changed(r, e.m.tag, std::move(got.now));
      break;
    }
    case kind::release:
      reply.ok = true;
      lease_changed(r, e.m.tag, release(r.l, owner, e.m.epoch));
      break;
    case kind::commit:
      commit(owner, e.m, reply);
      break;
    case kind::load:
      reply.ok = true;
      reply.version = r.writes.size();
      break;
    default:
      break;
  }
  const auto delay = network_delay(e.node);
  if (delay < 0) {
    if (e.m.what != kind::heartbeat)
      record(e.node, "reply lost:", e.m.what, e.m.tag);
    return;
  }
  schedule(now_ + delay, happening::at_node, e.node, e.life, reply);
}

void world::commit(const std::string& owner, const message& m, message& reply) {
  auto& r = records_[m.tag];
  const auto t = static_cast<std::int64_t>(m.tag);
  if (!may_commit(r.l, owner, m.epoch, now_) && cfg_.broken != flaw::skip_fence) {
    reply.fenced = true;
    record(-1, "redis fenced a commit", t, "epoch", static_cast<std::int64_t>(m.epoch));
    return;
  }
  if (m.version != r.writes.size()) {
    reply.version = r.writes.size();
    return;
  }
  // Check (1), on Redis' own record of terms rather than on may_commit.
  if (owner != r.term_owner || m.epoch != r.term_epoch || now_ >= r.term_end_ms)
    fail("(1) Redis applied a commit by " + owner + " under epoch " + std::to_string(m.epoch) +
         " to tag " + std::to_string(m.tag) + " at " + std::to_string(now_) +
         " ms, outside its term (the term is " + r.term_owner + " epoch " +
         std::to_string(r.term_epoch) + " until " + std::to_string(r.term_end_ms) + " ms)");
  if (m.epoch < r.newest_commit_epoch)
    fail("(1) Redis applied a commit under epoch " + std::to_string(m.epoch) + " to tag " +
         std::to_string(m.tag) + " after one under epoch " + std::to_string(r.newest_commit_epoch));
  r.newest_commit_epoch = m.epoch;
  r.writes.push_back(m.op);
  reply.ok = true;
  reply.version = r.writes.size();
  record(-1, "redis applied", t, "version", static_cast<std::int64_t>(reply.version), "epoch",
         static_cast<std::int64_t>(m.epoch));
}

void world::lease_changed(tag_record& r, std::size_t tag, lease next) {
  const bool taken = !next.owner.empty();
  if (taken && (next.owner != r.term_owner || next.epoch != r.term_epoch)) {
    if (now_ < r.term_end_ms)
      fail("(1) the lease of tag " + std::to_string(tag) + " went to " + next.owner + " epoch " +
           std::to_string(next.epoch) + " at " + std::to_string(now_) + " ms while " +
           r.term_owner + "'s term ran until " + std::to_string(r.term_end_ms));
    r.term_owner = next.owner;
    r.term_epoch = next.epoch;
    record(-1, "redis new term", static_cast<std::int64_t>(tag), "epoch",
           static_cast<std::int64_t>(next.epoch), "until", next.expires_at_ms);
  } else if (!taken && !r.l.owner.empty()) {
    record(-1, "redis released", static_cast<std::int64_t>(tag), "epoch",
           static_cast<std::int64_t>(next.epoch));
  }
  r.term_end_ms = taken ? next.expires_at_ms : std::min(r.term_end_ms, now_);
  r.l = std::move(next);
}

void world::at_client(const message& m) {
  auto& o = ops_[m.id];
  if (!m.ok) {
    ++result_.unavailable;
    if (o.last) {
      // A client retries: the owner may still be catching up (a reload after a commit
      // that timed out but landed, say). An unavailable write wrote nothing.
      o.last = false;
      send_client(rendezvous_owner(o.tag), o.write, o.tag, true);
    }
    return;
  }
  const auto tag = std::to_string(o.tag);
  if (o.write) {
    const auto& writes = records_[o.tag].writes;
    if (m.version == 0 || m.version > writes.size() || writes[m.version - 1] != m.id)
      fail("(3) write op " + std::to_string(m.id) + " was acknowledged as version " +
           std::to_string(m.version) + " of tag " + tag + ", which the register does not hold");
    ++result_.writes;
  } else {
    if (m.version < o.floor)
      fail("(2) read op " + std::to_string(m.id) + " of tag " + tag + " returned version " +
           std::to_string(m.version) + " though clients had seen version " +
           std::to_string(o.floor) + " before sending it");
    ++result_.reads;
  }
  o.succeeded = true;
  floors_[o.tag] = std::max(floors_[o.tag], m.version);
}

void world::client_request() {
  if (now_ >= p_.check_at_ms - p_.lease_ms)
    return; // the final ops must not meet a commit in flight
  const auto tag = static_cast<std::size_t>(between(0, static_cast<std::int64_t>(p_.tags) - 1));
  // Most requests go where a client would send them, the tag's owner among the nodes alive;
  // the rest to any node, which must refuse what it does not serve.
  const auto owner = rendezvous_owner(tag);
  const auto n = owner >= 0 && chance(0.7) ? owner : static_cast<int>(between(0, p_.nodes - 1));
  send_client(n, chance(0.5), tag, false);
  schedule(now_ + between(1, 2 * p_.op_every_ms), happening::client_op, -1, 0);
}

void world::send_client(int n, bool write, std::size_t tag, bool last) {
  const auto op = ops_.size();
  ops_.push_back({write, tag, floors_[tag], last, false});
  const auto& nd = nodes_[static_cast<std::size_t>(n)];
  if (nd.state == status::dead)
    return; // connection refused
  const message m{write ? kind::write : kind::read, op, tag};
  schedule(now_ + between(0, client_delay_ms), happening::at_node, n, nd.life, m);
}

void world::fault() {
  if (quiet_)
    return;
  for (int n = 0; n < p_.nodes; ++n) {
    auto& nd = nodes_[static_cast<std::size_t>(n)];
    if (nd.state != status::up)
      continue;
    if (chance(p_.pause_share)) {
      // Frozen like SIGSTOP: its clock runs on, what reaches it waits.
      nd.state = status::paused;
      const auto length = between(0, 3 * p_.lease_ms);
      record(n, "paused", -1, "for_ms", length);
      schedule(now_ + length, happening::wake, n, ++nd.pause);
    } else if (chance(p_.cut_share)) {
      // Its clients still reach it: it must stop serving them on its own clock.
      nd.cut_until_ms = now_ + between(0, 3 * p_.lease_ms);
      record(n, "cut off from redis", -1, "until", nd.cut_until_ms);
    } else if (chance(p_.death_share)) {
      die(n);
    }
  }
  schedule(now_ + p_.lease_ms / 2, happening::fault, -1, 0);
}

void world::die(int n) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  nd.state = status::dead;
  nd.tags.clear();
  nd.out.clear();
  nd.held_back.clear();
  const auto gone =
      std::count_if(nodes_.begin(), nodes_.end(), [](const node& x) { return x.gone_for_good; });
  // One node at least lives to the end, so the quiet tail has somebody to serve.
  if (gone + 1 < p_.nodes && chance(0.3)) {
    nd.gone_for_good = true;
    record(n, "died for good");
    return;
  }
  const auto back_at = std::min(now_ + between(p_.lease_ms / 2, 4 * p_.lease_ms), p_.quiet_at_ms);
  record(n, "died", -1, "back_at", back_at);
  schedule(back_at, happening::restart, n, 0);
}

void world::wake(int n, std::uint32_t pause) {
  auto& nd = nodes_[static_cast<std::size_t>(n)];
  if (nd.state != status::paused || nd.pause != pause)
    return;
  nd.state = status::up;
  record(n, "woke", -1, "held_back", static_cast<std::int64_t>(nd.held_back.size()));
  for (const auto& e : nd.held_back)
    schedule(now_, e.what, e.node, e.life, e.m);
  nd.held_back.clear();
}

void world::quiet() {
  quiet_ = true;
  record(-1, "quiet: faults stop");
  for (int n = 0; n < p_.nodes; ++n)
    wake(n, nodes_[static_cast<std::size_t>(n)].pause);
}

// The tag's owner among the nodes not dead (clients cannot tell a paused node), -1 for none.
int world::rendezvous_owner(std::size_t tag) const {
  std::vector<std::string> alive;
  for (int n = 0; n < p_.nodes; ++n)
    if (nodes_[static_cast<std::size_t>(n)].state != status::dead)
      alive.emplace_back(node_names[static_cast<std::size_t>(n)]);
  const auto owner = owner_of(tag, alive);
  for (int n = 0; n < p_.nodes; ++n)
    if (owner == node_names[static_cast<std::size_t>(n)])
      return n;
  return -1;
}

void world::check_liveness() {
  for (std::size_t tag = 0; tag < p_.tags && !done_; ++tag) {
    const auto n = rendezvous_owner(tag);
    assert(n >= 0); // one node never dies for good, and every restart is due by now
    const auto& nd = nodes_[static_cast<std::size_t>(n)];
    const auto& c = nd.tags[tag];
    if (!c.own.may_serve(clock_of(nd, now_)) || !c.loaded)
      fail("(5) after the quiet tail tag " + std::to_string(tag) + " is not served by " +
           node_names[static_cast<std::size_t>(n)] + ", its rendezvous owner (" +
           phase_names[static_cast<std::size_t>(c.own.phase())] +
           (c.loaded ? ")" : ", not loaded)"));
    send_client(n, true, tag, true);
  }
  schedule(now_ + p_.lease_ms / 2, happening::last_reads, -1, 0);
  schedule(now_ + p_.lease_ms, happening::verdict, -1, 0);
}

void world::last_reads() {
  for (std::size_t tag = 0; tag < p_.tags; ++tag)
    send_client(rendezvous_owner(tag), false, tag, true);
}

void world::verdict() {
  for (std::size_t op = 0; op < ops_.size(); ++op)
    if (ops_[op].last && !ops_[op].succeeded)
      fail("(5) the last " + std::string{ops_[op].write ? "write" : "read"} + " of tag " +
           std::to_string(ops_[op].tag) + " through its owner did not succeed");
  done_ = true;
}

result world::run() {
  for (int n = 0; n < p_.nodes; ++n)
    boot(n);
  schedule(p_.quiet_at_ms, happening::quiet, -1, 0);
  schedule(p_.check_at_ms, happening::check, -1, 0);
  schedule(0, happening::client_op, -1, 0);
  schedule(p_.lease_ms / 2, happening::fault, -1, 0);
  while (!done_ && !queue_.empty()) {
    const auto e = queue_.top();
    queue_.pop();
    now_ = e.at_ms;
    switch (e.what) {
      case happening::tick:
      case happening::at_node:
        at_node(e);
        break;
      case happening::at_redis:
        at_redis(e);
        break;
      case happening::at_client:
        at_client(e.m);
        break;
      case happening::client_op:
        client_request();
        break;
      case happening::fault:
        fault();
        break;
      case happening::wake:
        wake(e.node, e.life);
        break;
      case happening::restart:
        boot(e.node);
        break;
      case happening::quiet:
        quiet();
        break;
      case happening::check:
        check_liveness();
        break;
      case happening::last_reads:
        last_reads();
        break;
      case happening::verdict:
        verdict();
        break;
    }
  }
  return result_;
}

} // namespace

result run(const config& cfg) {
  return world{cfg}.run();
}

} // namespace ordo::cluster::sim
