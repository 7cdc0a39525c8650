// The Governor's rules on injected clocks: rate limits per key, team, user and model; tokens
// reserved then settled; requests in flight; hard and soft budgets seeded from the record store
// and renewed with their period; roll back on refusal; a shared state reached through leases,
// and what happens when it is unreachable. Also the budget periods' calendar.
#include "governance/governor.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/calendar.h"
#include "governance/fake_shared_state.h"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kStart = 1'780'000'000'000;  // 2026-05-28T20:26:40Z, a Thursday; 20 s before the next minute

// Unix ms of a UTC date and time.
int64_t ms_of(int y, unsigned m, unsigned d, int hours = 0, int minutes = 0, int seconds = 0) {
  using namespace std::chrono;
  const sys_days date{year{y} / month{m} / day{d}};
  return (date.time_since_epoch().count() * 86'400LL + hours * 3'600LL + minutes * 60LL + seconds) * 1000;
}

ApiKey key_of(std::string id, std::string team = "acme") {
  ApiKey key;
  key.key_id = std::move(id);
  key.team = std::move(team);
  return key;
}

TeamPolicy team_of(std::string name) {
  TeamPolicy team;
  team.name = std::move(name);
  return team;
}

Budget budget_of(double usd, BudgetPeriod period = BudgetPeriod::month, bool hard = true, bool exact = false) {
  return Budget{usd, period, hard, exact};
}

struct Outcome {
  Governor::Verdict verdict = Governor::Verdict::needs_io;
  Admission admission;
  std::optional<Refusal> refusal;
  bool admitted() const { return verdict == Governor::Verdict::admitted; }
  bool refused() const { return verdict == Governor::Verdict::refused; }
};

struct Lookup {
  BudgetScope scope;
  int64_t since_ms = 0;
};

struct GovernorTest : ::testing::Test {
  int64_t wall = kStart;
  LocalQuotaState state{[this] { return wall; }};
  std::optional<double> spent = 0.0;  // what the record store says
  std::vector<Lookup> lookups;
  Governor::SpentLookup lookup = [this](const BudgetScope& scope, int64_t since_ms) {
    lookups.push_back({scope, since_ms});
    return spent;
  };
  Governor governor{state, state, nullptr, lookup, [this] { return wall; }, false};
  ApiKey key = key_of("k1");

  Demand demand(const ApiKey* with_key, std::string_view model = "gpt-4o") const {
    Demand d;
    d.key = with_key;
    d.team_name = with_key ? std::string_view(with_key->team) : std::string_view("acme");
    d.model_id = model;
    return d;
  }
  static Outcome run(Governor& on, const Demand& d) {
    Outcome out;
    out.admission.holds = on.plan(d);
    out.verdict = on.admit(out.admission, out.refusal);
    return out;
  }
  Outcome run(const Demand& d) { return run(governor, d); }
};

}  // namespace

TEST_F(GovernorTest, NothingConfiguredPlansNoCounter) {
  EXPECT_TRUE(governor.plan(demand(&key)).empty());
  EXPECT_TRUE(governor.plan(demand(nullptr)).empty());
  EXPECT_FALSE(Governor::counts(demand(&key)));
}

TEST_F(GovernorTest, CountsSaysWhetherPlanWouldCountAnything) {
  TeamPolicy team = team_of("acme");
  team.user_limits.rpm = 5;
  Demand d = demand(&key);
  d.team = &team;
  EXPECT_FALSE(Governor::counts(d)) << "user limits without a user count nothing";
  EXPECT_TRUE(governor.plan(d).empty());
  d.user = "alice";
  EXPECT_TRUE(Governor::counts(d));
  EXPECT_EQ(governor.plan(d).size(), 1u);
  Demand budgeted = demand(&key);
  key.access.budget = budget_of(1);
  EXPECT_TRUE(Governor::counts(budgeted));
  const Limits model{.rpm = 1};
  Demand by_model = demand(nullptr);
  by_model.model_limits = &model;
  EXPECT_TRUE(Governor::counts(by_model));
}

