#include "core/calendar.h"

#include <gtest/gtest.h>

using namespace switchyard;

namespace {
constexpr int64_t kNow = 1'780'000'000'000;  // 2026-05-28T20:26:40Z
}  // namespace

TEST(Calendar, ReadsAndWritesDaysAndWholeDayWindows) {
  ASSERT_TRUE(parse_day("2026-11-24"));
  EXPECT_EQ(day_text(*parse_day("2026-11-24")), "2026-11-24");
  EXPECT_EQ(*parse_day("1970-01-02"), 1);
  for (const char* bad : {"2026-02-30", "2026-13-01", "2026-1-01", "yesterday", "2026-11-24x", ""})
    EXPECT_FALSE(parse_day(bad)) << bad;

  auto window = std::get<DayWindow>(day_window("2026-11-01", "2026-11-02"));
  EXPECT_EQ(window.end_ms - window.start_ms, 2 * kDayMs) << "both days are inside";
  EXPECT_EQ(window.start_ms, *parse_day("2026-11-01") * kDayMs);
  auto defaulted = std::get<DayWindow>(day_window("", ""));
  EXPECT_EQ(defaulted.last_day, today());
  EXPECT_EQ(defaulted.first_day, today() - 30);
  EXPECT_EQ(std::get<WindowProblem>(day_window("2026-11-03", "2026-11-02")), WindowProblem::reversed);
  EXPECT_EQ(std::get<WindowProblem>(day_window("soon", "2026-11-02")), WindowProblem::bad_from);
  EXPECT_EQ(std::get<WindowProblem>(day_window("", "later")), WindowProblem::bad_to);
}

TEST(Calendar, IsoTimesBothWays) {
  EXPECT_EQ(iso_time_of(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_time_of(kNow), "2026-05-28T20:26:40Z");
  EXPECT_EQ(iso_time_of(kNow + 999), "2026-05-28T20:26:40Z") << "whole seconds";
  EXPECT_EQ(unix_ms_of("2026-05-28T20:26:40Z"), kNow);
  EXPECT_EQ(unix_ms_of(iso_time_of(kNow)), kNow);
  EXPECT_EQ(unix_ms_of("2026-05-28"), kNow - (20 * 3600 + 26 * 60 + 40) * 1000LL);
  EXPECT_EQ(unix_ms_of("2026-05-28T20:26:40.5Z"), kNow + 500);
  EXPECT_EQ(unix_ms_of("2026-05-28T20:26:40.123456Z"), kNow + 123);
  EXPECT_EQ(unix_ms_of("2028-02-29T23:59:59Z"), *parse_day("2028-03-01") * kDayMs - 1000);
  EXPECT_EQ(unix_ms_of("2026-05-28T21:26:40+01:00"), kNow) << "an offset east of UTC";
  EXPECT_EQ(unix_ms_of("2026-05-28T15:56:40.250-04:30"), kNow + 250) << "west, with a fraction";
  EXPECT_EQ(unix_ms_of("2026-05-28T20:26:40.000000001Z"), kNow) << "nine digits of fraction";
  EXPECT_FALSE(unix_ms_of("2026-05-28T20:26:40.0000000001Z")) << "ten are too many";
  for (const char* bad :
       {"", "2026", "2026-02-30", "2026-05-28T20:26:40", "2026-05-28 20:26:40Z", "2026-05-28T24:00:00Z",
        "2026-05-28T20:60:00Z", "2026-05-28T20:26:60Z", "2026-05-28T2a:26:40Z", "2026-05-28T-1:26:40Z",
        "2026-05-28T20:26:40+1:00", "2026-05-28T20:26:40+24:00", "2026-05-28T20:26:40xZ", "2026-05-28T20:26:40.Z",
        "2026-05-28T20:26:40.12aZ", "2026-05-28T20:26:40 Z", "2026-05-28T20:26:40Zjunk"})
    EXPECT_FALSE(unix_ms_of(bad)) << bad;
}
