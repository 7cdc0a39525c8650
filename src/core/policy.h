#pragma once
// What governance enforces, as configured in the YAML file and through the admin API: rate
// limits, USD budgets, and which models and providers a key may use. Plain values; the rules
// that apply them are in governance/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace switchyard {

// Per-minute and concurrency caps; 0 means no cap.
struct Limits {
  int64_t rpm = 0;         // requests a minute
  int64_t tpm = 0;         // input + output tokens a minute
  int64_t input_tpm = 0;   // input tokens a minute
  int64_t output_tpm = 0;  // output tokens a minute
  int64_t concurrent = 0;  // requests in flight at once
  bool any() const { return rpm || tpm || input_tpm || output_tpm || concurrent; }
  bool operator==(const Limits&) const = default;
};

enum class BudgetPeriod { day, week, month };
const char* to_string(BudgetPeriod period);
std::optional<BudgetPeriod> budget_period_of(std::string_view text);

// A USD budget per period (UTC). Hard: a request that would exceed it is refused; soft: it is
// served and flagged (answer header, log, /metrics). Exact: every request settles with the shared
// state before it goes upstream (one round trip), instead of drawing on a replica's lease.
struct Budget {
  double usd = 0;
  BudgetPeriod period = BudgetPeriod::month;
  bool hard = true;
  bool exact = false;
  bool operator==(const Budget&) const = default;
};

// Who may do what with a key or a team, and at what rate and cost.
struct AccessPolicy {
  Limits limits;
  std::optional<Budget> budget;
  std::vector<std::string> models;     // non-empty: only these model ids (or aliases) may be asked for
  std::vector<std::string> providers;  // non-empty: only routes to these providers are tried
  bool operator==(const AccessPolicy&) const = default;
};

// A team: its analytics segment, its own caps, and the caps each of its users gets.
struct TeamPolicy {
  std::string name;
  std::string segment;
  AccessPolicy access;
  Limits user_limits;                 // per user of the team (the request's `user`)
  std::optional<Budget> user_budget;  // per user of the team
  int64_t updated_ms = 0;
  bool operator==(const TeamPolicy&) const = default;
};

// Readers shared by the YAML file and the admin API (both hand JSON): each fills `out` from
// `value` and returns nullopt, or says what is wrong, naming the field under `path`.
//   limits: {rpm, tpm, input_tpm, output_tpm, concurrent}   (whole numbers >= 0)
//   budget: {usd, period: day|week|month, mode: hard|soft, exact: bool}
std::optional<std::string> read_limits(const boost::json::value& value, std::string_view path, Limits& out);
std::optional<std::string> read_budget(const boost::json::value& value, std::string_view path, Budget& out);
boost::json::object limits_json(const Limits& limits);
boost::json::object budget_json(const Budget& budget);

}  // namespace switchyard
