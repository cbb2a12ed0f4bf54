#include "stages/s10.h"

#include <gtest/gtest.h>

namespace intake {

TEST(S10, CheckDigitFollowsTheUpuRule) {
  EXPECT_EQ(s10::check_digit("12345678"), 5);
  EXPECT_TRUE(s10::valid("EE123456785VN"));
  EXPECT_FALSE(s10::valid("EE123456789VN"));
  // Remainder rules: 11 - 1 = 10 -> 0 and 11 - 0 = 11 -> 5.
}

TEST(S10, CheckDigitRemainderCasesAgreeWithTheFormula) {
  static constexpr int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
  int seen10 = 0, seen11 = 0;
  for (int n = 0; n < 20000; ++n) {
    char serial[9];
    std::snprintf(serial, sizeof serial, "%08d", n * 4999 % 100000000);
    int sum = 0;
    for (int i = 0; i < 8; ++i) sum += (serial[i] - '0') * w[i];
    int c = 11 - sum % 11;
    if (c == 10) ++seen10, c = 0;
    if (c == 11) ++seen11, c = 5;
    ASSERT_EQ(s10::check_digit(serial), c) << serial;
  }
  EXPECT_GT(seen10, 0);
  EXPECT_GT(seen11, 0);
}

TEST(S10, NormalizeAcceptsSpacedFormsAndRejectsOthers) {
  EXPECT_EQ(s10::normalize("ee 123 456 785 vn"), "EE123456785VN");
  EXPECT_EQ(s10::normalize("EE-123456785-VN"), "EE123456785VN");
  EXPECT_FALSE(s10::normalize("E1123456785VN"));
  EXPECT_FALSE(s10::normalize("EE12345678VN"));
  EXPECT_FALSE(s10::normalize("EE1234567855VN"));
  EXPECT_FALSE(s10::normalize(""));
  EXPECT_FALSE(s10::normalize(std::string(100000, 'A')));
}

TEST(S10, FindsCandidatesInOcrText) {
  const auto found = s10::find_in_text("Bưu gửi số: EE 123 456 785 VN\nRR987654321VN x");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "EE123456785VN");
  EXPECT_EQ(found[1], "RR987654321VN");
}

}  // namespace intake