TEST_F(GovernorTest, AKeysRpmAdmitsExactlyNThenRefusesNamingTheKeyUntilTheNextMinute) {
  key.access.limits.rpm = 3;
  for (int64_t i = 1; i <= 3; ++i) {
    Outcome ok = run(demand(&key));
    ASSERT_TRUE(ok.admitted()) << i;
    EXPECT_EQ(ok.admission.rate.request_limit, 3);
    EXPECT_EQ(ok.admission.rate.request_remaining, 3 - i);
    EXPECT_EQ(ok.admission.rate.request_reset_ms, 20'000);
    EXPECT_EQ(ok.admission.rate.token_limit, 0) << "no token limit configured";
  }
  Outcome refused = run(demand(&key));
  ASSERT_TRUE(refused.refused());
  ASSERT_TRUE(refused.refusal);
  const Error& error = refused.refusal->error;
  EXPECT_EQ(error.kind, ErrorKind::rate_limited);
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.code, "rate_limit_exceeded");
  EXPECT_NE(error.message.find("rate limit reached for key k1: 3 requests per minute"), std::string::npos)
      << error.message;
  EXPECT_EQ(refused.refusal->retry_after_s, 20);
  EXPECT_EQ(refused.refusal->rate.request_limit, 3);
  EXPECT_EQ(refused.refusal->rate.request_remaining, 0);
  EXPECT_EQ(governor.stats().refused_rate, 1u);

  wall += 20'000;  // the next minute
  Outcome again = run(demand(&key));
  EXPECT_TRUE(again.admitted());
  EXPECT_EQ(again.admission.rate.request_remaining, 2);
  EXPECT_EQ(again.admission.rate.request_reset_ms, kMinute);
}

TEST_F(GovernorTest, AKeyWithoutLimitsIsNotCountedAndOtherKeysHaveTheirOwnCounts) {
  key.access.limits.rpm = 1;
  ApiKey other = key_of("k2");
  other.access.limits.rpm = 1;
  ApiKey free = key_of("k3");
  EXPECT_TRUE(run(demand(&key)).admitted());
  EXPECT_TRUE(run(demand(&other)).admitted());
  EXPECT_TRUE(run(demand(&key)).refused());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(run(demand(&free)).admitted());
}

TEST_F(GovernorTest, ATeamsLimitCountsEveryKeyOfTheTeamAndTheTightestLimitIsReported) {
  TeamPolicy acme = team_of("acme");
  acme.access.limits.rpm = 2;
  key.access.limits.rpm = 10;
  ApiKey second = key_of("k2");
  Demand first = demand(&key), other = demand(&second);
  first.team = other.team = &acme;
  Outcome one = run(first);
  ASSERT_TRUE(one.admitted());
  EXPECT_EQ(one.admission.rate.request_limit, 2) << "the team's limit is the tighter one";
  EXPECT_EQ(one.admission.rate.request_remaining, 1);
  ASSERT_TRUE(run(other).admitted());
  Outcome refused = run(other);
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("for team acme:"), std::string::npos) << refused.refusal->error.message;
}

TEST_F(GovernorTest, AUserLimitCountsEachUserOfTheTeamOnItsOwn) {
  TeamPolicy acme = team_of("acme");
  acme.user_limits.rpm = 1;
  Demand alice = demand(&key), bob = demand(&key), nobody = demand(&key);
  alice.team = bob.team = nobody.team = &acme;
  alice.user = "alice";
  bob.user = "bob";
  ASSERT_TRUE(run(alice).admitted());
  Outcome refused = run(alice);
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("for user alice of team acme:"), std::string::npos)
      << refused.refusal->error.message;
  EXPECT_TRUE(run(bob).admitted());
  EXPECT_TRUE(run(nobody).admitted()) << "a request of no user has no user limit";
  EXPECT_TRUE(run(nobody).admitted());
}

TEST_F(GovernorTest, AModelsLimitCountsEveryClientOfThatModelId) {
  Limits model_limits;
  model_limits.rpm = 1;
  ApiKey second = key_of("k2", "beta");
  Demand first = demand(&key, "gpt-4o"), other = demand(&second, "gpt-4o"), unlimited = demand(&key, "gpt-4o-mini");
  first.model_limits = other.model_limits = &model_limits;
  ASSERT_TRUE(run(first).admitted());
  Outcome refused = run(other);
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("for model gpt-4o:"), std::string::npos)
      << refused.refusal->error.message;
  EXPECT_TRUE(run(unlimited).admitted());
  Demand no_key = demand(nullptr, "gpt-4o");
  no_key.model_limits = &model_limits;
  EXPECT_TRUE(run(no_key).refused()) << "a gateway without keys still has model limits";
}

