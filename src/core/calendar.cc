#include "core/calendar.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <charconv>
#include <chrono>

namespace switchyard {

std::optional<int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto number = [&](std::size_t at, std::size_t length, auto& out) {
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + length, out);
    return ec == std::errc() && end == text.data() + at + length;
  };
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date).time_since_epoch().count();
}

int64_t today() {
  using namespace std::chrono;
  return floor<days>(system_clock::now()).time_since_epoch().count();
}

std::string day_text(int64_t day) {
  return fmt::format("{:%Y-%m-%d}", std::chrono::sys_seconds(std::chrono::sys_days(std::chrono::days(day))));
}

std::variant<DayWindow, WindowProblem> day_window(std::string_view from, std::string_view to) {
  auto last = to.empty() ? std::optional<int64_t>(today()) : parse_day(to);
  if (!last) return WindowProblem::bad_to;
  auto first = from.empty() ? std::optional<int64_t>(*last - 30) : parse_day(from);
  if (!first) return WindowProblem::bad_from;
  if (*first > *last) return WindowProblem::reversed;
  return DayWindow{*first * kDayMs, (*last + 1) * kDayMs, *first, *last};
}

}  // namespace switchyard
