#include "pipeline/dossier/report.h"

#include <gtest/gtest.h>

#include "pipeline/dossier/dispatch.h"

namespace intake {
namespace {

const WorkingCalendar& calendar() {
  static const WorkingCalendar c =
      WorkingCalendar::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "configs/calendar.yaml");
  return c;
}

DossierFacts dossier(const std::string& code, const std::string& channel, const std::string& received,
                     std::optional<std::string> due, std::optional<std::string> resolved = std::nullopt) {
  return {code, resolved ? "resolved" : "in_progress", channel, "birth_registration", "Đăng ký khai sinh", "office",
          received, due, resolved, std::nullopt};
}

}  // namespace

TEST(Report, ResolvedDossiersAreEarlyOnTimeOrLateAgainstTheirDueDate) {
  const std::vector<DossierFacts> facts = {
      dossier("A", "electronic", "2026-02-02T08:00:00+07:00", "2026-02-03", "2026-02-02T16:00:00+07:00"),  // early
      dossier("B", "electronic", "2026-02-02T08:00:00+07:00", "2026-02-03", "2026-02-03T16:59:00+07:00"),  // on time
      dossier("C", "postal", "2026-02-02T08:00:00+07:00", "2026-02-03", "2026-02-04T08:00:00+07:00"),      // late
      dossier("D", "counter", "2026-02-02T08:00:00+07:00", std::nullopt, "2026-02-04T08:00:00+07:00"),
      dossier("E", "postal", "2026-01-30T08:00:00+07:00", "2026-02-02", "2026-02-02T08:00:00+07:00"),  // received before
  };
  const Report r = make_report(facts, {}, {"2026-02-01", "2026-02-28", "2026-02-28", 2}, calendar());
  EXPECT_EQ(r.received, 4);
  EXPECT_EQ(r.by_channel.at("electronic").n, 2);
  EXPECT_DOUBLE_EQ(r.by_channel.at("electronic").share, 0.5);
  EXPECT_EQ(r.resolved, 5);
  EXPECT_EQ(r.early, 1);
  EXPECT_EQ(r.on_time, 2);
  EXPECT_EQ(r.late, 1);
  EXPECT_EQ(r.without_due_date, 1);
  EXPECT_DOUBLE_EQ(r.on_time_rate, 0.75);
}

TEST(Report, OpenDossiersAreOverdueOrAtRiskOnTheWorkingCalendar) {
  // As of Friday 13 Feb 2026: the next two working days are 23 and 24 Feb (Tết in between).
  const std::vector<DossierFacts> facts = {
      dossier("late", "postal", "2026-02-09T08:00:00+07:00", "2026-02-12"),
      dossier("due-24", "postal", "2026-02-10T08:00:00+07:00", "2026-02-24"),
      dossier("due-13", "postal", "2026-02-10T08:00:00+07:00", "2026-02-13"),
      dossier("due-25", "postal", "2026-02-10T08:00:00+07:00", "2026-02-25"),
      dossier("done", "postal", "2026-02-10T08:00:00+07:00", "2026-02-12", "2026-02-11T08:00:00+07:00"),
      dossier("later", "postal", "2026-02-14T08:00:00+07:00", "2026-02-23"),  // received after as_of
  };
  const Report r = make_report(facts, {{"due-24", "linked", "2026-02-13T10:00:00+07:00"}, {"", "flagged", "2026-02-13T10:00:00+07:00"}},
                               {"2026-02-01", "2026-02-28", "2026-02-13", 2}, calendar());
  EXPECT_EQ(r.open, 4);
  ASSERT_EQ(r.overdue.size(), 1u);
  EXPECT_EQ(r.overdue[0].code, "late");
  ASSERT_EQ(r.at_risk.size(), 2u);
  EXPECT_EQ(r.at_risk[0].code, "due-13");
  EXPECT_EQ(r.at_risk[1].code, "due-24");
  EXPECT_EQ(r.returns_dispatched, 1);
  EXPECT_EQ(r.dispatches_flagged, 1);
}

TEST(Dispatch, CodesComeFromBarCodesAndTextOnlyGivesACandidate) {
  EXPECT_TRUE(is_dossier_code("000.00.00.H38-260213-0001"));
  EXPECT_FALSE(is_dossier_code("000.00.00.H38-260213-001"));
  EXPECT_FALSE(is_dossier_code("EE123456785VN"));
  std::vector<DossierRecord> groups(2);
  groups[0].tracking_number = "RR202600011VN";
  groups[0].tracking_valid = true;
  groups[0].pages = {{.number = 1, .barcodes = {{"Code128", "RR202600011VN"}}},
                     {.number = 2,
                      .barcodes = {{"QRCode", "000.00.00.H38-260213-0001"}},
                      .text = "Mã hồ sơ: 000.00.00.H38-260213-0007"}};
  groups[1].pages = {{.number = 3, .text = "Mã hồ sơ: 000.00.00.H38-260213-0002"}};
  const auto d = plan_dispatches(groups, "d1", "2026-02-23T10:00:00+07:00");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]["dossier_code"], "000.00.00.H38-260213-0001");  // the bar code wins over the text
  EXPECT_EQ(d[0]["code_source"], "barcode");
  EXPECT_EQ(d[0]["pages"], nlohmann::json::parse("[1, 2]"));
  EXPECT_EQ(d[1]["dossier_code"], "000.00.00.H38-260213-0002");
  EXPECT_EQ(d[1]["code_source"], "text");
}

}  // namespace intake
