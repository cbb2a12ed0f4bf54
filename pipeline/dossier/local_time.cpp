#include "pipeline/dossier/local_time.h"

#include <cstdio>
#include <ctime>

namespace intake {
namespace {

// Reads exactly n digits at s[pos]; -1 when they are not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<Date> parse_date(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  const int y = digits(iso, 0, 4), m = digits(iso, 5, 2), d = digits(iso, 8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::optional<LocalTime> LocalTime::parse(std::string_view s) {
  if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return std::nullopt;
  const auto date = parse_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  LocalTime t;
  t.date = *date;
  t.hour = digits(s, 11, 2);
  t.minute = digits(s, 14, 2);
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    t.second = digits(s, pos + 1, 2);
    pos += 3;
  }
  if (pos < s.size()) {
    if (s.substr(pos) != "+07:00") return std::nullopt;
    pos += 6;
  }
  if (pos != s.size() || t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 59)
    return std::nullopt;
  return t;
}

LocalTime LocalTime::at(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when + std::chrono::hours(7));
  std::tm tm{};
  gmtime_r(&t, &tm);
  LocalTime out;
  out.date = Date{std::chrono::year{tm.tm_year + 1900}, std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)},
                  std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
  out.hour = tm.tm_hour;
  out.minute = tm.tm_min;
  out.second = tm.tm_sec;
  return out;
}

std::string LocalTime::iso() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+07:00", format_date(date).c_str(), hour, minute, second);
  return buf;
}

std::string LocalTime::yymmdd() const {
  const std::string d = format_date(date);  // YYYY-MM-DD
  return d.substr(2, 2) + d.substr(5, 2) + d.substr(8, 2);
}

}  // namespace intake