TEST_F(GovernorTest, TokensAreReservedThenSettledToWhatWasUsed) {
  key.access.limits.tpm = 1000;
  Demand big = demand(&key);
  big.input_tokens = 300;
  big.output_tokens = 500;
  Outcome first = run(big);
  ASSERT_TRUE(first.admitted());
  EXPECT_EQ(first.admission.rate.token_limit, 1000);
  EXPECT_EQ(first.admission.rate.token_remaining, 200);
  EXPECT_EQ(first.admission.rate.token_reset_ms, 20'000);
  Outcome refused = run(big);
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("1000 tokens per minute (this request counts 800)"), std::string::npos)
      << refused.refusal->error.message;

  governor.settle(first.admission, Usage{.tokens_known = true, .input_tokens = 100, .output_tokens = 100});
  Outcome second = run(big);  // 200 used: 800 fit
  ASSERT_TRUE(second.admitted());
  EXPECT_EQ(second.admission.rate.token_remaining, 0);

  governor.settle(second.admission, Usage{});  // usage never came: the reservation stands
  Demand one = demand(&key);
  one.input_tokens = 1;
  EXPECT_TRUE(run(one).refused());
}

TEST_F(GovernorTest, TokensUsedBeyondTheReservationAreCharged) {
  key.access.limits.tpm = 1000;
  Demand small = demand(&key);
  small.input_tokens = 100;
  small.output_tokens = 100;
  Outcome first = run(small);
  ASSERT_TRUE(first.admitted());
  governor.settle(first.admission, Usage{.tokens_known = true, .input_tokens = 100, .output_tokens = 800});
  Outcome refused = run(small);  // 900 used: 200 more do not fit
  ASSERT_TRUE(refused.refused());
  EXPECT_EQ(refused.refusal->rate.token_remaining, 100);
}

TEST_F(GovernorTest, InputAndOutputTokenLimitsCountTheirOwnSide) {
  key.access.limits.input_tpm = 500;
  key.access.limits.output_tpm = 500;
  Demand input_heavy = demand(&key), output_heavy = demand(&key);
  input_heavy.input_tokens = 300;
  output_heavy.output_tokens = 300;
  ASSERT_TRUE(run(input_heavy).admitted());
  ASSERT_TRUE(run(output_heavy).admitted());
  Outcome refused = run(input_heavy);
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("input tokens per minute"), std::string::npos);
  Outcome refused_output = run(output_heavy);
  ASSERT_TRUE(refused_output.refused());
  EXPECT_NE(refused_output.refusal->error.message.find("output tokens per minute"), std::string::npos);
}

TEST_F(GovernorTest, RequestsInFlightAreReleasedOnSettleOnce) {
  key.access.limits.concurrent = 1;
  Outcome first = run(demand(&key));
  ASSERT_TRUE(first.admitted());
  Outcome refused = run(demand(&key));
  ASSERT_TRUE(refused.refused());
  EXPECT_EQ(refused.refusal->retry_after_s, 1);
  EXPECT_NE(refused.refusal->error.message.find("1 requests at once"), std::string::npos);

  wall += 10 * kMinute;  // in flight is not a window: still refused
  EXPECT_TRUE(run(demand(&key)).refused());

  governor.settle(first.admission, Usage{});
  EXPECT_TRUE(first.admission.settled);
  Outcome second = run(demand(&key));
  ASSERT_TRUE(second.admitted());
  governor.settle(first.admission, Usage{});  // again: releases nothing more
  EXPECT_TRUE(run(demand(&key)).refused()) << "the second request is still in flight";
  governor.settle(second.admission, Usage{});
  EXPECT_TRUE(run(demand(&key)).admitted());
}

TEST_F(GovernorTest, ASettledRpmIsNotGivenBack) {
  key.access.limits.rpm = 1;
  Outcome first = run(demand(&key));
  governor.settle(first.admission, Usage{.tokens_known = true, .cost_micros = 0});
  EXPECT_TRUE(run(demand(&key)).refused()) << "a request counts against rpm whatever it cost";
}

