#include "governance/governor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/calendar.h"

namespace switchyard {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kMicros = 1'000'000;

int64_t day_of(int64_t unix_ms) { return unix_ms >= 0 ? unix_ms / kDayMs : (unix_ms - kDayMs + 1) / kDayMs; }

// Days since 1970-01-01 of the Monday that starts `day`'s week (1970-01-01 was a Thursday).
int64_t monday_of(int64_t day) { return day - ((day + 3) % 7 + 7) % 7; }

year_month_day date_of(int64_t day) { return year_month_day{sys_days{days{day}}}; }

const char* measure_name(Measure measure) {
  switch (measure) {
    case Measure::requests: return "requests per minute";
    case Measure::tokens: return "tokens per minute";
    case Measure::input_tokens: return "input tokens per minute";
    case Measure::output_tokens: return "output tokens per minute";
    case Measure::concurrent: return "requests at once";
    case Measure::usd: return "USD";
  }
  return "";
}

// "key key_ab12", "team acme", "user alice of team acme", "model gpt-4o".
std::string scope_text(std::string_view counter_name) {
  // Names are "<measure>:<k|t|u|m>:<id>[:<period>]": see plan().
  std::size_t first = counter_name.find(':');
  std::string_view rest = counter_name.substr(first + 1);
  const char kind = rest.empty() ? '?' : rest[0];
  std::string_view id = rest.size() > 2 ? rest.substr(2) : std::string_view();
  // A budget's name ends in "|<period>|<label>" (see plan()): both go.
  if (counter_name.starts_with("usd:"))
    for (int part = 0; part < 2; ++part)
      if (std::size_t bar = id.rfind('|'); bar != std::string_view::npos) id = id.substr(0, bar);
  switch (kind) {
    case 'k': return fmt::format("key {}", id);
    case 't': return fmt::format("team {}", id);
    case 'u': {
      std::size_t slash = id.find('/');
      return fmt::format("user {} of team {}", id.substr(slash + 1), id.substr(0, slash));
    }
    case 'm': return fmt::format("model {}", id);
    case 'p': return fmt::format("provider {}", id);
    default: return std::string(id);
  }
}

constexpr int64_t kLeasedConcurrency = 64;

// The counters of `limits` for one request under `scope`: "k:<key id>", "t:<team>",
// "u:<team>/<user>", "m:<model>" or "p:<provider>".
void add_limit_counters(std::vector<Hold>& holds, const Limits& limits, const std::string& scope, int64_t input_tokens,
                        int64_t output_tokens) {
  auto add = [&](int64_t limit, Measure measure, const char* name, Window window, int64_t units) {
    if (limit > 0) holds.push_back(Hold{Counter{fmt::format("{}:{}", name, scope), window, limit}, measure, units});
  };
  add(limits.rpm, Measure::requests, "rpm", Window::minute, 1);
  add(limits.tpm, Measure::tokens, "tpm", Window::minute, input_tokens + output_tokens);
  add(limits.input_tpm, Measure::input_tokens, "itpm", Window::minute, input_tokens);
  add(limits.output_tpm, Measure::output_tokens, "otpm", Window::minute, output_tokens);
  add(limits.concurrent, Measure::concurrent, "conc", Window::held, 1);
  // A small concurrency limit is counted exactly (a round trip at each end on a shared state): a
  // slot one replica frees must serve the next request on any replica, which a lease would hold.
  // From kLeasedConcurrency up, leases (limit/16 a block) hold at most a few slots per replica.
  if (limits.concurrent > 0 && limits.concurrent < kLeasedConcurrency) holds.back().exact = true;
}

}  // namespace

int64_t period_start_ms(BudgetPeriod period, int64_t unix_ms) {
  const int64_t day = day_of(unix_ms);
  switch (period) {
    case BudgetPeriod::day: return day * kDayMs;
    case BudgetPeriod::week: return monday_of(day) * kDayMs;
    case BudgetPeriod::month: {
      const year_month_day date = date_of(day);
      return sys_days{date.year() / date.month() / 1}.time_since_epoch().count() * kDayMs;
    }
  }
  return day * kDayMs;
}

