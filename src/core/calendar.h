#pragma once
// UTC days as the APIs, the CLI and the price table write them (YYYY-MM-DD), and the windows of
// whole days that reports and insights read.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard {

inline constexpr int64_t kDayMs = 86'400'000;

// Days since 1970-01-01 from YYYY-MM-DD; nullopt when malformed or not a real date.
std::optional<int64_t> parse_day(std::string_view text);
// Today, in days since 1970-01-01 (UTC).
int64_t today();
// YYYY-MM-DD of a day number.
std::string day_text(int64_t day);

// "2026-12-02T10:00:00Z" (whole seconds, UTC) from Unix ms.
std::string iso_time_of(int64_t unix_ms);
// Unix ms from "YYYY-MM-DD" (its midnight, UTC) or "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)";
// nullopt when malformed or not a real time.
std::optional<int64_t> unix_ms_of(std::string_view iso);

// [start, end) in Unix ms for the days `from` to `to`, both inclusive; an empty `to` is today,
// an empty `from` 30 days before `to`.
struct DayWindow {
  int64_t start_ms = 0, end_ms = 0;
  int64_t first_day = 0, last_day = 0;
  bool has_day(int64_t day) const { return day >= first_day && day <= last_day; }
  bool has_hour(int64_t hour) const { return has_day(hour >= 0 ? hour / 24 : (hour - 23) / 24); }
  static DayWindow always() {
    return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
            std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
};
enum class WindowProblem { bad_from, bad_to, reversed };
std::variant<DayWindow, WindowProblem> day_window(std::string_view from, std::string_view to);

}  // namespace switchyard
