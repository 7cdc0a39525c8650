// The governance runtime's view of the store: every key and team the admin API (or another
// replica) wrote is there before the first request, however many were written at once. And of
// the other replicas through Redis: the route speeds they measured.
#include "pipeline/governance_runtime.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "cache/redis_server.h"
#include "governance/key_json.h"
#include "storage/memory_store.h"

using namespace switchyard;
using namespace switchyard::testing;

TEST(GovernanceRuntime, ReadsEveryKeyEvenWhenMoreThanABatchChangedWithinTheOverlap) {
  auto state = std::make_shared<MemoryStoreState>();
  MemoryStore store(state);
  constexpr int kKeys = 12'000;  // more than a poll batch (10,000), all written within one second
  const int64_t now = 1'780'000'000'000;
  for (int i = 0; i < kKeys; ++i) {
    auto [secret, key] = mint_key(now + i % 1000);
    key.team = "bulk";
    store.put_key(PolicyRow{key.key_id, key.team, key.updated_ms, key_body(key)});
  }
  TeamPolicy team;
  team.name = "bulk";
  team.access.limits.rpm = 7;
  team.updated_ms = now;
  store.put_team(PolicyRow{team.name, team.name, team.updated_ms, team_body(team)});

  CircuitBreaker breaker;
  GovernanceRuntime runtime(parse_config("providers: {}\n", "test.yaml"), &store, breaker);
  const auto snapshot = runtime.keys().snapshot();
  EXPECT_EQ(snapshot->by_id.size(), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(snapshot->by_digest.size(), static_cast<std::size_t>(kKeys));
  ASSERT_NE(snapshot->team("bulk"), nullptr);
  EXPECT_EQ(snapshot->team("bulk")->access.limits.rpm, 7);
}

namespace {
// Polls `done` every 50 ms until it is true or 10 s have passed; whether it became true.
template <class Done>
bool eventually(Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}
}  // namespace

TEST(GovernanceRuntime, InstallsTheRouteSpeedsOtherReplicasMeasured) {
  const int port = free_port();
  RedisServer server;
  ASSERT_TRUE(server.start(port));
  const Config config = parse_config(fmt::format("providers: {{}}\nstate: redis://127.0.0.1:{}\n", port), "test.yaml");
  CircuitBreaker breaker_a, breaker_b;
  LatencyTracker latency_a, latency_b;
  GovernanceRuntime a(config, nullptr, breaker_a, &latency_a), b(config, nullptr, breaker_b, &latency_b);
  latency_a.record_ttft("openai", "gpt-4o", std::chrono::milliseconds(120));
  latency_a.record_tps("openai", "gpt-4o", 80);
  EXPECT_TRUE(eventually([&] { return latency_b.ttft("openai", "gpt-4o") == 120'000.0; }));
  EXPECT_EQ(latency_b.tps("openai", "gpt-4o"), 80.0);
  // And back: what b measures moves a's averages.
  latency_b.record_tps("openai", "gpt-4o", 180);
  EXPECT_TRUE(eventually([&] {
    auto tps = latency_a.tps("openai", "gpt-4o");
    return tps && std::abs(*tps - (0.3 * 180 + 0.7 * 80)) < 1e-9;
  }));
  EXPECT_EQ(latency_a.ttft("openai", "gpt-4o"), 120'000.0);
}
