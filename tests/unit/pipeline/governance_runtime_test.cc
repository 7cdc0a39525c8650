// The governance runtime's view of the store: every key and team the admin API (or another
// replica) wrote is there before the first request, however many were written at once.
#include "pipeline/governance_runtime.h"

#include <gtest/gtest.h>

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
