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

TEST(Text, VietnameseNamesAreMadeOfSyllablesTheLanguageCanWrite) {
  for (const char* name :
       {"Nguyễn Văn An", "Huỳnh Thanh Tuấn", "Trần Thị Quỳnh", "Trương Gia Huy", "Ngô Quang Hưởng", "Nghiêm Văn Khuê",
        "Dương Thị Hường", "Võ Thị Tuyết", "Bùi Thị Thuỷ", "Lê Thị Thuý", "Phạm Ngọc Yến", "Đặng Thị Oanh",
        "Hoàng Xuân Khoa", "Lương Thế Vinh", "Nguyễn Thị Khuyên", "Hà Thị Lụa", "Giang Gì", "NGUYỄN VĂN AN"})
    EXPECT_TRUE(text::vietnamese_name(name)) << name;
  // OCR's misreadings: a horn on the wrong vowel, two tone marks, a vowel group no word has.
  for (const char* name : {"Hưỳnh Thanh Tuấn", "Nguyễn Văn Aň", "Trần Thị Quýỳnh", "Nguyêen Văn An", "Lê 7hị Hoa", ""})
    EXPECT_FALSE(text::vietnamese_name(name)) << name;
}

}  // namespace intake
