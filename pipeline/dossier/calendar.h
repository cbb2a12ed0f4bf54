// WorkingCalendar: Vietnam's working days, as an administrator publishes them each year, and the
// legal due date of a dossier.
//
// The calendar is data (configs/calendar.yaml): per year, the public holidays (weekdays off) and
// the make-up working days (weekend days worked); Saturday and Sunday are days off otherwise. A
// year may be published only in part (`complete_until`). A date the calendar does not cover is
// never guessed: the answer says which year is missing.
//
// Due date rule (Decree 61/2018, as the centre applies it): the effective receipt day R is the
// received date when it is a working day and the time is before the cut-off (15:00), otherwise
// the next working day; the due date is the N-th working day after R (R not counted).
// Immutable after load; thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "pipeline/dossier/local_time.h"

namespace intake {

struct CalendarGap {
  int year = 0;  // the year (or the part of it) the calendar does not cover
};

class WorkingCalendar {
 public:
  // Throws ConfigError naming the file and the key.
  static WorkingCalendar load(const std::filesystem::path& file);

  // Whether `d` is a working day; a gap when the calendar does not cover it.
  std::variant<bool, CalendarGap> is_working_day(const Date& d) const;

  // The due date for a dossier received at `received_at` ("YYYY-MM-DDTHH:MM[:SS]..." local time,
  // Asia/Ho_Chi_Minh) with `working_days` to resolve it.
  std::variant<Date, CalendarGap> due_date(const std::string& received_at, int working_days) const;
  // The date `working_days` working days after `from` (from not counted).
  std::variant<Date, CalendarGap> add_working_days(const Date& from, int working_days) const;
  // Working days in (from, to]: how far a paused clock moves a due date.
  std::variant<int, CalendarGap> working_days_between(const Date& from, const Date& to) const;

  int cutoff_minutes() const { return cutoff_minutes_; }

 private:
  struct Year {
    std::set<Date> holidays;
    std::set<Date> working_days;
    Date complete_until;
  };
  std::map<int, Year> years_;
  int cutoff_minutes_ = 15 * 60;
};

// The working-day calendar at `configured` (a config's `calendar`, resolved), else, for a config
// kept elsewhere, the one shipped beside this program (configs/calendar.yaml). Throws
// ConfigError when there is none.
WorkingCalendar load_calendar(const std::filesystem::path& configured);

}  // namespace intake
