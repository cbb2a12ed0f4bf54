#include "pipeline/dossier/lifecycle.h"

#include <gtest/gtest.h>

namespace intake {
namespace {

const WorkingCalendar& calendar() {
  static const WorkingCalendar c =
      WorkingCalendar::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "configs/calendar.yaml");
  return c;
}

Result<StateChange> change(const std::string& current, const std::string& to, const std::string& at,
                           const std::string& pause_started = "") {
  DossierRecord record;
  record.due_date = "2026-02-13";
  return plan_change(record, current, "2026-02-09T08:00:00+07:00", pause_started, to, at, "lan", "", calendar());
}

}  // namespace

TEST(Lifecycle, OnlyTheDrawnPathsAreLegal) {
  EXPECT_EQ(next_states("received"), (std::vector<std::string>{"assigned", "waiting_supplement"}));
  EXPECT_TRUE(next_states("returned").empty());
  const auto refused = change("received", "returned", "2026-02-10T08:00:00+07:00");
  ASSERT_TRUE(std::holds_alternative<Refusal>(refused));
  EXPECT_EQ(std::get<Refusal>(refused).reason,
            "cannot go from received to returned; from received it can go to: assigned, waiting_supplement");
  EXPECT_TRUE(std::holds_alternative<Refusal>(change("resolved", "finished", "2026-02-10T08:00:00+07:00")));
  EXPECT_TRUE(std::holds_alternative<Refusal>(change("received", "assigned", "2026-02-01T08:00:00+07:00")));  // before the last
  const auto ok = change("received", "assigned", "2026-02-10T08:00:00+07:00");
  ASSERT_TRUE(std::holds_alternative<StateChange>(ok));
  EXPECT_EQ(std::get<StateChange>(ok).due_date, "2026-02-13");  // unchanged
}

TEST(Lifecycle, ASupplementWaitMovesTheDueDateByTheWorkingDaysPaused) {
  // Paused Wed 11 Feb, resumed Mon 23 Feb: 12, 13 and 23 Feb are working days (Tết in between).
  const auto resumed = change("waiting_supplement", "in_progress", "2026-02-23T10:00:00+07:00", "2026-02-11T09:00:00+07:00");
  ASSERT_TRUE(std::holds_alternative<StateChange>(resumed));
  EXPECT_EQ(std::get<StateChange>(resumed).due_date, "2026-02-25");  // 13 Feb + 3 working days: 23, 24, 25
  const auto same_day = change("waiting_supplement", "in_progress", "2026-02-11T16:00:00+07:00", "2026-02-11T09:00:00+07:00");
  EXPECT_EQ(std::get<StateChange>(same_day).due_date, "2026-02-13");
}

}  // namespace intake
