#include "core/calendar.h"

#include <gtest/gtest.h>

using namespace switchyard;

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
