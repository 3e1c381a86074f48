#include "runtime/cluster_node.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "auth/secure_random.hpp"
#include "cluster/assignment.hpp"
#include "runtime/log.hpp"
#include "runtime/redis_client.hpp"
#include "runtime/redis_keys.hpp"
#include "runtime/redis_scripts.hpp"

namespace ordo::runtime {

namespace {

// How often the cluster thread looks at its leases: well inside the margin, so that a
// renewal is never sent late by more than this.
constexpr std::chrono::milliseconds tick{50};

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return out;
}

// Sends every command at once (they travel in one round trip) and waits up to `timeout` for
// their answers; a missing answer is an empty optional.
std::vector<std::optional<result<redis_value>>> call_all(redis_client& redis,
                                                         std::vector<redis_command> cmds,
                                                         std::chrono::milliseconds timeout) {
  struct answers {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::optional<result<redis_value>>> values;
    std::size_t missing = 0;
  };
  auto shared = std::make_shared<answers>();
  shared->values.resize(cmds.size());
  shared->missing = cmds.size();
  for (std::size_t i = 0; i < cmds.size(); ++i)
    redis.submit(std::move(cmds[i]), [shared, i](result<redis_value> r) {
      std::lock_guard lock{shared->mutex};
      shared->values[i] = std::move(r);
      if (--shared->missing == 0)
        shared->done.notify_all();
    });
  std::unique_lock lock{shared->mutex};
  shared->done.wait_for(lock, timeout, [&] { return shared->missing == 0; });
  return shared->values;
}

struct lease_reply {
  bool granted = false;
  std::string owner;
  std::uint64_t epoch = 0;
  std::int64_t left_ms = 0; // until the lease ends, by Redis' clock
};

std::optional<lease_reply> parse_lease(const std::optional<result<redis_value>>& answer) {
  if (!answer || !*answer || (*answer)->type != redis_value::kind::array ||
      (*answer)->elements.size() != 5)
    return std::nullopt;
  const auto& e = (*answer)->elements;
  const auto epoch = to_int(e[2].text);
  const auto expires = to_int(e[3].text);
  const auto now = to_int(e[4].text);
  if (!epoch || *epoch < 0 || !expires || !now)
    return std::nullopt;
  return lease_reply{e[0].integer == 1, e[1].text, static_cast<std::uint64_t>(*epoch),
                     *expires - *now};
}

} // namespace

cluster_node::cluster_node(cluster_node_options opts)
    : opts_(std::move(opts)), timing_(cluster::timing_for(opts_.lease_ms)),
      owner_(opts_.name + "#" + auth::make_session_id().substr(0, 12)) {
  last_answer_ms_ = now_ms(); // a node starting hopes for Redis' answer
  redis_client::options ro;
  ro.host = opts_.redis.host;
  ro.port = opts_.redis.port;
  ro.io_timeout = opts_.redis_timeout;
  ro.log_outages = false; // the engine's own client tells of outages
  redis_ = std::make_shared<redis_client>(ro);
  tags_.reserve(domain::customer_tags);
  for (std::size_t t = 0; t < domain::customer_tags; ++t)
    tags_.push_back(std::make_unique<tag_slot>(timing_));
  thread_ = std::thread{[this] { run(); }};
}

cluster_node::~cluster_node() {
  {
    std::lock_guard lock{state_mutex_};
    stopping_ = true;
  }
  state_changed_.notify_all();
  thread_.join();
}

std::int64_t cluster_node::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               epoch_zero_)
    .count();
}

void cluster_node::leave(std::chrono::milliseconds within) {
  std::unique_lock lock{state_mutex_};
  leaving_ = true;
  state_changed_.wait_for(lock, within, [&] { return left_ || stopping_; });
}

bool cluster_node::await_settled(std::chrono::milliseconds within) const {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    bool settled = true;
    bool any = false;
    const auto now = now_ms();
    for (const auto& slot : tags_) {
      std::lock_guard lock{slot->mutex};
      any = any || slot->assigned;
      if (slot->assigned && !slot->ownership.may_serve(now))
        settled = false;
    }
    if (settled && (any || seen_members_.load(std::memory_order_relaxed)))
      return true;
    std::this_thread::sleep_for(tick);
  }
  return false;
}

std::vector<cluster_member> cluster_node::members() const {
  std::lock_guard lock{members_mutex_};
  return members_;
}

std::size_t cluster_node::tags_served() const {
  const auto now = now_ms();
  std::size_t served = 0;
  for (const auto& slot : tags_) {
    std::lock_guard lock{slot->mutex};
    served += slot->ownership.may_serve(now) ? 1 : 0;
  }
  return served;
}

std::optional<std::string> cluster_node::forward_address(std::size_t tag) const {
  if (lease_of(tag) || awaiting(tag))
    return std::nullopt;
  std::lock_guard lock{members_mutex_};
  if (tag >= assigned_address_.size() || assigned_address_[tag].empty())
    return std::nullopt;
  return assigned_address_[tag];
}

