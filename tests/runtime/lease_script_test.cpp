// The lease script on a real Redis applies cluster/lease_rules.hpp rule for rule: random
// acquires, renewals and releases by three owners on two tags, with leases short enough to
// run out between them, each answer compared with the rules applied on Redis' own clock.
// And the nodes script: beats, expiry and leaving.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "cluster/lease_rules.hpp"
#include "runtime/redis_client.hpp"
#include "runtime/redis_scripts.hpp"
#include "support/redis_server.hpp"

namespace ordo::runtime {
namespace {

class scripts : public ::testing::Test {
protected:
  redis_value call(const redis_script& script, std::vector<std::string> keys,
                   std::vector<std::string> args) {
    auto cmd = script_call(script, std::move(keys), std::move(args));
    std::mutex mutex;
    std::condition_variable done;
    std::optional<result<redis_value>> answer;
    client.submit(std::move(cmd), [&](result<redis_value> r) {
      std::lock_guard lock{mutex};
      answer = std::move(r);
      done.notify_all();
    });
    std::unique_lock lock{mutex};
    done.wait(lock, [&] { return answer.has_value(); });
    EXPECT_TRUE(answer->ok()) << answer->error().message;
    return answer->ok() ? **answer : redis_value{};
  }

  test::redis_server redis;
  redis_client client{{"127.0.0.1", redis.port()}};
};

TEST_F(scripts, the_lease_script_applies_the_lease_rules) {
  std::mt19937_64 rng{42};
  const std::vector<std::string> owners{"a#1", "b#1", "c#2"};
  std::map<std::string, cluster::lease> model; // by key
  int granted = 0;
  int refused = 0;
  for (int step = 0; step < 600; ++step) {
    const std::string key = rng() % 2 ? "t:{00}lease" : "t:{01}lease";
    const auto& owner = owners[rng() % owners.size()];
    const auto op = std::vector<std::string>{"acquire", "renew", "release"}[rng() % 3];
    const std::int64_t lease_ms = 5 + static_cast<std::int64_t>(rng() % 20);
    // Mostly the epoch the model holds (as a holder would send), sometimes a stale one.
    auto epoch = model[key].epoch;
    if (rng() % 4 == 0 && epoch > 0)
      epoch -= 1;
    else if (rng() % 8 == 0)
      epoch += 1 + rng() % 5; // an acquire's floor above what Redis holds
    const auto reply = call(lease_script(), {key},
                            {op, owner, std::to_string(epoch), std::to_string(lease_ms)});
    ASSERT_EQ(reply.elements.size(), 5u);
    const auto now = std::stoll(reply.elements[4].text);
    cluster::lease_answer expected;
    if (op == "acquire") {
      expected = cluster::acquire(model[key], owner, now, lease_ms, epoch);
    } else if (op == "renew") {
      expected = cluster::renew(model[key], owner, epoch, now, lease_ms);
    } else {
      expected.granted = model[key].owner == owner && model[key].epoch == epoch;
      expected.now = cluster::release(model[key], owner, epoch);
    }
    EXPECT_EQ(reply.elements[0].integer == 1, expected.granted) << "step " << step << " " << op;
    EXPECT_EQ(reply.elements[1].text, expected.now.owner) << "step " << step;
    EXPECT_EQ(std::stoull(reply.elements[2].text), expected.now.epoch) << "step " << step;
    EXPECT_EQ(std::stoll(reply.elements[3].text), expected.now.expires_at_ms) << "step " << step;
    model[key] = expected.now;
    (expected.granted ? granted : refused) += 1;
    if (rng() % 3 == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{rng() % 15});
  }
  // The sequence exercised both outcomes, not one path only.
  EXPECT_GT(granted, 100);
  EXPECT_GT(refused, 100);
}

TEST_F(scripts, a_fenced_commit_needs_the_current_lease) {
  const auto acquired = call(lease_script(), {"t:{00}lease"}, {"acquire", "a#1", "0", "60000"});
  ASSERT_EQ(acquired.elements[2].text, "1");
  const auto commit = [&](const std::string& owner, const std::string& epoch) {
    const std::vector<std::string> keys{"t:{00}o:X", "t:{00}c:c", "t:{00}o:X", "t:{00}d",
                                        "t:events", "t:{00}o:X", "t:{00}lease"};
    auto reply = call(commit_script(), keys,
                      {"0", "1", "blob", "0", "0", "0", "X", "c", "placed", "1", "", "86400", "",
                       "", owner, epoch});
    return reply.elements.empty() ? std::string{} : reply.elements[0].text;
  };
  EXPECT_EQ(commit("b#1", "1"), "fenced");
  EXPECT_EQ(commit("a#1", "2"), "fenced");
  EXPECT_EQ(redis.cli({"EXISTS", "t:{00}o:X"}), "0\n");
  EXPECT_EQ(commit("a#1", "1"), "ok");
  EXPECT_EQ(redis.cli({"HGET", "t:{00}o:X", "v"}), "1\n");
  call(lease_script(), {"t:{00}lease"}, {"release", "a#1", "1", "60000"});
  EXPECT_EQ(commit("a#1", "1"), "fenced");
}

TEST_F(scripts, the_nodes_script_lists_the_live_nodes_and_forgets_the_rest) {
  const auto names = [](const redis_value& v) {
    std::vector<std::string> out;
    for (std::size_t i = 1; i + 3 < v.elements.size(); i += 4)
      out.push_back(v.elements[i].text + "=" + v.elements[i + 2].text);
    std::sort(out.begin(), out.end());
    return out;
  };
  call(nodes_script(), {"t:nodes"}, {"a", "a#1", "127.0.0.1:1", "60000", "beat"});
  call(nodes_script(), {"t:nodes"}, {"b", "b#1", "127.0.0.1:2", "30", "beat"});
  auto seen = call(nodes_script(), {"t:nodes"}, {"c", "c#1", "127.0.0.1:3", "60000", "beat"});
  EXPECT_EQ(names(seen), (std::vector<std::string>{"a=127.0.0.1:1", "b=127.0.0.1:2", "c=127.0.0.1:3"}));
  std::this_thread::sleep_for(std::chrono::milliseconds{60});
  seen = call(nodes_script(), {"t:nodes"}, {"a", "a#1", "127.0.0.1:1", "60000", "beat"});
  EXPECT_EQ(names(seen), (std::vector<std::string>{"a=127.0.0.1:1", "c=127.0.0.1:3"}));
  // A leave by an earlier incarnation of c leaves the live one in place.
  call(nodes_script(), {"t:nodes"}, {"c", "c#0", "127.0.0.1:3", "60000", "leave"});
  seen = call(nodes_script(), {"t:nodes"}, {"a", "a#1", "127.0.0.1:1", "60000", "leave"});
  EXPECT_EQ(names(seen), (std::vector<std::string>{"c=127.0.0.1:3"}));
}

} // namespace
} // namespace ordo::runtime
