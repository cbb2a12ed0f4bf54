#include "pipeline/dossier/calendar.h"

#include <fstream>

#include <gtest/gtest.h>

#include "pipeline/error.h"

namespace intake {
namespace {

const WorkingCalendar& shipped() {
  static const WorkingCalendar c = WorkingCalendar::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "configs/calendar.yaml");
  return c;
}

std::string due(const std::string& received, int days) {
  const auto d = shipped().due_date(received, days);
  if (const auto* gap = std::get_if<CalendarGap>(&d)) return "gap " + std::to_string(gap->year);
  return format_date(std::get<Date>(d));
}

std::filesystem::path write(const std::string& name, const std::string& yaml) {
  const auto path = std::filesystem::temp_directory_path() / ("intake-calendar-" + name + ".yaml");
  std::ofstream(path) << yaml;
  return path;
}

}  // namespace

TEST(Calendar, Tet2026AndTheThreeOClockCutOff) {
  // Friday 13 Feb 2026, the last working day before the Tết break (14-22 Feb).
  EXPECT_EQ(due("2026-02-13T14:59:00+07:00", 1), "2026-02-23");  // R = 13 Feb
  EXPECT_EQ(due("2026-02-13T15:00:00+07:00", 1), "2026-02-24");  // R = 23 Feb
  EXPECT_EQ(due("2026-02-13T09:30:00+07:00", 5), "2026-02-27");
  EXPECT_EQ(due("2026-02-17T10:00:00+07:00", 1), "2026-02-24");  // received during the break
}

TEST(Calendar, WeekendsAndTheAprilMayHolidays) {
  EXPECT_EQ(due("2026-11-28T10:00:00+07:00", 1), "2026-12-01");  // Saturday: R = Monday 30 Nov
  EXPECT_EQ(due("2026-11-27T10:00:00+07:00", 1), "2026-11-30");  // Friday morning
  // Wed 29 Apr: Thu 30 Apr and Fri 1 May are holidays, then the weekend.
  EXPECT_EQ(due("2026-04-29T08:00:00+07:00", 1), "2026-05-04");
  EXPECT_EQ(due("2026-04-24T08:00:00+07:00", 1), "2026-04-28");  // Mon 27 Apr: Hùng Kings, observed
  EXPECT_EQ(due("2026-08-31T08:00:00+07:00", 1), "2026-09-03");  // 1-2 Sep: National Day
  EXPECT_EQ(due("2026-12-31T08:00:00+07:00", 1), "2027-01-04");  // 1 Jan 2027, then the weekend
}

TEST(Calendar, AYearNotPublishedIsAGapNotAGuess) {
  EXPECT_EQ(due("2028-03-01T08:00:00+07:00", 1), "gap 2028");
  EXPECT_EQ(due("2027-01-28T08:00:00+07:00", 5), "gap 2027");  // 2027 is published to 31 Jan only
  EXPECT_EQ(due("2025-12-31T08:00:00+07:00", 1), "gap 2025");
}

TEST(Calendar, MakeUpWorkingDaysCountAndThePauseIsMeasuredInWorkingDays) {
  const auto c = WorkingCalendar::load(write("makeup", R"(cutoff: "16:00"
years:
  2026:
    holidays: [2026-01-02]
    working_days: [2026-01-10]
)"));
  EXPECT_EQ(std::get<bool>(c.is_working_day(*parse_date("2026-01-10"))), true);   // a Saturday worked
  EXPECT_EQ(std::get<bool>(c.is_working_day(*parse_date("2026-01-02"))), false);  // a Friday off
  const auto d = c.due_date("2026-01-09T15:30", 1);  // before this calendar's 16:00 cut-off
  EXPECT_EQ(format_date(std::get<Date>(d)), "2026-01-10");
  EXPECT_EQ(std::get<int>(c.working_days_between(*parse_date("2026-01-01"), *parse_date("2026-01-12"))), 7);  // 5-9, 10, 12 Jan
}

TEST(Calendar, ABadFileNamesTheKey) {
  auto error_of = [](const std::string& yaml) {
    try {
      WorkingCalendar::load(write("bad", yaml));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("years:\n  2026:\n    holidays: [2026-02-30]\n").find("years.2026.holidays[0]"), std::string::npos);
  EXPECT_NE(error_of("years:\n  2026:\n    holidays: [2027-01-01]\n").find("is not in 2026"), std::string::npos);
  EXPECT_NE(error_of("years:\n  2026:\n    holiday: []\n").find("years.2026.holiday"), std::string::npos);
  EXPECT_NE(error_of("cutoff: 25:00\n").find("cutoff"), std::string::npos);
  // Keys and the cut-off must be plain scalars (fuzz_calendar: a list escaped as YAML::BadConversion).
  EXPECT_NE(error_of("[a]: 1\n").find("(top)"), std::string::npos);
  EXPECT_NE(error_of("cutoff: [15, 0]\n").find("'cutoff' must be HH:MM"), std::string::npos);
  EXPECT_NE(error_of("years:\n  2026:\n    {a: b}: []\n").find("years.2026"), std::string::npos);
  EXPECT_EQ(parse_date("2026-02-29"), std::nullopt);
}

}  // namespace intake
