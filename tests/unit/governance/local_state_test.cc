// LocalQuotaState on an injected clock: minute windows, partial grants, give and charge, period
// counters and their seeds, held counters, and the bound on how many counters it keeps.
#include <gtest/gtest.h>

#include "governance/quota_state.h"

using namespace switchyard;

namespace {

constexpr int64_t kMinute = 60'000;
// 2026-05-28T20:26:40Z: 40 s into its minute.
constexpr int64_t kStart = 1'780'000'000'000;
constexpr int64_t kStartMinute = kStart / kMinute;

Counter minute_counter(std::string name, int64_t limit) { return Counter{std::move(name), Window::minute, limit}; }
Counter held_counter(std::string name, int64_t limit) { return Counter{std::move(name), Window::held, limit}; }
Counter period_counter(std::string name, int64_t limit) { return Counter{std::move(name), Window::period, limit}; }

// The counter's value as the state reports it, taking nothing.
int64_t used(LocalQuotaState& state, const Counter& counter) {
  return state.take(counter, 0, false, std::nullopt).used;
}

struct LocalQuota : ::testing::Test {
  int64_t now = kStart;
  LocalQuotaState state{[this] { return now; }};
};

}  // namespace

TEST_F(LocalQuota, AMinuteWindowGrantsUpToItsLimitThenRefusesUntilTheClocksNextMinute) {
  const Counter rpm = minute_counter("rpm:k:a", 3);
  for (int64_t i = 1; i <= 3; ++i) {
    Grant grant = state.take(rpm, 1, false, std::nullopt);
    EXPECT_EQ(grant.granted, 1);
    EXPECT_EQ(grant.used, i);
    EXPECT_EQ(grant.bucket, kStartMinute);
    EXPECT_EQ(grant.reset_ms, 20'000) << "40 s into the minute: 20 s until it ends";
  }
  Grant refused = state.take(rpm, 1, false, std::nullopt);
  EXPECT_EQ(refused.granted, 0);
  EXPECT_EQ(refused.used, 3);

  now = (kStartMinute + 1) * kMinute - 1;  // the last millisecond of the minute: still refused
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).granted, 0);
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).reset_ms, 1);

  now = (kStartMinute + 1) * kMinute;  // the next minute: counted from zero
  Grant fresh = state.take(rpm, 1, false, std::nullopt);
  EXPECT_EQ(fresh.granted, 1);
  EXPECT_EQ(fresh.used, 1);
  EXPECT_EQ(fresh.bucket, kStartMinute + 1);
  EXPECT_EQ(fresh.reset_ms, kMinute);
}

TEST_F(LocalQuota, AMinuteIsTheClocksFixedWindowNotSixtySecondsFromTheFirstTake) {
  const Counter rpm = minute_counter("rpm:k:a", 1);
  ASSERT_EQ(state.take(rpm, 1, false, std::nullopt).granted, 1);
  now += 20'000;  // 40 s + 20 s: a new minute although only 20 s went by
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).granted, 1);
}

TEST_F(LocalQuota, APartialTakeGrantsWhatIsLeftAndAWholeTakeGrantsAllOrNothing) {
  const Counter tpm = minute_counter("tpm:k:a", 10);
  ASSERT_EQ(state.take(tpm, 7, false, std::nullopt).granted, 7);
  Grant whole = state.take(tpm, 5, false, std::nullopt);
  EXPECT_EQ(whole.granted, 0);
  EXPECT_EQ(whole.used, 7) << "a refused take takes nothing";
  Grant partial = state.take(tpm, 5, true, std::nullopt);
  EXPECT_EQ(partial.granted, 3);
  EXPECT_EQ(partial.used, 10);
  Grant empty = state.take(tpm, 5, true, std::nullopt);
  EXPECT_EQ(empty.granted, 0);
  EXPECT_EQ(empty.used, 10);
}

