// QuotaLeases over a fake shared state: block sizes, local takes with no call to the state, two
// replicas that together never exceed a limit, give and charge deferred to flush, idle and past
// leases, and the bound on what waits for flush.
#include "governance/quota_leases.h"

#include <gtest/gtest.h>

#include <random>

#include "governance/fake_shared_state.h"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kStart = 1'780'000'000'000;  // 40 s into its minute
constexpr int64_t kStartMinute = kStart / kMinute;

struct QuotaLeasesTest : ::testing::Test {
  int64_t wall = kStart;  // the state's clock (Unix ms)
  int64_t steady = 0;     // the replicas' monotonic clock
  FakeSharedState state{[this] { return wall; }};
  QuotaLeases leases{state, [this] { return steady; }};

  void advance(int64_t ms) {
    wall += ms;
    steady += ms;
  }
  // A request's take as the governor makes it: from the lease, else one refill.
  static Grant take(QuotaLeases& replica, const Counter& counter, int64_t want) {
    if (auto grant = replica.take_local(counter, want)) return *grant;
    return replica.refill_and_take(counter, want, std::nullopt);
  }
};

const Counter kRpm{"rpm:k:a", Window::minute, 160};  // block: 10
const Counter kTpm{"tpm:k:a", Window::minute, 160};  // block: 10

}  // namespace

TEST(QuotaLeasesBlock, IsASixteenthOfAMinuteOrConcurrencyLimitAndAFiftiethOfABudget) {
  EXPECT_EQ(QuotaLeases::block_for(Counter{"m", Window::minute, 1600}, 1), 100);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"h", Window::held, 1600}, 1), 100);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"p", Window::period, 1600}, 1), 32);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"m", Window::minute, 1600}, 500), 500);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"h", Window::held, 1600}, 300), 300);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"p", Window::period, 1600}, 33), 33);
  EXPECT_EQ(QuotaLeases::block_for(Counter{"m", Window::minute, 5}, 0), 1) << "never an empty block";
  EXPECT_EQ(QuotaLeases::block_for(Counter{"m", Window::minute, 5}, 2), 2);
}

