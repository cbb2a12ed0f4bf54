#include "pipeline/dossier/lifecycle.h"

#include <algorithm>
#include <map>

namespace intake {
namespace {

const std::map<std::string, std::vector<std::string>>& transitions() {
  static const std::map<std::string, std::vector<std::string>> t{
      {"received", {"assigned", "waiting_supplement"}},
      {"assigned", {"in_progress", "waiting_supplement"}},
      {"in_progress", {"waiting_supplement", "resolved"}},
      {"waiting_supplement", {"in_progress"}},
      {"resolved", {"returned"}},
      {"returned", {}},
  };
  return t;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none (it is final)" : out;
}

}  // namespace

bool is_state(std::string_view s) { return std::find(std::begin(kStates), std::end(kStates), s) != std::end(kStates); }

std::vector<std::string> next_states(std::string_view from) {
  const auto it = transitions().find(std::string(from));
  return it == transitions().end() ? std::vector<std::string>{} : it->second;
}

Result<StateChange> plan_change(const DossierRecord& record, const std::string& current, const std::string& last_at,
                                const std::string& pause_started, const std::string& to, const std::string& at,
                                const std::string& actor, const std::string& note, const WorkingCalendar& calendar) {
  if (!is_state(to)) {
    std::string all;
    for (auto s : kStates) all += (all.empty() ? "" : ", ") + std::string(s);
    return Refusal{"'" + to + "' is not a state; states: " + all};
  }
  const auto allowed = next_states(current);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end())
    return Refusal{"cannot go from " + current + " to " + to + "; from " + current + " it can go to: " + join(allowed)};
  // ISO 8601 strings with one offset (+07:00) order as text.
  if (!last_at.empty() && at < last_at) return Refusal{"the change is dated " + at + ", before the last one (" + last_at + ")"};
  if (actor.empty()) return Refusal{"a change needs an actor"};

  StateChange change{current, to, at, actor, note, record.due_date};
  if (current == "waiting_supplement" && change.due_date) {
    const auto from = parse_date(pause_started.substr(0, 10));
    const auto until = parse_date(at.substr(0, 10));
    const auto due = parse_date(*change.due_date);
    if (!from || !until || !due) return Refusal{"the pause or the due date is not a valid date"};
    const auto paused = calendar.working_days_between(*from, *until);
    if (const auto* gap = std::get_if<CalendarGap>(&paused))
      return Refusal{"the working-day calendar has no data for " + std::to_string(gap->year) +
                     "; add it to the calendar before resuming the clock"};
    const auto moved = calendar.add_working_days(*due, std::get<int>(paused));
    if (const auto* gap = std::get_if<CalendarGap>(&moved))
      return Refusal{"the working-day calendar has no data for " + std::to_string(gap->year) +
                     "; add it to the calendar before resuming the clock"};
    change.due_date = format_date(std::get<Date>(moved));
  }
  return change;
}

}  // namespace intake
