#pragma once
// The rules of the admit phase: a request is counted against every rate limit and budget on its
// path (its key, its team, its user within the team, the model it asks for) before it goes
// upstream, and settled with what it really used after. Refused: 429 naming the limit that was
// reached (rate_limit_exceeded), or the budget (insufficient_quota), with Retry-After and the
// x-ratelimit-* figures.
//
// Counting: in-process (LocalQuotaState), or on a shared state through this replica's leases,
// which answer most requests with no I/O (admit_fast); a request whose lease runs short, or that
// counts against an exact budget, takes one round trip (admit, on a blocking pool). Budgets
// reserve before the call (the request's input estimate at the input price plus its output cap
// at the output price) and settle to the answer's cost, so concurrent requests overshoot a hard
// budget by at most what their answers cost beyond their reservations.
//
// With the shared state unreachable: fail open (counted on this replica alone, `degraded`) or
// closed (503 naming the cause), per `governance.on_state_down`.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "governance/quota_leases.h"
#include "governance/quota_state.h"

namespace switchyard {

// Whose spend a budget counts, for seeding a period's counter from the record store.
struct BudgetScope {
  enum class Whose { key, team, user } kind = Whose::team;
  std::string team, key_id, user;
};

// The start of the budget period that holds `unix_ms` (UTC; weeks start on Monday), and its
// label, e.g. "2026-12" (month), "2026-12-02" (day), "2026-W11-30" (the week from Monday 30 Nov).
int64_t period_start_ms(BudgetPeriod period, int64_t unix_ms);
int64_t period_end_ms(BudgetPeriod period, int64_t unix_ms);
std::string period_label(BudgetPeriod period, int64_t unix_ms);

struct Demand {
  const ApiKey* key = nullptr;           // nullptr: a gateway without keys, or the admin key
  const TeamPolicy* team = nullptr;      // nullptr: the team has no policy
  std::string_view team_name, user;      // user: the request's own, else the key's
  std::string_view model_id;             // as asked for (model limits are per id)
  const Limits* model_limits = nullptr;  // that model's `limits`, if any
  int64_t input_tokens = 0;              // estimated, reserved against token limits
  int64_t output_tokens = 0;             // the request's output cap (or the model's)
  int64_t cost_micros = 0;               // reserved against budgets: micro-USD at list price; 0 unpriced
};

// The figures for x-ratelimit-* (and anthropic-ratelimit-*) headers: the tightest of the limits
// that counted the request. Zero limits: none configured.
struct RateFigures {
  int64_t request_limit = 0, request_remaining = 0, request_reset_ms = 0;
  int64_t token_limit = 0, token_remaining = 0, token_reset_ms = 0;
};

enum class Measure { requests, tokens, input_tokens, output_tokens, concurrent, usd };

struct Hold {
  Counter counter;
  Measure measure = Measure::requests;
  int64_t units = 0;   // taken
  int64_t bucket = 0;  // the minute they were taken in (minute windows)
  bool exact = false;  // straight from the state, no lease
  bool local = false;  // counted on this replica's fallback (the shared state was unreachable)
  bool soft = false;   // a soft budget: exceeded or not, the request goes on
  BudgetScope scope;   // budgets: whose spend, and over which period
  BudgetPeriod period = BudgetPeriod::month;
};

struct Admission {
  std::vector<Hold> holds;
  std::size_t next = 0;  // how many of `holds` are taken (admission in progress)
  RateFigures rate;
  std::string over_budget;  // non-empty: a soft budget is exceeded (which, for the header and log)
  bool degraded = false;    // some counter fell back to this replica alone
  bool settled = false;
};

struct Refusal {
  Error error;
  RateFigures rate;
  int64_t retry_after_s = 0;  // 0: no Retry-After
};

struct Usage {
  bool tokens_known = false;  // false: the reservation stands for the token limits
  int64_t input_tokens = 0, output_tokens = 0;
  std::optional<int64_t> cost_micros;  // nullopt: not known (the reservation stands)
};

class Governor {
 public:
  // What the record store says `scope` spent since `since_ms` (USD); nullopt when it cannot say.
  using SpentLookup = std::function<std::optional<double>(const BudgetScope& scope, int64_t since_ms)>;
  using WallMs = std::function<int64_t()>;
  // `state`: where counting happens (shared or not); `fallback`: this replica's own counts when
  // a shared state is unreachable (unused otherwise); `leases` over a shared `state`, else null.
  Governor(QuotaState& state, QuotaState& fallback, QuotaLeases* leases, SpentLookup spent, WallMs wall,
           bool fail_closed);

  // Whether `demand` has any limit or budget on its path (plan() would not be empty): cheap, so a
  // request with none costs no estimate.
  static bool counts(const Demand& demand);
  // The counters `demand` is counted against, in order; empty when nothing is configured.
  std::vector<Hold> plan(const Demand& demand) const;
  // The counters of a provider's own quota (`providers.X.limits`) for one attempt on its routes.
  std::vector<Hold> plan_provider(const Limits& limits, std::string_view provider, int64_t input_tokens,
                                  int64_t output_tokens) const;

  // Continues `admission` (from plan) without I/O: nullopt when a counter needs the state (run
  // `admit` on a blocking pool with the same admission), else the verdict.
  enum class Verdict { admitted, refused, needs_io };
  Verdict admit_fast(Admission& admission, std::optional<Refusal>& refusal);
  // Blocking: the rest of `admission`.
  Verdict admit(Admission& admission, std::optional<Refusal>& refusal);

  // After the answer: tokens and cost as used, what was reserved beyond them given back,
  // requests in flight released. Never blocks. Idempotent.
  void settle(Admission& admission, const Usage& used);
  // Gives back everything `admission` took, requests counted included (it never went upstream).
  // Never blocks.
  void cancel(Admission& admission) { roll_back(admission); }

  struct Stats {
    uint64_t refused_rate = 0, refused_budget = 0, over_soft_budget = 0, state_unavailable = 0, refused_state = 0;
  };
  Stats stats() const;
  // The stats in Prometheus text: switchyard_governance_refused_total{reason},
  // switchyard_governance_soft_budget_exceeded_total, switchyard_governance_state_unavailable_total.
  std::string render_metrics() const;

 private:
  Verdict step(Admission& admission, std::optional<Refusal>& refusal, bool may_block);
  void roll_back(Admission& admission);
  // Gives `units` of `hold` back (or, negative, charges them), without blocking.
  void release(const Hold& hold, int64_t units);
  Refusal refusal_for(const Hold& hold, const Grant& grant, const RateFigures& rate) const;

  QuotaState& state_;
  QuotaState& fallback_;
  QuotaLeases* leases_;
  SpentLookup spent_;
  WallMs wall_;
  bool fail_closed_;
  mutable std::atomic<uint64_t> refused_rate_{0}, refused_budget_{0}, over_soft_{0}, unavailable_{0}, refused_state_{0};
  std::atomic<int64_t> last_warned_{0};  // wall ms of the last "state unreachable" log line (one per 10 s)
};

}  // namespace switchyard