std::vector<std::string> cluster_node::peer_addresses() const {
  std::vector<std::string> out;
  std::lock_guard lock{members_mutex_};
  for (const auto& m : members_)
    if (m.name != opts_.name && m.address != "-")
      out.push_back(m.address);
  return out;
}

std::optional<actors::commit_fence> cluster_node::lease_of(std::size_t tag) const {
  assert(tag < tags_.size());
  auto& slot = *tags_[tag];
  std::lock_guard lock{slot.mutex};
  if (!slot.ownership.may_serve(now_ms()))
    return std::nullopt;
  return actors::commit_fence{owner_, slot.ownership.epoch()};
}

bool cluster_node::awaiting(std::size_t tag) const {
  // While Redis does not answer, no lease can be had: waiting would only delay the answer
  // the store gives anyway.
  const auto silent_for = now_ms() - last_answer_ms_.load(std::memory_order_relaxed);
  if (silent_for > opts_.lease_ms / 3 + opts_.redis_timeout.count() + 2 * tick.count())
    return false;
  if (!seen_members_.load(std::memory_order_relaxed))
    return true; // starting: every tag may be this node's
  auto& slot = *tags_[tag];
  std::lock_guard lock{slot.mutex};
  return slot.assigned;
}

void cluster_node::fenced(std::size_t tag, std::uint64_t epoch) {
  auto& slot = *tags_[tag];
  std::lock_guard lock{slot.mutex};
  slot.ownership.lost(epoch);
  log_event("warning", "lease_fenced", {{"tag", domain::tag_at(tag)}, {"epoch", std::to_string(epoch)}});
}

std::optional<actors::commit_fence> cluster_node::begin_commit(std::size_t tag) {
  assert(tag < tags_.size());
  auto& slot = *tags_[tag];
  std::lock_guard lock{slot.mutex};
  if (!slot.ownership.may_serve(now_ms()))
    return std::nullopt;
  ++slot.in_flight;
  return actors::commit_fence{owner_, slot.ownership.epoch()};
}

void cluster_node::end_commit(std::size_t tag) {
  auto& slot = *tags_[tag];
  std::lock_guard lock{slot.mutex};
  --slot.in_flight;
}

void cluster_node::run() {
  auto next_beat = std::chrono::steady_clock::now();
  const auto beat_every = std::chrono::milliseconds{opts_.lease_ms / 3};
  for (;;) {
    bool leaving = false;
    {
      std::unique_lock lock{state_mutex_};
      if (stopping_)
        return;
      leaving = leaving_;
      if (left_) {
        state_changed_.wait(lock, [&] { return stopping_; });
        return;
      }
    }
    if (std::chrono::steady_clock::now() >= next_beat) {
      beat("beat", !leaving);
      next_beat = std::chrono::steady_clock::now() + beat_every;
    }
    if (leaving)
      assign({});
    step_leases();
    if (leaving) {
      const bool none_held = std::all_of(tags_.begin(), tags_.end(), [](const auto& slot) {
        std::lock_guard lock{slot->mutex};
        return slot->ownership.phase() == cluster::tag_phase::idle;
      });
      if (none_held) {
        beat("leave", false);
        std::lock_guard lock{state_mutex_};
        left_ = true;
        state_changed_.notify_all();
        continue;
      }
    }
    std::unique_lock lock{state_mutex_};
    state_changed_.wait_for(lock, tick, [&] { return stopping_ || leaving_ != leaving; });
  }
}

void cluster_node::beat(const char* op, bool assigning) {
  const redis_keys keys{opts_.key_prefix};
  auto answers = call_all(
    *redis_,
    {script_call(nodes_script(), {keys.nodes()},
                 {opts_.name, owner_, opts_.address, std::to_string(opts_.lease_ms), op})},
    opts_.redis_timeout);
  const auto& answer = answers.front();
  if (!answer || !*answer || (*answer)->type != redis_value::kind::array ||
      (*answer)->elements.empty() || (*answer)->elements.size() % 4 != 1)
    return; // the view stays as it was; leases lapse by themselves if this goes on
  last_answer_ms_.store(now_ms(), std::memory_order_relaxed);
  const auto& e = (*answer)->elements;
  const auto redis_now = to_int(e[0].text).value_or(0);
  std::vector<cluster_member> seen;
  std::vector<std::string> names;     // the nodes that own tags
  std::vector<std::string> all_names;
  for (std::size_t i = 1; i + 3 < e.size(); i += 4) {
    seen.push_back({e[i].text, e[i + 1].text, e[i + 2].text,
                    to_int(e[i + 3].text).value_or(redis_now) - redis_now});
    all_names.push_back(e[i].text);
    // Nobody can forward to a node without an address: it owns tags only when no node has one.
    if (e[i + 2].text != "-")
      names.push_back(e[i].text);
  }
  if (names.empty())
    names = std::move(all_names);
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::string> assigned(domain::customer_tags);
  for (std::size_t tag = 0; tag < assigned.size(); ++tag) {
    const auto owner = cluster::owner_of(tag, names);
    for (const auto& m : seen)
      if (m.name == owner && m.name != opts_.name && m.address != "-")
        assigned[tag] = m.address;
  }
  {
    std::lock_guard lock{members_mutex_};
    members_ = seen;
    assigned_address_ = std::move(assigned);
  }
  if (assigning) {
    assign(names);
    seen_members_.store(true, std::memory_order_relaxed);
  }
}