int64_t period_end_ms(BudgetPeriod period, int64_t unix_ms) {
  const int64_t day = day_of(unix_ms);
  switch (period) {
    case BudgetPeriod::day: return (day + 1) * kDayMs;
    case BudgetPeriod::week: return (monday_of(day) + 7) * kDayMs;
    case BudgetPeriod::month: {
      const year_month_day date = date_of(day);
      const auto next = date.year() / date.month() / 1 + std::chrono::months{1};
      return sys_days{next}.time_since_epoch().count() * kDayMs;
    }
  }
  return (day + 1) * kDayMs;
}

std::string period_label(BudgetPeriod period, int64_t unix_ms) {
  const year_month_day start = date_of(day_of(period_start_ms(period, unix_ms)));
  const int y = static_cast<int>(start.year());
  const unsigned m = static_cast<unsigned>(start.month()), d = static_cast<unsigned>(start.day());
  switch (period) {
    case BudgetPeriod::day: return fmt::format("{:04}-{:02}-{:02}", y, m, d);
    case BudgetPeriod::week: return fmt::format("{:04}-W{:02}-{:02}", y, m, d);
    case BudgetPeriod::month: return fmt::format("{:04}-{:02}", y, m);
  }
  return {};
}

Governor::Governor(QuotaState& state, QuotaState& fallback, QuotaLeases* leases, SpentLookup spent, WallMs wall,
                   bool fail_closed)
    : state_(state),
      fallback_(fallback),
      leases_(leases),
      spent_(std::move(spent)),
      wall_(std::move(wall)),
      fail_closed_(fail_closed) {}

bool Governor::counts(const Demand& demand) {
  auto has = [](const AccessPolicy& access) { return access.limits.any() || access.budget.has_value(); };
  return (demand.key && has(demand.key->access)) ||
         (demand.team && (has(demand.team->access) ||
                          (!demand.user.empty() && (demand.team->user_limits.any() || demand.team->user_budget)))) ||
         demand.model_limits;
}

std::vector<Hold> Governor::plan_provider(const Limits& limits, std::string_view provider, int64_t input_tokens,
                                          int64_t output_tokens) const {
  std::vector<Hold> holds;
  add_limit_counters(holds, limits, fmt::format("p:{}", provider), input_tokens, output_tokens);
  return holds;
}

std::vector<Hold> Governor::plan(const Demand& demand) const {
  std::vector<Hold> holds;
  auto add_limits = [&](const Limits& limits, const std::string& scope) {
    add_limit_counters(holds, limits, scope, demand.input_tokens, demand.output_tokens);
  };
  auto add_budget = [&](const std::optional<Budget>& budget, const std::string& scope, BudgetScope whose) {
    if (!budget) return;
    const int64_t now = wall_();
    const auto limit = static_cast<int64_t>(std::llround(budget->usd * kMicros));
    Hold hold{Counter{fmt::format("usd:{}|{}|{}", scope, to_string(budget->period), period_label(budget->period, now)),
                      Window::period, limit},
              Measure::usd, demand.cost_micros};
    hold.exact = budget->exact;
    hold.soft = !budget->hard;
    hold.scope = std::move(whose);
    hold.period = budget->period;
    holds.push_back(std::move(hold));
  };
  const std::string team(demand.team_name);
  if (demand.key) {
    const std::string scope = "k:" + demand.key->key_id;
    add_limits(demand.key->access.limits, scope);
    add_budget(demand.key->access.budget, scope, BudgetScope{BudgetScope::Whose::key, team, demand.key->key_id, {}});
  }
  if (demand.team) {
    const std::string scope = "t:" + team;
    add_limits(demand.team->access.limits, scope);
    add_budget(demand.team->access.budget, scope, BudgetScope{BudgetScope::Whose::team, team, {}, {}});
    if (!demand.user.empty()) {
      const std::string user_scope = fmt::format("u:{}/{}", team, demand.user);
      add_limits(demand.team->user_limits, user_scope);
      add_budget(demand.team->user_budget, user_scope,
                 BudgetScope{BudgetScope::Whose::user, team, {}, std::string(demand.user)});
    }
  }
  if (demand.model_limits) add_limits(*demand.model_limits, fmt::format("m:{}", demand.model_id));
  return holds;
}

Governor::Verdict Governor::admit_fast(Admission& admission, std::optional<Refusal>& refusal) {
  return step(admission, refusal, false);
}