TEST_F(GovernorTest, AHardBudgetRefusesWithInsufficientQuotaNamingWhoseBudget) {
  key.access.budget = budget_of(1.0);
  Demand d = demand(&key);
  d.cost_micros = 600'000;
  Outcome first = run(d);
  ASSERT_TRUE(first.admitted());
  EXPECT_TRUE(first.admission.over_budget.empty());
  Outcome refused = run(d);
  ASSERT_TRUE(refused.refused());
  const Error& error = refused.refusal->error;
  EXPECT_EQ(error.kind, ErrorKind::quota_exceeded);
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.code, "insufficient_quota");
  EXPECT_NE(error.message.find("budget exhausted for key k1: $1.00 a month"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("renews on 2026-06-01"), std::string::npos) << error.message;
  EXPECT_EQ(refused.refusal->retry_after_s, (ms_of(2026, 6, 1) - kStart) / 1000);
  EXPECT_EQ(governor.stats().refused_budget, 1u);
  EXPECT_EQ(governor.stats().refused_rate, 0u);

  governor.settle(first.admission, Usage{.tokens_known = true, .cost_micros = 300'000});
  EXPECT_TRUE(run(d).admitted()) << "settled to its cost: 0.3 + 0.6 fit";
}

TEST_F(GovernorTest, ABudgetRefusalNamesTeamAndUserBudgets) {
  TeamPolicy acme = team_of("acme");
  acme.user_budget = budget_of(0.5, BudgetPeriod::day);
  Demand d = demand(&key);
  d.team = &acme;
  d.user = "alice";
  d.cost_micros = 600'000;
  Outcome user = run(d);
  ASSERT_TRUE(user.refused());
  EXPECT_NE(user.refusal->error.message.find("budget exhausted for user alice of team acme: $0.50 a day"),
            std::string::npos)
      << user.refusal->error.message;

  acme.user_budget.reset();
  acme.access.budget = budget_of(0.5, BudgetPeriod::week);
  Outcome team = run(d);
  ASSERT_TRUE(team.refused());
  EXPECT_NE(team.refusal->error.message.find("budget exhausted for team acme: $0.50 a week"), std::string::npos)
      << team.refusal->error.message;
}

TEST_F(GovernorTest, ASoftBudgetAdmitsAndSaysWhoseBudgetIsExceeded) {
  key.access.budget = budget_of(1.0, BudgetPeriod::month, false);
  Demand d = demand(&key);
  d.cost_micros = 600'000;
  Outcome first = run(d);
  ASSERT_TRUE(first.admitted());
  EXPECT_TRUE(first.admission.over_budget.empty());
  Outcome over = run(d);
  ASSERT_TRUE(over.admitted());
  EXPECT_EQ(over.admission.over_budget, "key k1");
  EXPECT_EQ(governor.stats().over_soft_budget, 1u);
  // The overrun is counted: the spend is 1.2 now, so even a tiny request is over.
  Demand tiny = demand(&key);
  tiny.cost_micros = 1;
  EXPECT_EQ(run(tiny).admission.over_budget, "key k1");
  // Settled below the reservation, the overrun goes down with it.
  governor.settle(first.admission, Usage{.tokens_known = true, .cost_micros = 0});
  governor.settle(over.admission, Usage{.tokens_known = true, .cost_micros = 0});
  EXPECT_TRUE(run(tiny).admission.over_budget.empty()) << "spend: 2 micro-USD of tiny requests";
}

TEST_F(GovernorTest, ABudgetIsSeededFromTheRecordStoreOnItsFirstUseInAPeriod) {
  key.access.budget = budget_of(1.0);
  spent = 0.9;
  Demand d = demand(&key);
  d.cost_micros = 200'000;
  Outcome refused = run(d);
  ASSERT_TRUE(refused.refused()) << "0.9 spent + 0.2 do not fit in 1.0";
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].since_ms, ms_of(2026, 5, 1));
  EXPECT_EQ(lookups[0].scope.kind, BudgetScope::Whose::key);
  EXPECT_EQ(lookups[0].scope.key_id, "k1");
  EXPECT_EQ(lookups[0].scope.team, "acme");

  d.cost_micros = 50'000;
  EXPECT_TRUE(run(d).admitted());
  EXPECT_TRUE(run(d).admitted());
  EXPECT_TRUE(run(d).refused()) << "0.9 + 0.05 + 0.05 spent: the budget is full";
  EXPECT_EQ(lookups.size(), 1u) << "seeded once; then counted";

  wall = ms_of(2026, 6, 1);  // a new month: a fresh counter, seeded from the new month's records
  spent = 0.0;
  d.cost_micros = 900'000;
  Outcome june = run(d);
  EXPECT_TRUE(june.admitted());
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[1].since_ms, ms_of(2026, 6, 1));
}

