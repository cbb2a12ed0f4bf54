// The one JSON mapping of intake.dossier/1 and the one local-time type.
#include "pipeline/dossier/record.h"

#include <gtest/gtest.h>

#include "pipeline/dossier/local_time.h"

namespace intake {
namespace {

DossierRecord sample() {
  DossierRecord r;
  r.dossier_code = "000.00.00.H38-261127-0001";
  r.batch_id = "b0123456789abcdef";
  r.received_at = "2026-11-27T09:30:00+07:00";
  r.tracking_number = "EE123456785VN";
  r.tracking_valid = true;
  r.sender = {"Nguyễn Thị Lụa", std::nullopt, "0912345678"};
  r.applicant = {"Nguyễn Thị Lụa", "001190012345", "1990-05-01", "Nữ", std::nullopt, "id_card_qr"};
  r.procedure = {"khai_sinh", "1.001193", "Đăng ký khai sinh", 0.87};
  r.department = "office";
  r.due_date = "2026-12-01";
  r.documents = {{"envelope", {1}}, {"application_form", {2, 3}}};
  PageRecord p;
  p.number = 1;
  p.source_file = "scan_001.png";
  p.type = PageType::envelope;
  p.rotation = 90;
  p.skew_deg = -1.25;
  p.barcodes = {{"Code128", "EE123456785VN"}};
  p.text = "Người gửi: Nguyễn Thị Lụa";
  p.ocr_confidence = 91.5;
  r.pages.push_back(p);
  p.number = 2;
  p.type.reset();  // unreadable
  p.ocr_confidence.reset();
  r.pages.push_back(p);
  r.flag("sender_address_incomplete");
  r.flag("low_ocr_confidence:page=3");
  r.flag("sender_address_incomplete");  // once
  return r;
}

}  // namespace

TEST(Record, JsonMappingRoundTripsEveryField) {
  const DossierRecord r = sample();
  const auto j = to_json(r);
  EXPECT_EQ(j["schema"], "intake.dossier/1");
  EXPECT_EQ(j["review"]["required"], true);
  EXPECT_EQ(j["review"]["reasons"].size(), 2u);
  EXPECT_TRUE(j["sender"]["address"].is_null());
  EXPECT_TRUE(j["pages"][1]["type"].is_null());
  EXPECT_EQ(j["pages"][0]["type"], "envelope");
  EXPECT_EQ(dossier_from_json(j), r);
  EXPECT_EQ(to_json(dossier_from_json(j)), j);
}

TEST(Record, ReviewReasonsKnowTheirPage) {
  const DossierRecord r = sample();
  EXPECT_EQ(r.reasons[1].code(), "low_ocr_confidence");
  EXPECT_EQ(r.reasons[1].page(), 3);
  EXPECT_EQ(r.reasons[0].page(), std::nullopt);
  EXPECT_EQ(ReviewReason{"missing_document:id_card"}.code(), "missing_document");
  EXPECT_EQ(ReviewReason{"page_unreadable:page=x"}.page(), std::nullopt);
}

TEST(Record, AMalformedDocumentNamesTheField) {
  auto j = to_json(sample());
  j["applicant"]["id_number"] = 1234;
  try {
    dossier_from_json(j);
    ADD_FAILURE() << "a number for an ID was taken";
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("applicant.id_number"), std::string::npos) << e.what();
  }
  j = to_json(sample());
  j["pages"][0]["type"] = "postcard";
  EXPECT_THROW(dossier_from_json(j), RecordError);
  j = to_json(sample());
  j["review"]["required"] = false;
  EXPECT_THROW(dossier_from_json(j), RecordError);
  EXPECT_THROW(dossier_from_json(nlohmann::json::array()), RecordError);
}

TEST(Record, EnumsKeepTodaysStrings) {
  EXPECT_EQ(name_of(PageType::supporting_document), "supporting_document");
  EXPECT_EQ(parse_page_type("id_card"), PageType::id_card);
  EXPECT_EQ(parse_page_type("ID_CARD"), std::nullopt);
  EXPECT_EQ(name_of(DossierState::waiting_supplement), "waiting_supplement");
  EXPECT_EQ(parse_ledger_state("quarantined"), LedgerState::quarantined);
  EXPECT_EQ(name_of(BatchState::committed), "committed");
}

TEST(LocalTime, ParsesWhatPeopleTypeAndWritesOneForm) {
  EXPECT_EQ(LocalTime::parse("2026-11-27T09:30")->iso(), "2026-11-27T09:30:00+07:00");
  EXPECT_EQ(LocalTime::parse("2026-11-27 09:30:05")->iso(), "2026-11-27T09:30:05+07:00");
  EXPECT_EQ(LocalTime::parse("2026-11-27T09:30:00+07:00")->minutes_of_day(), 9 * 60 + 30);
  EXPECT_EQ(LocalTime::parse("2026-02-13T15:00:00+07:00")->yymmdd(), "260213");
  for (const char* bad :
       {"2026-02-30T09:30", "2026-11-27T24:00", "2026-11-27T09:60", "2026-11-27T09:30:00Z", "2026-11-27T09:30:00+00:00",
        "2026-11-27", "27/11/2026 09:30", "2026-11-27T9:30", "2026-11-27T09:30:61", "2026-11-27T09:30:00+07:00x"})
    EXPECT_FALSE(LocalTime::parse(bad)) << bad;
  // The clock of Asia/Ho_Chi_Minh: 17:00 UTC is midnight the next day.
  const auto t = std::chrono::sys_days{std::chrono::year{2026} / 12 / 31} + std::chrono::hours(17);
  EXPECT_EQ(LocalTime::at(t).iso(), "2027-01-01T00:00:00+07:00");
}

}  // namespace intake
