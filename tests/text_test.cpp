#include "pipeline/text.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace intake {

TEST(Text, NaturalOrderIsScanOrder) {
  std::vector<std::string> names{"scan_10.png", "scan_2.jpg", "scan_1.png", "scan_9.png", "scan_11.png", "a.png"};
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return text::natural_less(a, b); });
  EXPECT_EQ(names, (std::vector<std::string>{"a.png", "scan_1.png", "scan_2.jpg", "scan_9.png", "scan_10.png", "scan_11.png"}));
  EXPECT_FALSE(text::natural_less("x", "x"));
}

TEST(Text, FoldRemovesVietnameseDiacritics) {
  EXPECT_EQ(text::fold("Đăng ký KẾT HÔN"), "dang ky ket hon");
  EXPECT_EQ(text::fold("Người gửi"), "nguoi gui");
}

TEST(Text, NfcComposes) {
  EXPECT_EQ(text::nfc("Nu\xCC\x83"), "Nũ");
  EXPECT_EQ(text::nfc("Tie\xCC\x82\xCC\x81ng"), "Tiếng");
}

TEST(Text, TitleCaseForNamesInCapitals) {
  EXPECT_EQ(text::title_case("TRẦN VĂN BÌNH"), "Trần Văn Bình");
  EXPECT_EQ(text::title_case("NGUYỄN THỊ ĐÀO"), "Nguyễn Thị Đào");
}

}  // namespace intake

namespace intake {

TEST(Text, MostlyUpperTellsHeadingsFromSentences) {
  EXPECT_TRUE(text::mostly_upper("ỦY BAN NHÂN DÂN"));
  EXPECT_TRUE(text::mostly_upper("SỞ Y TẾ TỈNH LONG AN"));
  EXPECT_FALSE(text::mostly_upper("Số định danh cá nhân: 079090001234"));
  EXPECT_FALSE(text::mostly_upper("II."));  // too few letters to tell
}

// Values read off scans and file names are shown, never obeyed: a QR payload's escape sequences
// once recoloured the terminal through `run`, `status` and `find`.
TEST(Text, PrintableEscapesControlsAndBytesThatAreNotUtf8) {
  EXPECT_EQ(text::printable("Nguyễn Văn An"), "Nguyễn Văn An");
  EXPECT_EQ(text::printable("\x1b[31mred\x1b]0;title\x07"), "\\x1B[31mred\\x1B]0;title\\x07");
  EXPECT_EQ(text::printable("caf\xe9.png"), "caf\\xE9.png");       // Latin-1
  EXPECT_EQ(text::printable("a\xc2\x9b" "b"), "a\\xC2\\x9Bb");   // C1 CSI
  EXPECT_EQ(text::printable("x\xed\xa0\x80"), "x\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(text::printable("tab\tok\nline"), "tab\tok\\x0Aline");
  EXPECT_EQ(text::printable(std::string("\0", 1)), "\\x00");
  EXPECT_EQ(text::printable("\xf0\x9f\x98"), "\\xF0\\x9F\\x98");  // cut short
}

}
