// Lifecycle: the states a dossier goes through after it is committed, which changes are legal,
// and what a change does to the legal clock.
//
//   received -> assigned -> in_progress -> resolved -> returned
//   received | assigned | in_progress -> waiting_supplement -> in_progress
//
// While a dossier waits for a supplement from the citizen its clock is paused: when it leaves
// waiting_supplement, the due date moves by the working days the pause covered (the day it
// started not counted, the day it ended counted). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/record.h"
#include "pipeline/error.h"

namespace intake {

inline constexpr std::string_view kStates[] = {"received",          "assigned", "in_progress",
                                               "waiting_supplement", "resolved", "returned"};

bool is_state(std::string_view s);
std::vector<std::string> next_states(std::string_view from);

struct StateChange {
  std::string from, to;
  std::string at;     // ISO 8601 with offset
  std::string actor;
  std::string note;
  std::optional<std::string> due_date;  // the due date after the change
};

using Refusal = Error;  // a change the rules do not allow, with why

// The change of `record` (state `current`, last change at `last_at`, the supplement wait began
// at `pause_started` when waiting) to `to` at `at`: the change as it will be stored, with the
// record's new due date, or why it is refused.
Result<StateChange> plan_change(const DossierRecord& record, const std::string& current, const std::string& last_at,
                                const std::string& pause_started, const std::string& to, const std::string& at,
                                const std::string& actor, const std::string& note, const WorkingCalendar& calendar);

}  // namespace intake