TEST_F(LocalQuota, AGiveNeverTakesACounterBelowZero) {
  const Counter tpm = minute_counter("tpm:k:a", 10);
  Grant grant = state.take(tpm, 2, false, std::nullopt);
  state.give(tpm, grant.bucket, 5);
  EXPECT_EQ(used(state, tpm), 0);
  // Below zero, the counter would now admit 13.
  EXPECT_EQ(state.take(tpm, 10, true, std::nullopt).granted, 10);
  EXPECT_EQ(state.take(tpm, 1, true, std::nullopt).granted, 0);
}

TEST_F(LocalQuota, AGiveGoesOnlyIntoTheMinuteItWasTakenIn) {
  const Counter tpm = minute_counter("tpm:k:a", 10);
  Grant old = state.take(tpm, 8, false, std::nullopt);
  now += kMinute;
  ASSERT_EQ(state.take(tpm, 4, false, std::nullopt).granted, 4);
  state.give(tpm, old.bucket, 8);  // last minute's units: that minute is over
  EXPECT_EQ(used(state, tpm), 4);
  EXPECT_EQ(state.take(tpm, 7, false, std::nullopt).granted, 0);
  state.give(tpm, old.bucket + 1, 4);  // this minute's
  EXPECT_EQ(used(state, tpm), 0);
}

TEST_F(LocalQuota, AGiveToACounterItDoesNotHoldCreatesNothing) {
  state.give(minute_counter("rpm:k:nobody", 5), kStartMinute, 3);
  state.give(period_counter("usd:k:nobody|month|2026-05", 5), 0, 3);
  EXPECT_EQ(state.size(), 0u);
}

TEST_F(LocalQuota, APeriodCounterNeedsASeedThenStartsFromIt) {
  const Counter usd = period_counter("usd:k:a|month|2026-05", 100);
  Grant unseeded = state.take(usd, 10, false, std::nullopt);
  EXPECT_TRUE(unseeded.needs_seed);
  EXPECT_EQ(unseeded.granted, 0);
  EXPECT_EQ(state.size(), 0u) << "nothing is kept for an unseeded counter";

  Grant seeded = state.take(usd, 10, false, 40);
  EXPECT_FALSE(seeded.needs_seed);
  EXPECT_EQ(seeded.granted, 10);
  EXPECT_EQ(seeded.used, 50);

  Grant later = state.take(usd, 10, false, 0);  // a second seed changes nothing
  EXPECT_EQ(later.used, 60);
  EXPECT_FALSE(state.take(usd, 1, false, std::nullopt).needs_seed);

  now += 45 * 24 * 3'600'000LL;  // period counters are not minute windows: no reset with the clock
  EXPECT_EQ(used(state, usd), 61);
  EXPECT_EQ(state.take(usd, 40, false, std::nullopt).granted, 0);
  EXPECT_EQ(state.take(usd, 39, false, std::nullopt).granted, 39);
}

TEST_F(LocalQuota, ASeedBeyondTheLimitRefusesEveryTake) {
  const Counter usd = period_counter("usd:t:acme|day|2026-05-28", 100);
  Grant grant = state.take(usd, 1, true, 120);
  EXPECT_EQ(grant.granted, 0);
  EXPECT_EQ(grant.used, 120);
}

TEST_F(LocalQuota, AChargeCountsBeyondTheLimit) {
  const Counter tpm = minute_counter("tpm:k:a", 10);
  Grant grant = state.take(tpm, 8, false, std::nullopt);
  state.charge(tpm, grant.bucket, 5);
  EXPECT_EQ(used(state, tpm), 13);
  EXPECT_EQ(state.take(tpm, 1, true, std::nullopt).granted, 0);
  now += kMinute;
  state.charge(tpm, grant.bucket, 100);  // into a minute that is over: nothing
  EXPECT_EQ(state.take(tpm, 10, false, std::nullopt).granted, 10);
}

TEST_F(LocalQuota, AChargeToAnUnseededPeriodCounterIsLeftToTheRecordStore) {
  const Counter usd = period_counter("usd:k:a|month|2026-05", 100);
  state.charge(usd, 0, 30);
  EXPECT_TRUE(state.take(usd, 1, false, std::nullopt).needs_seed);
  EXPECT_EQ(state.take(usd, 1, false, 20).used, 21) << "the seed, not the seed plus the charge";
  state.charge(usd, 0, 30);
  EXPECT_EQ(used(state, usd), 51);
}