TEST_F(GovernorTest, ATeamAndAUserBudgetAreLookedUpForTheirOwnScopeAndPeriod) {
  TeamPolicy acme = team_of("acme");
  acme.access.budget = budget_of(100, BudgetPeriod::week);
  acme.user_budget = budget_of(10, BudgetPeriod::day);
  Demand d = demand(&key);
  d.team = &acme;
  d.user = "alice";
  d.cost_micros = 1;
  ASSERT_TRUE(run(d).admitted());
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[0].scope.kind, BudgetScope::Whose::team);
  EXPECT_EQ(lookups[0].scope.team, "acme");
  EXPECT_EQ(lookups[0].since_ms, ms_of(2026, 5, 25)) << "the week from Monday";
  EXPECT_EQ(lookups[1].scope.kind, BudgetScope::Whose::user);
  EXPECT_EQ(lookups[1].scope.user, "alice");
  EXPECT_EQ(lookups[1].since_ms, ms_of(2026, 5, 28));
}

TEST_F(GovernorTest, ARecordStoreThatCannotSayCountsFromZero) {
  key.access.budget = budget_of(1.0);
  spent.reset();
  Demand d = demand(&key);
  d.cost_micros = 1'000'000;
  EXPECT_TRUE(run(d).admitted());
  EXPECT_TRUE(run(d).refused());
}

TEST_F(GovernorTest, ARefusalRollsBackWhatEarlierCountersTook) {
  key.access.limits.rpm = 2;
  key.access.limits.tpm = 1000;
  TeamPolicy acme = team_of("acme");
  acme.access.limits.rpm = 1;
  Demand with_team = demand(&key), key_only = demand(&key);
  with_team.team = &acme;
  with_team.input_tokens = key_only.input_tokens = 100;
  ASSERT_TRUE(run(with_team).admitted());
  Outcome refused = run(with_team);  // the key's rpm and tpm counted it, then the team refused
  ASSERT_TRUE(refused.refused());
  EXPECT_TRUE(refused.admission.settled);
  Outcome last = run(key_only);
  ASSERT_TRUE(last.admitted()) << "the refused request's count went back";
  EXPECT_EQ(last.admission.rate.request_remaining, 0);
  EXPECT_EQ(last.admission.rate.token_remaining, 800);
  governor.settle(refused.admission, Usage{.tokens_known = true, .input_tokens = 5000});
  ApiKey same_key_tpm_only = key_of("k1");  // the same counters, without the rpm that is now full
  same_key_tpm_only.access.limits.tpm = 1000;
  Demand tokens_only = demand(&same_key_tpm_only);
  tokens_only.input_tokens = 100;
  Outcome after = run(tokens_only);
  ASSERT_TRUE(after.admitted()) << "a refused admission settles to nothing";
  EXPECT_EQ(after.admission.rate.token_remaining, 700);
}