TEST_F(QuotaLeasesTest, TheFirstTakeRefillsABlockAndTheNextOnesMakeNoCallToTheState) {
  EXPECT_FALSE(leases.take_local(kRpm, 1)) << "no lease yet";
  EXPECT_EQ(state.calls(), 0);

  Grant first = leases.refill_and_take(kRpm, 1, std::nullopt);
  EXPECT_EQ(first.granted, 1);
  EXPECT_EQ(first.used, 1);
  EXPECT_EQ(first.bucket, kStartMinute);
  EXPECT_EQ(first.reset_ms, 20'000);
  EXPECT_EQ(state.takes, 1);
  EXPECT_EQ(state.used(kRpm), 10) << "a block of 160/16 is counted as used in the shared state";

  for (int64_t i = 2; i <= 10; ++i) {
    steady += 100;
    std::optional<Grant> local = leases.take_local(kRpm, 1);
    ASSERT_TRUE(local) << i;
    EXPECT_EQ(local->granted, 1);
    EXPECT_EQ(local->used, i);
    EXPECT_EQ(local->bucket, kStartMinute);
    EXPECT_EQ(local->reset_ms, 20'000 - steady);
  }
  EXPECT_EQ(state.calls(), 1) << "nine requests served from the lease alone";
  EXPECT_FALSE(leases.take_local(kRpm, 1)) << "the block is used up";
  EXPECT_EQ(leases.refill_and_take(kRpm, 1, std::nullopt).granted, 1);
  EXPECT_EQ(state.takes, 2);
  EXPECT_EQ(state.used(kRpm), 20);
}

TEST_F(QuotaLeasesTest, ATakeBeyondTheLeaseAsksForAWholeBlockOrWhatItNeeds) {
  ASSERT_EQ(leases.refill_and_take(kTpm, 50, std::nullopt).granted, 50);
  EXPECT_EQ(state.used(kTpm), 50) << "more than a block: exactly what it needs";
  ASSERT_EQ(leases.refill_and_take(kTpm, 7, std::nullopt).granted, 7);  // lease: 10 - 7 = 3 left
  EXPECT_EQ(state.used(kTpm), 60);
  EXPECT_FALSE(leases.take_local(kTpm, 8));
  ASSERT_EQ(leases.refill_and_take(kTpm, 8, std::nullopt).granted, 8);  // 3 + a block of 10, 5 left
  EXPECT_EQ(state.used(kTpm), 70);
  EXPECT_TRUE(leases.take_local(kTpm, 5));
  EXPECT_FALSE(leases.take_local(kTpm, 1));
}

TEST_F(QuotaLeasesTest, HeldCountersTakeJustWhatIsWantedAndPeriodCountersABlockOnceSeeded) {
  const Counter concurrent{"conc:k:a", Window::held, 16};
  ASSERT_EQ(leases.refill_and_take(concurrent, 1, std::nullopt).granted, 1);
  EXPECT_EQ(state.used(concurrent), 1);
  EXPECT_FALSE(leases.take_local(concurrent, 1)) << "nothing held ahead for other requests";
  EXPECT_EQ(leases.refill_and_take(concurrent, 1, std::nullopt).reset_ms, 0);
  EXPECT_EQ(state.used(concurrent), 2);

  const Counter usd{"usd:k:a|month|2026-05", Window::period, 5000};  // block: 100
  Grant unseeded = leases.refill_and_take(usd, 30, std::nullopt);
  EXPECT_TRUE(unseeded.needs_seed);
  EXPECT_EQ(unseeded.granted, 0);
  EXPECT_FALSE(leases.take_local(usd, 1)) << "no lease was made for it";
  Grant seeded = leases.refill_and_take(usd, 30, 1000);
  EXPECT_EQ(seeded.granted, 30);
  EXPECT_EQ(state.used(usd), 1100);
  EXPECT_TRUE(leases.take_local(usd, 70));
  EXPECT_FALSE(leases.take_local(usd, 1));
}

TEST_F(QuotaLeasesTest, ALeaseEndsWithItsMinute) {
  ASSERT_EQ(leases.refill_and_take(kRpm, 1, std::nullopt).granted, 1);  // 9 left until 20 s from now
  steady += 19'999;
  EXPECT_TRUE(leases.take_local(kRpm, 1));
  steady += 1;
  EXPECT_FALSE(leases.take_local(kRpm, 1)) << "units of a minute that is over are not served";
  wall += 20'000;
  Grant next = leases.refill_and_take(kRpm, 1, std::nullopt);
  EXPECT_EQ(next.bucket, kStartMinute + 1);
  EXPECT_EQ(next.reset_ms, kMinute);
  EXPECT_EQ(state.used(kRpm), 10);
}

TEST_F(QuotaLeasesTest, TwoReplicasOverOneStateNeverGrantMoreThanTheLimitInTotal) {
  for (int64_t limit = 1; limit <= 80; ++limit) {
    for (int pattern = 0; pattern < 4; ++pattern) {
      wall += kMinute;  // a fresh minute for each case
      steady += kMinute;
      QuotaLeases a(state, [this] { return steady; }), b(state, [this] { return steady; });
      const Counter rpm{"rpm:k:two", Window::minute, limit};
      std::mt19937 draw(static_cast<unsigned>(limit * 4 + pattern));
      int64_t granted = 0;
      bool a_refused = false, b_refused = false;  // since the last grant
      for (int step = 0; !(a_refused && b_refused) && step < 1000; ++step) {
        // 0: alternate; 1: a three times as often; 2: b first then alternate; 3: random.
        const bool on_a = pattern == 0   ? step % 2 == 0
                          : pattern == 1 ? step % 4 != 3
                          : pattern == 2 ? step % 2 == 1
                                         : draw() % 2 == 0;
        Grant grant = take(on_a ? a : b, rpm, 1);
        granted += grant.granted;
        if (grant.granted)
          a_refused = b_refused = false;
        else
          (on_a ? a_refused : b_refused) = true;
        ASSERT_LE(granted, limit) << "limit " << limit << " pattern " << pattern << " step " << step;
        ASSERT_LE(state.used(rpm), limit);
      }
      EXPECT_EQ(granted, limit) << "limit " << limit << " pattern " << pattern
                                << ": both replicas refused, so every unit was served";
    }
  }
}

TEST_F(QuotaLeasesTest, TwoReplicasTakingTokensLoseAndDuplicateNoUnit) {
  for (int round = 0; round < 200; ++round) {
    wall += kMinute;
    steady += kMinute;
    QuotaLeases a(state, [this] { return steady; }), b(state, [this] { return steady; });
    std::mt19937 draw(static_cast<unsigned>(round));
    const Counter tpm{"tpm:k:two", Window::minute, 1 + static_cast<int64_t>(draw() % 400)};
    int64_t granted = 0;
    for (int step = 0; step < 300; ++step) {
      const int64_t want = 1 + static_cast<int64_t>(draw() % 40);
      QuotaLeases& replica = draw() % 2 ? a : b;
      Grant grant = take(replica, tpm, want);
      ASSERT_TRUE(grant.granted == 0 || grant.granted == want);
      granted += grant.granted;
      ASSERT_LE(granted, tpm.limit) << "round " << round << " step " << step;
      ASSERT_LE(state.used(tpm), tpm.limit);
      if (draw() % 5 == 0 && grant.granted) replica.give(tpm, grant.bucket, grant.granted), granted -= grant.granted;
    }
    a.flush(0);
    b.flush(0);
    EXPECT_EQ(state.used(tpm), granted) << "round " << round << ": leases returned, the state holds what was granted";
  }
}

TEST_F(QuotaLeasesTest, ARefusedRefillGivesTheReplicasUnitsBackForTheOtherReplica) {
  QuotaLeases other(state, [this] { return steady; });
  ASSERT_EQ(leases.refill_and_take(kTpm, 5, std::nullopt).granted, 5);  // holds 5 more; state 10
  ASSERT_EQ(other.refill_and_take(kTpm, 150, std::nullopt).granted, 150);
  ASSERT_EQ(state.used(kTpm), 160);

  Grant refused = leases.refill_and_take(kTpm, 8, std::nullopt);  // 5 held, none left to add
  EXPECT_EQ(refused.granted, 0);
  EXPECT_EQ(state.used(kTpm), 155) << "the refused replica's 5 went back at once";
  EXPECT_FALSE(leases.take_local(kTpm, 1)) << "and are no longer in its lease";

  EXPECT_FALSE(other.take_local(kTpm, 5));
  EXPECT_EQ(other.refill_and_take(kTpm, 5, std::nullopt).granted, 5) << "the other replica uses them";
  EXPECT_EQ(state.used(kTpm), 160);
}

TEST_F(QuotaLeasesTest, GiveAndChargeNeverCallTheStateOnlyFlushDoes) {
  Grant grant = leases.refill_and_take(kTpm, 5, std::nullopt);  // lease: 5 left; state 10
  const int calls = state.calls();
  leases.give(kTpm, grant.bucket, 3);  // into the lease: 8
  EXPECT_EQ(state.calls(), calls);
  EXPECT_TRUE(leases.take_local(kTpm, 8)) << "the units given back serve the next request";
  leases.charge(kTpm, grant.bucket, 4);                                       // the lease is empty: waits for flush
  leases.give(Counter{"tpm:k:other", Window::minute, 100}, grant.bucket, 2);  // no lease: waits for flush
  EXPECT_EQ(state.calls(), calls);
  EXPECT_EQ(state.used(kTpm), 10);

  steady += 1;
  leases.flush(1'000);  // the lease was used just now: it stays
  EXPECT_EQ(state.charges, 1);
  EXPECT_EQ(state.gives, 1);
  EXPECT_EQ(state.used(kTpm), 14);
  EXPECT_EQ(leases.size(), 1u);
}

TEST_F(QuotaLeasesTest, AChargeIsCoveredFromTheLeaseWhileItHasUnits) {
  Grant grant = leases.refill_and_take(kTpm, 2, std::nullopt);  // lease: 8 left
  leases.charge(kTpm, grant.bucket, 6);
  EXPECT_TRUE(leases.take_local(kTpm, 2));
  EXPECT_FALSE(leases.take_local(kTpm, 1));
  leases.charge(kTpm, grant.bucket, 3);
  leases.flush(1'000);
  EXPECT_EQ(state.used(kTpm), 13) << "10 in the block, 3 charged beyond it";
}

TEST_F(QuotaLeasesTest, FlushReturnsLeasesIdleForIdleMs) {
  ASSERT_EQ(leases.refill_and_take(kTpm, 5, std::nullopt).granted, 5);
  steady += 999;
  leases.flush(1'000);
  EXPECT_EQ(leases.size(), 1u);
  EXPECT_EQ(state.gives, 0);
  ASSERT_TRUE(leases.take_local(kTpm, 1));  // used again: idle from now
  steady += 999;
  leases.flush(1'000);
  EXPECT_EQ(leases.size(), 1u);
  steady += 1;
  leases.flush(1'000);
  EXPECT_EQ(leases.size(), 0u);
  EXPECT_EQ(state.gives, 1);
  EXPECT_EQ(state.used(kTpm), 6) << "the lease's 4 unused units went back";
}

TEST_F(QuotaLeasesTest, FlushDropsLeasesOfPastMinutesWithoutGivingTheirUnitsBack) {
  Grant grant = leases.refill_and_take(kTpm, 5, std::nullopt);
  advance(20'000);                     // the next minute
  leases.give(kTpm, grant.bucket, 5);  // the lease's minute is over: deferred
  leases.flush(1'000'000);
  EXPECT_EQ(leases.size(), 0u);
  EXPECT_EQ(state.gives, 1) << "only the deferred give; the lapsed lease's units are not sent";
  EXPECT_FALSE(leases.take_local(kTpm, 1));
  Grant next = leases.refill_and_take(kTpm, 1, std::nullopt);
  EXPECT_EQ(next.bucket, kStartMinute + 1);
  EXPECT_EQ(state.used(kTpm), 10) << "the old minute's give did not reach the new minute";
}

TEST_F(QuotaLeasesTest, WhatWaitsForFlushIsBoundedAndTheRestIsCountedAsDropped) {
  const Counter other{"tpm:k:none", Window::minute, 100};
  for (std::size_t i = 0; i < QuotaLeases::kMaxPending + 3; ++i) leases.give(other, kStartMinute, 1);
  leases.charge(other, kStartMinute, 1);
  EXPECT_EQ(leases.dropped(), 4u);
  EXPECT_EQ(state.calls(), 0);
  leases.flush(1'000);
  EXPECT_EQ(state.gives, static_cast<int>(QuotaLeases::kMaxPending));
  EXPECT_EQ(state.charges, 0);
  EXPECT_EQ(leases.dropped(), 4u);
  leases.give(other, kStartMinute, 1);  // room again after the flush
  EXPECT_EQ(leases.dropped(), 4u);
  leases.flush(1'000);
  EXPECT_EQ(state.gives, static_cast<int>(QuotaLeases::kMaxPending) + 1);
}

TEST_F(QuotaLeasesTest, AnUnavailableStateTakesNothingAndLeavesNoLease) {
  state.down = true;
  Grant grant = leases.refill_and_take(kRpm, 1, std::nullopt);
  EXPECT_TRUE(grant.unavailable);
  EXPECT_EQ(grant.granted, 0);
  EXPECT_FALSE(grant.problem.empty());
  EXPECT_EQ(leases.size(), 0u);
}

TEST_F(QuotaLeasesTest, PastKMaxLeasesTheLeastRecentlyUsedGoesBackThroughTheBoundedQueue) {
  auto budget = [](std::size_t i) {  // block: 100
    return Counter{"usd:k:" + std::to_string(i) + "|month|2026-05", Window::period, 5000};
  };
  for (std::size_t i = 0; i < QuotaLeases::kMaxLeases; ++i) {
    steady = static_cast<int64_t>(i);  // lease i was last used at i ms
    ASSERT_EQ(leases.refill_and_take(budget(i), 1, 0).granted, 1);
  }
  ASSERT_EQ(leases.size(), QuotaLeases::kMaxLeases);
  const int gives = state.gives;

  ++steady;
  ASSERT_EQ(leases.refill_and_take(budget(QuotaLeases::kMaxLeases), 1, 0).granted, 1);
  EXPECT_EQ(leases.size(), QuotaLeases::kMaxLeases);
  EXPECT_FALSE(leases.take_local(budget(0), 1)) << "the least recently used lease went";
  EXPECT_TRUE(leases.take_local(budget(1), 1));
  EXPECT_EQ(state.gives, gives) << "its units wait for flush";
  leases.flush(1'000'000);
  EXPECT_EQ(state.gives, gives + 1);
  EXPECT_EQ(state.used(budget(0)), 1) << "its 99 unused units went back; the request's 1 stays";

  // With the queue full, an evicted lease's units are dropped and counted like any other.
  const Counter concurrent{"conc:k:a", Window::held, 16};
  for (std::size_t i = 0; i < QuotaLeases::kMaxPending; ++i) leases.give(concurrent, 0, 1);
  ASSERT_EQ(leases.dropped(), 0u);
  ++steady;
  ASSERT_EQ(leases.refill_and_take(budget(QuotaLeases::kMaxLeases + 1), 1, 0).granted, 1);
  EXPECT_EQ(leases.dropped(), 1u);
}

TEST_F(QuotaLeasesTest, AnExactCounterSettledWakesTheFlusherAndWaitsForIt) {
  int wakes = 0;
  QuotaLeases replica(
      state, [this] { return steady; }, [&wakes] { ++wakes; });
  const Counter concurrent{"conc:k:a", Window::held, 2};
  ASSERT_EQ(state.take(concurrent, 1, false, std::nullopt).granted, 1);  // as the governor counts them: exactly
  const int calls = state.calls();
  replica.settle_exact(concurrent, 0, 1);
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(state.calls(), calls) << "settling never calls the state itself";
  EXPECT_EQ(state.used(concurrent), 1);
  replica.flush_pending();
  EXPECT_EQ(state.gives, 1);
  EXPECT_EQ(state.used(concurrent), 0);
  EXPECT_EQ(replica.size(), 0u) << "no lease for an exact counter";

  replica.give(kTpm, kStartMinute, 3);  // a leased counter's give waits for the next round
  EXPECT_EQ(wakes, 1);
}

TEST_F(QuotaLeasesTest, ABudgetGivenBackAfterItsLeaseWentBecomesALeaseAgain) {
  const Counter usd{"usd:k:a|month|2026-05", Window::period, 5000};  // block: 100
  ASSERT_EQ(leases.refill_and_take(usd, 300, 0).granted, 300);       // a long request reserves 300
  steady += 1'000;
  leases.flush(1'000);  // its lease (empty) goes while the request runs
  ASSERT_EQ(leases.size(), 0u);
  const int calls = state.calls();
  leases.give(usd, 0, 200);  // it cost 100
  EXPECT_EQ(state.calls(), calls);
  ASSERT_TRUE(leases.take_local(usd, 150)) << "the 200 serve the next requests with no call";
  EXPECT_EQ(state.calls(), calls);
  steady += 1'000;
  leases.flush(1'000);
  EXPECT_EQ(state.used(usd), 250) << "idle again: the 50 left went back";
}