void cluster_node::assign(const std::vector<std::string>& names) {
  std::vector<bool> mine(domain::customer_tags, false);
  if (std::find(names.begin(), names.end(), opts_.name) != names.end())
    for (const auto tag : cluster::tags_of(opts_.name, names, domain::customer_tags))
      mine[tag] = true;
  for (std::size_t tag = 0; tag < tags_.size(); ++tag) {
    auto& slot = *tags_[tag];
    std::lock_guard lock{slot.mutex};
    slot.assigned = mine[tag];
    if (!slot.assigned && slot.ownership.phase() == cluster::tag_phase::held)
      slot.ownership.hand_off();
  }
}

void cluster_node::step_leases() {
  const redis_keys keys{opts_.key_prefix};
  const auto lease_ms = std::to_string(opts_.lease_ms);
  std::vector<redis_command> cmds;
  std::vector<std::size_t> asked; // the tag of each command
  const auto now = now_ms();
  for (std::size_t tag = 0; tag < tags_.size(); ++tag) {
    auto& slot = *tags_[tag];
    std::lock_guard lock{slot.mutex};
    auto& o = slot.ownership;
    const char* op = nullptr;
    if (slot.assigned && o.wants_acquire(now)) {
      slot.ticket = o.acquire_sent(now);
      slot.out = request_kind::acquire;
      op = "acquire";
    } else if (o.wants_renew(now)) {
      slot.ticket = o.renew_sent(now);
      slot.out = request_kind::renew;
      op = "renew";
    } else if (o.wants_release() && slot.in_flight == 0) {
      slot.ticket = o.release_sent();
      slot.out = request_kind::release;
      op = "release";
    }
    if (op == nullptr)
      continue;
    const auto epoch = slot.out == request_kind::acquire ? o.epoch_floor() : o.epoch();
    auto cmd = script_call(lease_script(), {keys.lease(domain::tag_at(tag))},
                           {op, owner_, std::to_string(epoch), lease_ms});
    cmd.batch_form = &lease_batch_form();
    cmds.push_back(std::move(cmd));
    asked.push_back(tag);
  }
  if (cmds.empty())
    return;
  // Answers later than a third of the lease are given up on: the next tick asks again,
  // while the lease still has its margin left.
  const auto wait = std::min(opts_.redis_timeout, std::chrono::milliseconds{opts_.lease_ms / 3});
  const auto answers = call_all(*redis_, std::move(cmds), wait);
  const auto answered_at = now_ms();
  std::size_t acquired = 0;
  std::size_t released = 0;
  std::size_t lost = 0;
  for (std::size_t i = 0; i < asked.size(); ++i) {
    auto& slot = *tags_[asked[i]];
    std::lock_guard lock{slot.mutex};
    auto& o = slot.ownership;
    const auto kind = slot.out;
    slot.out = request_kind::none;
    const auto reply = parse_lease(answers[i]);
    if (reply)
      last_answer_ms_.store(answered_at, std::memory_order_relaxed);
    if (!reply) {
      if (kind == request_kind::renew)
        renewals_failed_.fetch_add(1, std::memory_order_relaxed);
      o.timed_out(slot.ticket);
      continue;
    }
    if (kind == request_kind::release) {
      o.released(slot.ticket);
      ++released;
    } else if (reply->granted) {
      if (o.granted(slot.ticket, reply->epoch))
        ++acquired;
      if (!slot.assigned && o.phase() == cluster::tag_phase::held) // moved while out
        o.hand_off();
    } else {
      if (kind == request_kind::renew) {
        renewals_failed_.fetch_add(1, std::memory_order_relaxed);
        ++lost;
      }
      o.refused(slot.ticket, answered_at, reply->left_ms);
    }
  }
  // One line per round, not per tag: a node takes or gives up hundreds at once.
  if (acquired > 0)
    log_event("info", "tags_acquired", {{"count", std::to_string(acquired)}});
  if (released > 0) {
    handoffs_.fetch_add(released, std::memory_order_relaxed);
    log_event("info", "tags_released", {{"count", std::to_string(released)}});
  }
  if (lost > 0)
    log_event("warning", "tags_lost", {{"count", std::to_string(lost)}});
}

} // namespace ordo::runtime
