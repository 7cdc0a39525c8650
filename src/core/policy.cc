#include "core/policy.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

namespace switchyard {
namespace {

namespace json = boost::json;

// A whole number >= 0 (a JSON integer, or a double with no fraction).
std::optional<int64_t> whole(const json::value& value) {
  if (value.is_int64() && value.get_int64() >= 0) return value.get_int64();
  if (value.is_uint64() && value.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(value.get_uint64());
  if (value.is_double() && value.get_double() >= 0 && value.get_double() < 9e18 &&
      std::floor(value.get_double()) == value.get_double())
    return static_cast<int64_t>(value.get_double());
  return std::nullopt;
}

std::string unknown_field(std::string_view path, std::string_view name, std::string_view expected) {
  return fmt::format("{}.{}: unknown field (expected one of: {})", path, name, expected);
}

}  // namespace

const char* to_string(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::day: return "day";
    case BudgetPeriod::week: return "week";
    case BudgetPeriod::month: return "month";
  }
  return "month";
}

std::optional<BudgetPeriod> budget_period_of(std::string_view text) {
  if (text == "day") return BudgetPeriod::day;
  if (text == "week") return BudgetPeriod::week;
  if (text == "month") return BudgetPeriod::month;
  return std::nullopt;
}

std::optional<std::string> read_limits(const json::value& value, std::string_view path, Limits& out) {
  const json::object* object = value.if_object();
  if (!object) return fmt::format("{}: must be an object of rpm, tpm, input_tpm, output_tpm, concurrent", path);
  static constexpr std::string_view kFields = "rpm, tpm, input_tpm, output_tpm, concurrent";
  Limits limits;
  for (const auto& [name, field] : *object) {
    int64_t* slot = name == "rpm"          ? &limits.rpm
                    : name == "tpm"        ? &limits.tpm
                    : name == "input_tpm"  ? &limits.input_tpm
                    : name == "output_tpm" ? &limits.output_tpm
                    : name == "concurrent" ? &limits.concurrent
                                           : nullptr;
    if (!slot) return unknown_field(path, name, kFields);
    if (field.is_null()) continue;  // no cap
    auto number = whole(field);
    if (!number) return fmt::format("{}.{}: must be a whole number >= 0 (0: no limit)", path, std::string_view(name));
    *slot = *number;
  }
  out = limits;
  return std::nullopt;
}

std::optional<std::string> read_budget(const json::value& value, std::string_view path, Budget& out) {
  const json::object* object = value.if_object();
  if (!object) return fmt::format("{}: must be an object {{usd, period, mode, exact}}", path);
  Budget budget;
  bool has_usd = false;
  for (const auto& [name, field] : *object) {
    if (name == "usd") {
      if (!field.is_number() || field.to_number<double>() < 0 || !std::isfinite(field.to_number<double>()))
        return fmt::format("{}.usd: must be a number >= 0", path);
      budget.usd = field.to_number<double>();
      has_usd = true;
    } else if (name == "period") {
      auto period = field.is_string() ? budget_period_of(field.get_string()) : std::nullopt;
      if (!period) return fmt::format("{}.period: must be day, week or month", path);
      budget.period = *period;
    } else if (name == "mode") {
      if (!field.is_string() || (field.get_string() != "hard" && field.get_string() != "soft"))
        return fmt::format("{}.mode: must be hard or soft", path);
      budget.hard = field.get_string() == "hard";
    } else if (name == "exact") {
      if (!field.is_bool()) return fmt::format("{}.exact: must be true or false", path);
      budget.exact = field.get_bool();
    } else {
      return unknown_field(path, name, "usd, period, mode, exact");
    }
  }
  if (!has_usd) return fmt::format("{}.usd: is required", path);
  out = budget;
  return std::nullopt;
}

json::object limits_json(const Limits& limits) {
  json::object out;
  auto put = [&](const char* name, int64_t value) {
    if (value) out[name] = value;
  };
  put("rpm", limits.rpm);
  put("tpm", limits.tpm);
  put("input_tpm", limits.input_tpm);
  put("output_tpm", limits.output_tpm);
  put("concurrent", limits.concurrent);
  return out;
}

json::object budget_json(const Budget& budget) {
  return {{"usd", budget.usd},
          {"period", to_string(budget.period)},
          {"mode", budget.hard ? "hard" : "soft"},
          {"exact", budget.exact}};
}

}  // namespace switchyard
