#include "pipeline/dossier/calendar.h"

#include <cstdio>
#include <regex>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "pipeline/config.h"
#include "pipeline/error.h"

namespace intake {
namespace {

using namespace std::chrono;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key, const std::string& what) {
  throw ConfigError(file.string() + ": '" + key + "' " + what);
}

// A key or value that must be a plain scalar (a list or a mapping as a key is legal YAML).
std::string scalar(const YAML::Node& node, const std::filesystem::path& file, const std::string& key,
                   const std::string& what) {
  if (!node || !node.IsScalar()) fail(file, key, what);
  return node.Scalar();
}

Date date_at(const YAML::Node& node, const std::filesystem::path& file, const std::string& key) {
  if (!node || !node.IsScalar()) fail(file, key, "must be a date YYYY-MM-DD");
  auto d = parse_date(node.as<std::string>());
  if (!d) fail(file, key, "is not a valid date YYYY-MM-DD: '" + node.as<std::string>() + "'");
  return *d;
}

bool weekend(const Date& d) {
  const weekday w{sys_days(d)};
  return w == Saturday || w == Sunday;
}

}  // namespace

WorkingCalendar WorkingCalendar::load(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file, "calendar file");
  WorkingCalendar c;
  if (!root.IsMap()) fail(file, "(top)", "must be a mapping");
  for (const auto& kv : root) {
    const auto key = scalar(kv.first, file, "(top)", "has a key that is not a plain name");
    if (key == "cutoff") {
      static const std::regex hm(R"((\d{1,2}):(\d{2}))");
      std::smatch m;
      const auto v = scalar(kv.second, file, "cutoff", "must be HH:MM");
      if (!std::regex_match(v, m, hm) || std::stoi(m[1]) > 23 || std::stoi(m[2]) > 59)
        fail(file, "cutoff", "must be HH:MM");
      c.cutoff_minutes_ = std::stoi(m[1]) * 60 + std::stoi(m[2]);
    } else if (key == "years") {
      if (!kv.second.IsMap()) fail(file, "years", "must be a mapping of year -> holidays/working_days");
      for (const auto& y : kv.second) {
        const std::string ykey = "years." + scalar(y.first, file, "years", "has a key that is not a year");
        int number = 0;
        try {
          number = y.first.as<int>();
        } catch (const YAML::Exception&) {
          fail(file, ykey, "is not a year");
        }
        if (number < 2000 || number > 2100) fail(file, ykey, "is not a plausible year");
        if (!y.second.IsMap()) fail(file, ykey, "must be a mapping");
        Year year;
        year.complete_until = Date{std::chrono::year{number}, December, day{31}};
        for (const auto& item : y.second) {
          const auto field = scalar(item.first, file, ykey, "has a key that is not a plain name");
          const std::string fkey = ykey + "." + field;
          if (field == "complete_until") {
            year.complete_until = date_at(item.second, file, fkey);
          } else if (field == "holidays" || field == "working_days") {
            if (!item.second.IsSequence()) fail(file, fkey, "must be a list");
            for (std::size_t i = 0; i < item.second.size(); ++i) {
              const auto& e = item.second[i];
              const std::string ekey = fkey + "[" + std::to_string(i) + "]";
              Date from, to;
              if (e.IsMap() && e["from"]) {
                from = date_at(e["from"], file, ekey + ".from");
                to = date_at(e["to"], file, ekey + ".to");
              } else {
                from = to = date_at(e.IsMap() ? e["date"] : e, file, ekey + (e.IsMap() ? ".date" : ""));
              }
              if (sys_days(to) < sys_days(from)) fail(file, ekey, "ends before it starts");
              for (auto d = sys_days(from); d <= sys_days(to); d += days{1}) {
                const Date date{d};
                if (static_cast<int>(date.year()) != number) fail(file, ekey, "is not in " + std::to_string(number));
                (field == "holidays" ? year.holidays : year.working_days).insert(date);
              }
            }
          } else {
            fail(file, fkey, "is not a known key (holidays, working_days, complete_until)");
          }
        }
        c.years_[number] = std::move(year);
      }
    } else {
      fail(file, key, "is not a known key (cutoff, years)");
    }
  }
  return c;
}

std::variant<bool, CalendarGap> WorkingCalendar::is_working_day(const Date& d) const {
  const int y = static_cast<int>(d.year());
  const auto it = years_.find(y);
  if (it == years_.end() || sys_days(d) > sys_days(it->second.complete_until)) return CalendarGap{y};
  if (it->second.working_days.count(d)) return true;
  if (it->second.holidays.count(d)) return false;
  return !weekend(d);
}

std::variant<Date, CalendarGap> WorkingCalendar::add_working_days(const Date& from, int working_days) const {
  auto d = sys_days(from);
  for (int counted = 0; counted < working_days;) {
    d += days{1};
    const auto w = is_working_day(Date{d});
    if (auto* gap = std::get_if<CalendarGap>(&w)) return *gap;
    if (std::get<bool>(w)) ++counted;
  }
  return Date{d};
}

std::variant<Date, CalendarGap> WorkingCalendar::due_date(const std::string& received_at, int working_days) const {
  // A local time, or a day alone (midnight).
  const auto when = LocalTime::parse(received_at);
  const auto day_part = when ? std::optional(when->date) : parse_date(received_at);
  const int minutes = when ? when->minutes_of_day() : 0;
  if (!day_part) throw std::invalid_argument("received_at is not a date: '" + received_at + "'");
  // R: the received day if it is a working day before the cut-off, else the next working day.
  Date r = *day_part;
  const auto w = is_working_day(r);
  if (auto* gap = std::get_if<CalendarGap>(&w)) return *gap;
  if (!std::get<bool>(w) || minutes >= cutoff_minutes_) {
    const auto next = add_working_days(r, 1);
    if (auto* gap = std::get_if<CalendarGap>(&next)) return *gap;
    r = std::get<Date>(next);
  }
  return add_working_days(r, working_days);
}

std::variant<int, CalendarGap> WorkingCalendar::working_days_between(const Date& from, const Date& to) const {
  int n = 0;
  for (auto d = sys_days(from) + days{1}; d <= sys_days(to); d += days{1}) {
    const auto w = is_working_day(Date{d});
    if (auto* gap = std::get_if<CalendarGap>(&w)) return *gap;
    if (std::get<bool>(w)) ++n;
  }
  return n;
}

WorkingCalendar load_calendar(const std::filesystem::path& configured) {
  std::error_code ec;
  if (std::filesystem::exists(configured, ec)) return WorkingCalendar::load(configured);
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (const auto& shipped :
       {exe_dir.parent_path() / "configs/calendar.yaml", exe_dir.parent_path() / "share/intake/configs/calendar.yaml"})
    if (std::filesystem::exists(shipped, ec)) {
      spdlog::info("calendar: {} not found, using the shipped {}", configured.string(), shipped.string());
      return WorkingCalendar::load(shipped);
    }
  throw ConfigError(configured.string() + ": cannot open calendar file (config key 'calendar')");
}

}  // namespace intake
