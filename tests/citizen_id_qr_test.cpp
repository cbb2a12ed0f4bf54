#include "stages/citizen_id_qr.h"

#include <vector>

#include <gtest/gtest.h>

namespace intake {

TEST(CitizenIdQr, ParsesTheSevenFieldForm) {
  auto r = citizen_id::parse("079090001234|301234567|Nguyễn Văn An|15031990|Nam|Số 12, thôn Đông, xã Tân Phú|10082021");
  ASSERT_TRUE(std::holds_alternative<citizen_id::Card>(r)) << std::get<citizen_id::Rejected>(r).reason;
  const auto& c = std::get<citizen_id::Card>(r);
  EXPECT_EQ(c.id_number, "079090001234");
  EXPECT_EQ(c.old_id, "301234567");
  EXPECT_EQ(c.full_name, "Nguyễn Văn An");
  EXPECT_EQ(c.date_of_birth, "1990-03-15");
  EXPECT_EQ(c.sex, "Nam");
  EXPECT_EQ(c.address, "Số 12, thôn Đông, xã Tân Phú");
  EXPECT_EQ(c.issue_date, "2021-08-10");
}

TEST(CitizenIdQr, ParsesNewerLongerPayloadsWithAnEmptyOldId) {
  auto r = citizen_id::parse("080195004321||Lê Thị Hoa|08071995|Nữ|45 đường Trần Phú, phường 4|01022022|Lê Văn Tâm|Nguyễn Thị Lan|");
  ASSERT_TRUE(std::holds_alternative<citizen_id::Card>(r));
  const auto& c = std::get<citizen_id::Card>(r);
  EXPECT_FALSE(c.old_id);
  EXPECT_EQ(c.full_name, "Lê Thị Hoa");
  EXPECT_EQ(c.sex, "Nữ");
  EXPECT_EQ(c.date_of_birth, "1995-07-08");
  EXPECT_EQ(c.address, "45 đường Trần Phú, phường 4");
  EXPECT_EQ(c.issue_date, "2022-02-01");
}

TEST(CitizenIdQr, NormalisesDecomposedTextToNfc) {
  // "Nữ" written with a combining tilde (NFD) must compare equal to the NFC form.
  auto r = citizen_id::parse("080195004321||Le Thi Hoa|08071995|Nu\xCC\x83|Ha Noi|01022022");
  ASSERT_TRUE(std::holds_alternative<citizen_id::Card>(r));
  EXPECT_FALSE(std::get<citizen_id::Card>(r).sex);  // "Nũ" is not a sex: left null, not guessed
}

TEST(CitizenIdQr, RejectsGarbageWithAReason) {
  for (const std::string& bad : std::vector<std::string>{"", "hello", "https://example.org/x?y=z", "12345|a|b|c|d|e", "079090001234|x",
                          "079090001234||Name|31021990|Nam|Addr|01012020", "079090001234||12345|01011990|Nam|A|B",
                          std::string(5000, '|'), std::string("079090001234||N\xFF|01011990|Nam|A|01012020")}) {
    auto r = citizen_id::parse(bad);
    ASSERT_TRUE(std::holds_alternative<citizen_id::Rejected>(r)) << bad;
    EXPECT_FALSE(std::get<citizen_id::Rejected>(r).reason.empty());
  }
}

TEST(CitizenIdQr, DatesAreRealCalendarDates) {
  EXPECT_EQ(citizen_id::iso_date_from_ddmmyyyy("29022024"), "2024-02-29");
  EXPECT_FALSE(citizen_id::iso_date_from_ddmmyyyy("29022023"));
  EXPECT_FALSE(citizen_id::iso_date_from_ddmmyyyy("00012020"));
  EXPECT_FALSE(citizen_id::iso_date_from_ddmmyyyy("0101202"));
}

// A QR payload is outside data: a name carrying a terminal escape is no name (it once became
// the dossier's applicant, "Mallory\x1B[31m Evil").
TEST(CitizenIdQr, RefusesANameWithControlCharacters) {
  auto r = citizen_id::parse("080070001365|123456789|Mallory\x1b[31m Evil|01011990|Nam|X|01012021");
  ASSERT_TRUE(std::holds_alternative<citizen_id::Rejected>(r));
  EXPECT_NE(std::get<citizen_id::Rejected>(r).reason.find("control characters"), std::string::npos);
}

}  // namespace intake
