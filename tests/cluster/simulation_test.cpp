// The ownership protocol under the deterministic simulation (simulation.hpp): thousands of
// seeds of faults keep every invariant, and deliberately broken variants are caught.
//   ORDO_SIM_SEEDS=N   run seeds 1..N (default 4000)
//   ORDO_SIM_SEED=S    replay seed S alone, printing every event
//   ORDO_SIM_FLAW=F    run the broken variant F (no_margin, skip_fence, no_reload) instead

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "simulation.hpp"

namespace ordo::cluster::sim {
namespace {

constexpr std::uint64_t default_seeds = 4000;
constexpr std::uint64_t seeds_to_catch_a_flaw = 300;

std::optional<std::uint64_t> number_from_env(const char* name) {
  const char* text = std::getenv(name);
  if (!text)
    return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}

flaw flaw_from_env() {
  const char* text = std::getenv("ORDO_SIM_FLAW");
  const std::string name = text ? text : "";
  if (name == "no_margin")
    return flaw::no_margin;
  if (name == "skip_fence")
    return flaw::skip_fence;
  if (name == "no_reload")
    return flaw::no_reload;
  return flaw::none;
}

std::string replay(std::uint64_t seed) {
  const char* broken = std::getenv("ORDO_SIM_FLAW");
  return "replay it with a trace of every event: " +
         (broken ? "ORDO_SIM_FLAW=" + std::string{broken} + " " : std::string{}) +
         "ORDO_SIM_SEED=" + std::to_string(seed) +
         " build/tests/ordo_cluster_tests --gtest_filter='simulation.*'";
}

TEST(simulation, every_seed_keeps_every_invariant) {
  const auto one = number_from_env("ORDO_SIM_SEED");
  const auto first = one.value_or(1);
  const auto last = one.value_or(number_from_env("ORDO_SIM_SEEDS").value_or(default_seeds));
  const auto broken = flaw_from_env();
  const auto started = std::chrono::steady_clock::now();
  result total;
  for (auto seed = first; seed <= last; ++seed) {
    const auto got = run({seed, broken, one.has_value()});
    ASSERT_TRUE(got.failure.empty()) << "seed " << seed << ": " << got.failure << '\n'
                                     << got.trace << replay(seed);
    total.reads += got.reads;
    total.writes += got.writes;
    total.unavailable += got.unavailable;
  }
  const auto seeds = last - first + 1;
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::cout << seeds << " seeds in " << took.count() << " s: " << total.reads << " reads and "
            << total.writes << " writes answered, " << total.unavailable << " unavailable\n";
  // The runs did something: plenty of requests found their tag served despite the faults.
  if (!one) {
    EXPECT_GT(total.reads, seeds * 20);
    EXPECT_GT(total.writes, seeds * 20);
  }
}

void expect_caught(flaw broken) {
  if (number_from_env("ORDO_SIM_SEED") || flaw_from_env() != flaw::none)
    GTEST_SKIP() << "replaying one seed or variant";
  for (std::uint64_t seed = 1; seed <= seeds_to_catch_a_flaw; ++seed) {
    const auto got = run({seed, broken, false});
    if (!got.failure.empty()) {
      std::cout << "caught on seed " << seed << ": " << got.failure << '\n';
      return;
    }
  }
  FAIL() << "no seed of the first " << seeds_to_catch_a_flaw << " caught the broken variant";
}

TEST(simulation, catches_nodes_that_serve_without_a_margin) {
  expect_caught(flaw::no_margin);
}

TEST(simulation, catches_a_redis_that_skips_the_fence) {
  expect_caught(flaw::skip_fence);
}

TEST(simulation, catches_nodes_that_serve_a_new_hold_without_reloading) {
  expect_caught(flaw::no_reload);
}

} // namespace
} // namespace ordo::cluster::sim