TEST_F(LocalQuota, AChargeToAMinuteCounterItDoesNotHoldStartsIt) {
  const Counter tpm = minute_counter("tpm:k:a", 10);
  state.charge(tpm, kStartMinute, 7);
  EXPECT_EQ(used(state, tpm), 7);
  EXPECT_EQ(state.take(tpm, 4, false, std::nullopt).granted, 0);
}

TEST_F(LocalQuota, AChargeIntoAPastMinuteOfACounterItDoesNotHoldKeepsNothing) {
  state.charge(minute_counter("tpm:k:gone", 10), kStartMinute - 1, 7);
  EXPECT_EQ(state.size(), 0u);
  EXPECT_EQ(state.take(minute_counter("tpm:k:gone", 10), 10, false, std::nullopt).granted, 10);
}

TEST_F(LocalQuota, AHeldCounterKeepsItsUnitsAcrossMinutesUntilTheyAreGivenBack) {
  const Counter concurrent = held_counter("conc:k:a", 2);
  Grant first = state.take(concurrent, 1, false, std::nullopt);
  ASSERT_EQ(state.take(concurrent, 1, false, std::nullopt).granted, 1);
  EXPECT_EQ(first.reset_ms, 0) << "no window, no reset";
  now += 5 * kMinute;
  EXPECT_EQ(state.take(concurrent, 1, false, std::nullopt).granted, 0);
  state.give(concurrent, first.bucket, 1);
  EXPECT_EQ(state.take(concurrent, 1, false, std::nullopt).granted, 1);
}

// One fill of kMaxCounters serves both rules (filling takes a while in a debug build).
TEST_F(LocalQuota, FullItDropsTheOldestCounterNeverAHeldOneAndANewMinuteDropsPastMinuteCountersFirst) {
  const Counter held = held_counter("conc:k:held", 5);
  ASSERT_EQ(state.take(held, 5, false, std::nullopt).granted, 5);
  const Counter old_budget = period_counter("usd:k:old|month|2026-05", 1000);
  ASSERT_EQ(state.take(old_budget, 1, false, 0).granted, 1);  // made a minute before the others
  now += kMinute;
  const Counter kept_budget = period_counter("usd:k:kept|month|2026-05", 1000);
  ASSERT_EQ(state.take(kept_budget, 10, false, 100).granted, 10);
  for (std::size_t i = state.size(); i < LocalQuotaState::kMaxCounters; ++i)
    ASSERT_EQ(state.take(minute_counter("rpm:k:" + std::to_string(i), 5), 1, false, std::nullopt).granted, 1);
  ASSERT_EQ(state.size(), LocalQuotaState::kMaxCounters);

  // Full, every minute counter of this minute: the oldest counter goes, never a held one.
  ASSERT_EQ(state.take(minute_counter("rpm:k:new", 5), 1, false, std::nullopt).granted, 1);
  EXPECT_EQ(state.size(), LocalQuotaState::kMaxCounters);
  EXPECT_EQ(state.take(held, 1, false, std::nullopt).granted, 0) << "requests in flight are never forgotten";
  EXPECT_TRUE(state.take(old_budget, 1, false, std::nullopt).needs_seed)
      << "the oldest counter went first (its spend is in the record store)";
  for (std::size_t i = 3; i < LocalQuotaState::kMaxCounters; i += 9973)  // the others each still count 1 of 5
    EXPECT_EQ(state.take(minute_counter("rpm:k:" + std::to_string(i), 5), 5, false, std::nullopt).granted, 0) << i;

  // A minute later: the past minute's counters go first; the held and period ones stay.
  now += kMinute;
  EXPECT_EQ(state.take(minute_counter("rpm:k:fresh", 5), 1, false, std::nullopt).used, 1);
  EXPECT_EQ(state.size(), 3u);
  EXPECT_EQ(used(state, held), 5);
  EXPECT_EQ(used(state, kept_budget), 110) << "the period counter kept its spend (no new seed needed)";
}
