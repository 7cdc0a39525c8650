#include "core/calendar.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <cctype>
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

std::string iso_time_of(int64_t unix_ms) {
  const int64_t seconds = unix_ms / 1000, in_day = ((seconds % 86400) + 86400) % 86400;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", day_text((seconds - in_day) / 86400), in_day / 3600, in_day / 60 % 60,
                     in_day % 60);
}

namespace {

// Two digits at `at`, or nullopt.
std::optional<int> two_digits(std::string_view text, std::size_t at) {
  if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
      !std::isdigit(static_cast<unsigned char>(text[at + 1])))
    return std::nullopt;
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

// The offset from UTC in ms of a zone designator: "Z", "+HH:MM" or "-HH:MM".
std::optional<int64_t> zone_offset_ms(std::string_view zone) {
  if (zone == "Z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  auto h = two_digits(zone, 1), m = two_digits(zone, 4);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  const int64_t ms = (*h * 60 + *m) * 60'000LL;
  return zone[0] == '+' ? ms : -ms;
}

}  // namespace

std::optional<int64_t> unix_ms_of(std::string_view iso) {
  auto day = parse_day(iso.substr(0, 10));
  if (!day) return std::nullopt;
  if (iso.size() == 10) return *day * kDayMs;
  // THH:MM:SS, then an optional fraction of 1 to 9 digits, then the zone.
  if (iso.size() < 20 || iso[10] != 'T' || iso[13] != ':' || iso[16] != ':') return std::nullopt;
  auto h = two_digits(iso, 11), m = two_digits(iso, 14), s = two_digits(iso, 17);
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 59) return std::nullopt;
  std::size_t at = 19;
  int64_t ms = 0;
  if (iso[at] == '.') {
    std::size_t digits = 0;
    for (++at; at < iso.size() && std::isdigit(static_cast<unsigned char>(iso[at])); ++at, ++digits)
      if (digits < 3) ms += static_cast<int64_t>(iso[at] - '0') * (digits == 0 ? 100 : digits == 1 ? 10 : 1);
    if (digits == 0 || digits > 9) return std::nullopt;
  }
  auto offset = zone_offset_ms(iso.substr(at));
  if (!offset) return std::nullopt;
  return *day * kDayMs + ((*h * 60 + *m) * 60 + *s) * 1000LL + ms - *offset;
}

}  // namespace switchyard
