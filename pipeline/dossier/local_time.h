// LocalTime: a moment on the clock of Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving),
// the time every dossier, due date and report of intake is in. Parsed once, from the one form
// intake writes ("2026-11-27T09:30:00+07:00") and the forms people type ("2026-11-27 09:30",
// seconds and offset optional); written back in the first form, which orders as text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace intake {

using Date = std::chrono::year_month_day;

// "2026-02-13" -> Date; nothing when malformed or not a real date.
std::optional<Date> parse_date(std::string_view iso);
std::string format_date(const Date& d);  // "2026-02-13"

struct LocalTime {
  Date date{};
  int hour = 0, minute = 0, second = 0;

  // "YYYY-MM-DD[T ]HH:MM[:SS][+07:00]": nothing when malformed, not a real date or time, or at
  // another offset.
  static std::optional<LocalTime> parse(std::string_view text);
  static LocalTime at(std::chrono::system_clock::time_point t);
  static LocalTime now() { return at(std::chrono::system_clock::now()); }

  std::string iso() const;     // "2026-11-27T09:30:00+07:00"
  std::string yymmdd() const;  // "261127", as in dossier codes
  int minutes_of_day() const { return hour * 60 + minute; }
  bool operator==(const LocalTime&) const = default;
};

}  // namespace intake