Governor::Verdict Governor::admit(Admission& admission, std::optional<Refusal>& refusal) {
  return step(admission, refusal, true);
}

Governor::Verdict Governor::step(Admission& admission, std::optional<Refusal>& refusal, bool may_block) {
  for (; admission.next < admission.holds.size(); ++admission.next) {
    Hold& hold = admission.holds[admission.next];
    std::optional<Grant> grant;
    std::optional<int64_t> seed;
    for (int round = 0; round < 2; ++round) {
      const bool through_lease = leases_ && !hold.exact && !hold.local;
      QuotaState& target = hold.local ? fallback_ : state_;
      if (!may_block && (target.shared() && !through_lease)) return Verdict::needs_io;
      if (through_lease) {
        grant = leases_->take_local(hold.counter, hold.units);
        if (!grant) {
          if (!may_block) return Verdict::needs_io;
          grant = leases_->refill_and_take(hold.counter, hold.units, seed);
        }
      } else {
        grant = target.take(hold.counter, hold.units, false, seed);
      }
      if (grant->unavailable) {
        unavailable_.fetch_add(1, std::memory_order_relaxed);
        if (fail_closed_) {
          refused_state_.fetch_add(1, std::memory_order_relaxed);
          roll_back(admission);
          Error error =
              make_error(ErrorKind::unavailable,
                         fmt::format("the gateway's shared state is unreachable ({}); governance.on_state_down "
                                     "is closed, so requests are refused until it is back",
                                     grant->problem));
          error.code = "governance_state_unavailable";
          refusal = Refusal{std::move(error), admission.rate, 1};
          return Verdict::refused;
        }
        const int64_t now = wall_();
        if (int64_t last = last_warned_.load(); now - last > 10'000 && last_warned_.compare_exchange_strong(last, now))
          spdlog::warn("governance: {}; counting on this replica alone (on_state_down: open)", grant->problem);
        hold.local = true;
        admission.degraded = true;
        --round;  // the same round, on the fallback
        continue;
      }
      if (!grant->needs_seed) break;
      if (!may_block) return Verdict::needs_io;
      const std::optional<double> spent = spent_ ? spent_(hold.scope, period_start_ms(hold.period, wall_())) : 0.0;
      seed = static_cast<int64_t>(std::llround(spent.value_or(0) * kMicros));
    }
    if (!grant || grant->needs_seed) grant = Grant{};  // no seed could be had: counted from zero
    hold.bucket = grant->bucket;
    const int64_t remaining = std::max<int64_t>(0, hold.counter.limit - grant->used);
    auto tighten = [&](int64_t& limit, int64_t& left, int64_t& reset) {
      if (limit == 0 || remaining < left) {
        limit = hold.counter.limit;
        left = remaining;
        reset = grant->reset_ms;
      }
    };
    if (hold.measure == Measure::requests)
      tighten(admission.rate.request_limit, admission.rate.request_remaining, admission.rate.request_reset_ms);
    if (hold.measure == Measure::tokens || hold.measure == Measure::input_tokens ||
        hold.measure == Measure::output_tokens)
      tighten(admission.rate.token_limit, admission.rate.token_remaining, admission.rate.token_reset_ms);
    if (grant->granted == hold.units) continue;
    if (hold.soft) {  // a soft budget: counted beyond its limit, flagged
      release(hold, -hold.units);
      over_soft_.fetch_add(1, std::memory_order_relaxed);
      admission.over_budget = scope_text(hold.counter.name);
      continue;
    }
    refusal = refusal_for(hold, *grant, admission.rate);
    roll_back(admission);
    return Verdict::refused;
  }
  return Verdict::admitted;
}

Refusal Governor::refusal_for(const Hold& hold, const Grant& grant, const RateFigures& rate) const {
  const std::string whose = scope_text(hold.counter.name);
  if (hold.measure == Measure::usd) {
    refused_budget_.fetch_add(1, std::memory_order_relaxed);
    const int64_t ends = period_end_ms(hold.period, wall_());
    Error error = make_error(
        ErrorKind::quota_exceeded,
        fmt::format("budget exhausted for {}: ${:.2f} a {}, ${:.4f} spent or reserved; this request needs up to "
                    "${:.4f}; the budget renews on {}",
                    whose, static_cast<double>(hold.counter.limit) / kMicros, to_string(hold.period),
                    static_cast<double>(grant.used) / kMicros, static_cast<double>(hold.units) / kMicros,
                    day_text(ends / kDayMs)));
    return Refusal{std::move(error), rate, std::max<int64_t>(1, (ends - wall_() + 999) / 1000)};
  }
  refused_rate_.fetch_add(1, std::memory_order_relaxed);
  const int64_t retry = hold.measure == Measure::concurrent ? 1 : std::max<int64_t>(1, (grant.reset_ms + 999) / 1000);
  Error error =
      make_error(ErrorKind::rate_limited,
                 hold.measure == Measure::concurrent
                     ? fmt::format("rate limit reached for {}: {} {}; try again when one ends", whose,
                                   hold.counter.limit, measure_name(hold.measure))
                     : fmt::format("rate limit reached for {}: {} {} (this request counts {}); try again in {} s",
                                   whose, hold.counter.limit, measure_name(hold.measure), hold.units, retry));
  return Refusal{std::move(error), rate, retry};
}

void Governor::roll_back(Admission& admission) {
  for (std::size_t i = 0; i < admission.next; ++i) {
    const Hold& hold = admission.holds[i];
    release(hold, hold.units);
  }
  admission.next = 0;
  admission.settled = true;
}

void Governor::settle(Admission& admission, const Usage& used) {
  if (admission.settled) return;
  admission.settled = true;
  for (std::size_t i = 0; i < admission.next; ++i) {
    const Hold& hold = admission.holds[i];
    int64_t actual = hold.units;
    switch (hold.measure) {
      case Measure::requests: continue;
      case Measure::concurrent: actual = 0; break;
      case Measure::tokens: actual = used.tokens_known ? used.input_tokens + used.output_tokens : hold.units; break;
      case Measure::input_tokens: actual = used.tokens_known ? used.input_tokens : hold.units; break;
      case Measure::output_tokens: actual = used.tokens_known ? used.output_tokens : hold.units; break;
      case Measure::usd: actual = used.cost_micros.value_or(hold.units); break;
    }
    release(hold, hold.units - actual);
  }
}

void Governor::release(const Hold& hold, int64_t units) {
  if (units == 0) return;
  // Through the leases whenever the state is shared (an exact counter has no lease: its units go
  // to the state at once, from the flusher's thread), so this thread never waits on the state.
  if (leases_ && !hold.local && hold.exact) {
    leases_->settle_exact(hold.counter, hold.bucket, units);
    return;
  }
  if (leases_ && !hold.local) {
    if (units > 0)
      leases_->give(hold.counter, hold.bucket, units);
    else
      leases_->charge(hold.counter, hold.bucket, -units);
    return;
  }
  QuotaState& target = hold.local ? fallback_ : state_;
  if (units > 0)
    target.give(hold.counter, hold.bucket, units);
  else
    target.charge(hold.counter, hold.bucket, -units);
}

Governor::Stats Governor::stats() const {
  return Stats{refused_rate_.load(), refused_budget_.load(), over_soft_.load(), unavailable_.load(),
               refused_state_.load()};
}

std::string Governor::render_metrics() const {
  const Stats now = stats();
  return fmt::format(
      "# HELP switchyard_governance_refused_total Requests the admit phase refused, by reason.\n"
      "# TYPE switchyard_governance_refused_total counter\n"
      "switchyard_governance_refused_total{{reason=\"rate_limit\"}} {}\n"
      "switchyard_governance_refused_total{{reason=\"budget\"}} {}\n"
      "switchyard_governance_refused_total{{reason=\"state_unavailable\"}} {}\n"
      "# HELP switchyard_governance_soft_budget_exceeded_total Requests served over a soft budget.\n"
      "# TYPE switchyard_governance_soft_budget_exceeded_total counter\n"
      "switchyard_governance_soft_budget_exceeded_total {}\n"
      "# HELP switchyard_governance_state_unavailable_total Counts the shared state could not take (counted on "
      "this replica alone, or refused when on_state_down is closed).\n"
      "# TYPE switchyard_governance_state_unavailable_total counter\n"
      "switchyard_governance_state_unavailable_total {}\n",
      now.refused_rate, now.refused_budget, now.refused_state, now.over_soft_budget, now.state_unavailable);
}

}  // namespace switchyard