TEST_F(GovernorTest, MetricsCountRefusalsByReason) {
  key.access.limits.rpm = 1;
  key.access.budget = budget_of(0.0);
  Demand d = demand(&key);
  d.cost_micros = 1;
  ASSERT_TRUE(run(d).refused());  // the budget
  d.cost_micros = 0;
  ASSERT_TRUE(run(d).admitted());
  ASSERT_TRUE(run(d).refused());  // the rate
  const std::string metrics = governor.render_metrics();
  EXPECT_NE(metrics.find("switchyard_governance_refused_total{reason=\"rate_limit\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("switchyard_governance_refused_total{reason=\"budget\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("switchyard_governance_refused_total{reason=\"state_unavailable\"} 0\n"), std::string::npos);
}

// A governor over a shared state through this replica's leases, with a fallback of its own.
struct GovernorSharedTest : GovernorTest {
  int64_t steady = 0;
  FakeSharedState shared{[this] { return wall; }};
  LocalQuotaState fallback{[this] { return wall; }};
  QuotaLeases leases{shared, [this] { return steady; }};
  Governor open{shared, fallback, &leases, lookup, [this] { return wall; }, false};
  Governor closed{shared, fallback, &leases, lookup, [this] { return wall; }, true};
};

TEST_F(GovernorSharedTest, AdmitFastNeedsIoWhenALeaseMustRefillAndAdmitCompletesIt) {
  key.access.limits.rpm = 160;
  key.access.limits.tpm = 16'000;
  Demand d = demand(&key);
  d.input_tokens = 10;
  Outcome first;
  first.admission.holds = open.plan(d);
  ASSERT_EQ(first.admission.holds.size(), 2u);
  EXPECT_EQ(open.admit_fast(first.admission, first.refusal), Governor::Verdict::needs_io);
  EXPECT_EQ(shared.calls(), 0) << "admit_fast makes no call to the shared state";
  EXPECT_EQ(open.admit(first.admission, first.refusal), Governor::Verdict::admitted);
  EXPECT_EQ(shared.takes, 2);

  for (int i = 0; i < 5; ++i) {
    Outcome next;
    next.admission.holds = open.plan(d);
    EXPECT_EQ(open.admit_fast(next.admission, next.refusal), Governor::Verdict::admitted) << i;
    EXPECT_EQ(next.admission.rate.request_limit, 160);
    open.settle(next.admission, Usage{.tokens_known = true, .input_tokens = 5, .output_tokens = 0});
  }
  EXPECT_EQ(shared.calls(), 2) << "served and settled from the leases";
}

TEST_F(GovernorSharedTest, AdmitContinuesWhereAdmitFastStoppedWithoutCountingTwice) {
  key.access.limits.rpm = 160;  // block 10
  key.access.limits.tpm = 160;  // block 10
  Demand one = demand(&key);
  one.input_tokens = 1;
  ASSERT_TRUE(run(open, one).admitted());  // both leases: 9 left
  Demand big = demand(&key);
  big.input_tokens = 50;  // beyond the tpm lease
  Outcome out;
  out.admission.holds = open.plan(big);
  ASSERT_EQ(open.admit_fast(out.admission, out.refusal), Governor::Verdict::needs_io);
  EXPECT_EQ(out.admission.next, 1u) << "the rpm was counted from its lease";
  ASSERT_EQ(open.admit(out.admission, out.refusal), Governor::Verdict::admitted);
  EXPECT_EQ(shared.takes, 3);
  EXPECT_EQ(shared.used(Counter{"rpm:k:k1", Window::minute, 160}), 10) << "the rpm lease was not refilled";
}

TEST_F(GovernorSharedTest, RequestsInFlightAreCountedExactlyAcrossReplicasNoLeaseHoldsThem) {
  key.access.limits.concurrent = 2;
  int wakes = 0;
  QuotaLeases other_leases(
      shared, [this] { return steady; }, [&wakes] { ++wakes; });
  Governor other(
      shared, fallback, &other_leases, lookup, [this] { return wall; }, false);
  const Counter in_flight{"conc:k:k1", Window::held, 2};

  Outcome first;
  first.admission.holds = open.plan(demand(&key));
  ASSERT_EQ(open.admit_fast(first.admission, first.refusal), Governor::Verdict::needs_io) << "counted exactly";
  ASSERT_EQ(open.admit(first.admission, first.refusal), Governor::Verdict::admitted);
  EXPECT_EQ(shared.used(in_flight), 1) << "one unit, no block held ahead";
  Outcome second = run(other, demand(&key));
  ASSERT_TRUE(second.admitted()) << "the other replica uses the second slot";
  Outcome refused = run(open, demand(&key));
  ASSERT_TRUE(refused.refused());
  EXPECT_NE(refused.refusal->error.message.find("2 requests at once"), std::string::npos);

  other.settle(second.admission, Usage{});
  EXPECT_EQ(wakes, 1) << "the flusher is told at once";
  EXPECT_TRUE(run(open, demand(&key)).refused()) << "not yet sent to the shared state";
  other_leases.flush_pending();
  EXPECT_EQ(shared.used(in_flight), 1);
  EXPECT_TRUE(run(open, demand(&key)).admitted()) << "the slot freed on one replica serves the other";
}

TEST_F(GovernorSharedTest, AnExactBudgetNeedsIoForEveryRequest) {
  key.access.budget = budget_of(100, BudgetPeriod::month, true, true);
  Demand d = demand(&key);
  d.cost_micros = 1'000;
  for (int i = 1; i <= 3; ++i) {
    Outcome out;
    out.admission.holds = open.plan(d);
    ASSERT_EQ(open.admit_fast(out.admission, out.refusal), Governor::Verdict::needs_io) << i;
    ASSERT_EQ(open.admit(out.admission, out.refusal), Governor::Verdict::admitted);
  }
  EXPECT_EQ(shared.used(Counter{"usd:k:k1|month|2026-05", Window::period, 100'000'000}), 3'000)
      << "each took exactly its reservation from the shared state, no block";
  EXPECT_EQ(lookups.size(), 1u);

  key.access.budget = budget_of(100);  // not exact: a lease serves the next ones
  Outcome leased;
  leased.admission.holds = open.plan(d);
  ASSERT_EQ(open.admit(leased.admission, leased.refusal), Governor::Verdict::admitted);
  Outcome fast;
  fast.admission.holds = open.plan(d);
  EXPECT_EQ(open.admit_fast(fast.admission, fast.refusal), Governor::Verdict::admitted);
}

TEST_F(GovernorSharedTest, ASharedBudgetNeedsItsSeedThroughTheLease) {
  key.access.budget = budget_of(1.0);
  spent = 0.5;
  Demand d = demand(&key);
  d.cost_micros = 400'000;
  ASSERT_TRUE(run(open, d).admitted());
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].since_ms, ms_of(2026, 5, 1));
  Outcome refused = run(open, d);
  ASSERT_TRUE(refused.refused());
  EXPECT_EQ(refused.refusal->error.code, "insufficient_quota");
}

TEST_F(GovernorSharedTest, StateDownFailOpenCountsOnTheFallbackAndSaysDegraded) {
  key.access.limits.rpm = 2;
  shared.down = true;
  for (int i = 0; i < 2; ++i) {
    Outcome ok = run(open, demand(&key));
    ASSERT_TRUE(ok.admitted()) << i;
    EXPECT_TRUE(ok.admission.degraded);
    EXPECT_TRUE(ok.admission.holds[0].local);
  }
  Outcome refused = run(open, demand(&key));
  ASSERT_TRUE(refused.refused()) << "the fallback counts the limit on this replica";
  EXPECT_EQ(refused.refusal->error.kind, ErrorKind::rate_limited);
  EXPECT_EQ(open.stats().state_unavailable, 3u);
  EXPECT_EQ(open.stats().refused_state, 0u);

  shared.down = false;  // back: counted in the shared state again
  Outcome back = run(open, demand(&key));
  EXPECT_TRUE(back.admitted());
  EXPECT_FALSE(back.admission.degraded);
}

TEST_F(GovernorSharedTest, StateDownFailOpenSettlesOnTheFallback) {
  key.access.limits.concurrent = 1;
  shared.down = true;
  Outcome first = run(open, demand(&key));
  ASSERT_TRUE(first.admitted());
  EXPECT_TRUE(run(open, demand(&key)).refused());
  open.settle(first.admission, Usage{});
  EXPECT_TRUE(run(open, demand(&key)).admitted()) << "released on the fallback it was counted on";
}

TEST_F(GovernorSharedTest, StateDownFailClosedRefusesWith503AndRollsBack) {
  key.access.limits.rpm = 2;  // block 1
  TeamPolicy acme = team_of("acme");
  acme.access.limits.rpm = 100;
  Demand with_team = demand(&key), key_only = demand(&key);
  with_team.team = &acme;
  shared.down_for = "rpm:t:";  // the key's counter answers, the team's does not
  Outcome refused = run(closed, with_team);
  ASSERT_TRUE(refused.refused());
  const Error& error = refused.refusal->error;
  EXPECT_EQ(error.kind, ErrorKind::unavailable);
  EXPECT_EQ(error.status, 503);
  EXPECT_EQ(error.code, "governance_state_unavailable");
  EXPECT_NE(error.message.find("connection refused"), std::string::npos) << error.message;
  EXPECT_EQ(refused.refusal->retry_after_s, 1);
  EXPECT_EQ(closed.stats().refused_state, 1u);

  shared.down_for.clear();
  // The key's unit went back into its lease: two more requests fit in its rpm of 2.
  EXPECT_TRUE(run(closed, key_only).admitted());
  EXPECT_TRUE(run(closed, key_only).admitted());
  EXPECT_TRUE(run(closed, key_only).refused());
}

TEST(Period, DaysStartAtUtcMidnight) {
  const int64_t t = ms_of(2026, 12, 2, 10, 30);
  EXPECT_EQ(period_start_ms(BudgetPeriod::day, t), ms_of(2026, 12, 2));
  EXPECT_EQ(period_end_ms(BudgetPeriod::day, t), ms_of(2026, 12, 3));
  EXPECT_EQ(period_label(BudgetPeriod::day, t), "2026-12-02");
  EXPECT_EQ(period_start_ms(BudgetPeriod::day, ms_of(2026, 12, 3) - 1), ms_of(2026, 12, 2));
  EXPECT_EQ(period_start_ms(BudgetPeriod::day, ms_of(2026, 12, 3)), ms_of(2026, 12, 3));
  EXPECT_EQ(period_start_ms(BudgetPeriod::day, -1), -86'400'000) << "before 1970 too";
}

TEST(Period, WeeksStartOnMonday) {
  // 2026-11-30 is a Monday.
  for (unsigned day = 30; day <= 36; ++day) {
    const int64_t t = day <= 30 ? ms_of(2026, 11, day, 12) : ms_of(2026, 12, day - 30, 23, 59, 59);
    EXPECT_EQ(period_start_ms(BudgetPeriod::week, t), ms_of(2026, 11, 30)) << day;
    EXPECT_EQ(period_end_ms(BudgetPeriod::week, t), ms_of(2026, 12, 7)) << day;
    EXPECT_EQ(period_label(BudgetPeriod::week, t), "2026-W11-30") << day;
  }
  EXPECT_EQ(period_start_ms(BudgetPeriod::week, ms_of(2026, 12, 7)), ms_of(2026, 12, 7));
  EXPECT_EQ(period_start_ms(BudgetPeriod::week, ms_of(2026, 11, 30) - 1), ms_of(2026, 11, 23));
  // Across a year: Thursday 2026-12-31 is in the week of Monday 2026-12-28, as is 2027-01-03.
  EXPECT_EQ(period_start_ms(BudgetPeriod::week, ms_of(2027, 1, 3, 8)), ms_of(2026, 12, 28));
  EXPECT_EQ(period_label(BudgetPeriod::week, ms_of(2027, 1, 3, 8)), "2026-W12-28");
  EXPECT_EQ(period_start_ms(BudgetPeriod::week, ms_of(1970, 1, 1)), ms_of(1969, 12, 29));
}

TEST(Period, MonthsIncludingDecemberToJanuaryAndLeapFebruary) {
  EXPECT_EQ(period_start_ms(BudgetPeriod::month, ms_of(2026, 12, 31, 23, 59, 59)), ms_of(2026, 12, 1));
  EXPECT_EQ(period_end_ms(BudgetPeriod::month, ms_of(2026, 12, 15)), ms_of(2027, 1, 1));
  EXPECT_EQ(period_label(BudgetPeriod::month, ms_of(2026, 12, 15)), "2026-12");
  EXPECT_EQ(period_label(BudgetPeriod::month, ms_of(2027, 1, 1)), "2027-01");
  EXPECT_EQ(period_end_ms(BudgetPeriod::month, ms_of(2028, 2, 29, 12)), ms_of(2028, 3, 1));
  EXPECT_EQ(period_start_ms(BudgetPeriod::month, ms_of(2028, 2, 29, 12)), ms_of(2028, 2, 1));
  EXPECT_EQ(period_end_ms(BudgetPeriod::month, ms_of(2027, 2, 28)), ms_of(2027, 3, 1));
  EXPECT_EQ(period_end_ms(BudgetPeriod::month, ms_of(2028, 1, 31)), ms_of(2028, 2, 1));
  EXPECT_EQ(period_end_ms(BudgetPeriod::month, ms_of(2026, 4, 30)), ms_of(2026, 5, 1));
  EXPECT_EQ(period_start_ms(BudgetPeriod::month, ms_of(2026, 5, 1)), ms_of(2026, 5, 1));
  EXPECT_EQ(period_start_ms(BudgetPeriod::month, ms_of(2026, 5, 1) - 1), ms_of(2026, 4, 1));
}
