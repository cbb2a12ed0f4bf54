#include "stages/extract.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace intake {

TEST(Extract, SenderBlockFromEnvelopeText) {
  const auto s = extract_sender(
      "BƯU CHÍNH\nNgười gửi: Nguyễn Văn An\nĐịa chỉ: Số 12, thôn Đông, xã Tân Phú, tỉnh Long An\n"
      "Điện thoại: 0912 345 678\n\nNgười nhận: Trung tâm Phục vụ hành chính công\nĐịa chỉ: UBND xã Tân Phú");
  EXPECT_EQ(s["name"], "Nguyễn Văn An");
  EXPECT_EQ(s["address"], "Số 12, thôn Đông, xã Tân Phú, tỉnh Long An");
  EXPECT_EQ(s["phone"], "0912345678");
}

TEST(Extract, SenderFieldsAreNullWhenAbsentNotTakenFromTheRecipient) {
  const auto s = extract_sender("Người gửi: Lê Thị Hoa\nNgười nhận: UBND xã\nĐịa chỉ: UBND xã Tân Phú\nĐiện thoại: 0270 3 812 345");
  EXPECT_EQ(s["name"], "Lê Thị Hoa");
  EXPECT_TRUE(s["address"].is_null());
  EXPECT_TRUE(s["phone"].is_null());
}

TEST(Extract, SenderUnderAHeadingWithItsAddressWrappedOnTwoLines) {
  std::vector<std::string> doubts;
  const auto s = extract_sender(
      "NGƯỜI GỬI\nHọ tên: Bùi Xuân Nhân\nĐịa chỉ: 283 Nguyễn Du, phường Mỹ Lộc, thành phố Thanh Hóa,\n"
      "tỉnh Thanh Hóa\nĐiện thoại: 0928.579.568\nBƯU CHÍNH\nVIỆT NAM\nNGƯỜI NHẬN\nTên: UBND xã Tân Phú",
      &doubts);
  EXPECT_EQ(s["name"], "Bùi Xuân Nhân");
  EXPECT_EQ(s["address"], "283 Nguyễn Du, phường Mỹ Lộc, thành phố Thanh Hóa, tỉnh Thanh Hóa");
  EXPECT_EQ(s["phone"], "0928579568");
  EXPECT_TRUE(doubts.empty());
  // A stamp in capitals after the address is not part of it.
  const auto t = extract_sender("Người gửi: Lê Văn Tám\nĐịa chỉ: Số 5, ấp 2, xã Tân Phú, tỉnh Long An\nVIỆT NAM\n");
  EXPECT_EQ(t["address"], "Số 5, ấp 2, xã Tân Phú, tỉnh Long An");
}

TEST(Extract, AnAddressCutShortIsNullAndDoubtedNotGuessed) {
  std::vector<std::string> doubts;
  const auto s = extract_sender("Người gửi: Trần Minh Đức\nĐịa chỉ: Số 151/14 đường Lê Duẩn, phường 7, tỉnh\n"
                                "BƯU CHÍNH\nĐiện thoại: 0761023252",
                                &doubts);
  EXPECT_TRUE(s["address"].is_null()) << s.dump();
  EXPECT_EQ(doubts, std::vector<std::string>{"sender_address_incomplete"});
  EXPECT_EQ(s["phone"], "0761023252");
}

TEST(Extract, AnAddressWithoutAKnownProvinceAtItsEndIsNullAndDoubted) {
  const Provinces provinces = Provinces::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/provinces.yaml");
  auto address = [&](const std::string& line) {
    std::vector<std::string> doubts;
    const auto s = extract_sender("Người gửi: Châu Gia Việt\nĐịa chỉ: " + line + "\nĐiện thoại: +84 382 195 862", &doubts,
                                  &provinces);
    EXPECT_EQ(s["name"], "Châu Gia Việt");
    EXPECT_EQ(doubts.empty(), !s["address"].is_null()) << line;
    return s["address"];
  };
  // Cut short by a postmark's waves, or the province misread: null, not a truncated value.
  EXPECT_TRUE(address("ấp Phú Lợi, xã L").is_null());
  EXPECT_TRUE(address("Số 359/15 đường Nguyễn Thị Minh Khai, phường Trung Hòa, thành phố Sầm Sơn, tỉnh Than").is_null());
  EXPECT_TRUE(address("Số 262/28 đường Lê Duẩn, phường 11, thành phố Thủ Đức, TRASSEM CG)").is_null());
  // Complete, in the ways people write it.
  EXPECT_EQ(address("ấp Phú Lợi, xã Lương Hòa, tỉnh Long An"), "ấp Phú Lợi, xã Lương Hòa, tỉnh Long An");
  EXPECT_EQ(address("232 Nguyễn Du, phường 12, Thành phố Hồ Chí Minh"), "232 Nguyễn Du, phường 12, Thành phố Hồ Chí Minh");
  EXPECT_EQ(address("12 Lý Thái Tổ, quận Hoàn Kiếm, Hà Nội."), "12 Lý Thái Tổ, quận Hoàn Kiếm, Hà Nội");
  EXPECT_EQ(address("45 Lê Lợi, phường 4, TP.HCM"), "45 Lê Lợi, phường 4, TP.HCM");
  EXPECT_EQ(address("thôn 3, xã Quảng Phú, tỉnh Khánh Hoà"), "thôn 3, xã Quảng Phú, tỉnh Khánh Hoà");
  EXPECT_EQ(address("Tổ 2, phường Thắng Tam, tỉnh Bà Rịa – Vũng Tàu"), "Tổ 2, phường Thắng Tam, tỉnh Bà Rịa – Vũng Tàu");
}

TEST(Extract, AnApplicantNameThatLostAllItsAccentsIsNullNotStored) {
  const auto lost = extract_applicant_from_form("TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên người yêu cầu: Bang Duy Tam Loc\n"
                                                "Số định danh cá nhân: 079090001234");
  EXPECT_TRUE(lost["full_name"].is_null()) << lost.dump();
  EXPECT_EQ(lost["id_number"], "079090001234");
  const auto kept = extract_applicant_from_form("Họ, chữ đệm, tên người yêu cầu: ĐẶNG DUY TÂM LỘC");
  EXPECT_EQ(kept["full_name"], "Đặng Duy Tâm Lộc");
}

TEST(Extract, ApplicantFromFormTextWithLeaderResidue) {
  const auto a = extract_applicant_from_form(
      "TỜ KHAI ĐĂNG KÝ KHAI SINH\nHọ, chữ đệm, tên người yêu cầu: Nguyễn Văn An .......\n"
      "Số định danh cá nhân: 079090001234 …\nNgày, tháng, năm sinh: 15/03/1990....\nGiới tính: Nam\n"
      "Nơi cư trú: Số 12, thôn Đông ....\nHọ, chữ đệm, tên: Nguyễn Minh Khang\nNgày, tháng, năm sinh: 02/10/2026");
  EXPECT_EQ(a["full_name"], "Nguyễn Văn An");
  EXPECT_EQ(a["id_number"], "079090001234");
  EXPECT_EQ(a["date_of_birth"], "1990-03-15");
  EXPECT_EQ(a["sex"], "Nam");
  EXPECT_EQ(a["address"], "Số 12, thôn Đông");
  EXPECT_EQ(a["source"], "ocr");
}

TEST(Extract, IdNumberCorruptedByLeaderDigitsIsNullNotGuessed) {
  // What plain Tesseract makes of "079090001234 ........": digits run on.
  const auto a = extract_applicant_from_form("Số định danh cá nhân: 07909000123411111\nTôi là (ghi họ tên bằng chữ in hoa): TRẦN VĂN BÌNH");
  EXPECT_TRUE(a["id_number"].is_null());
  EXPECT_EQ(a["full_name"], "Trần Văn Bình");
}

TEST(Extract, InvalidDatesAreNull) {
  const auto a = extract_applicant_from_form("Ngày, tháng, năm sinh: 31/02/1990");
  EXPECT_TRUE(a["date_of_birth"].is_null());
}

}  // namespace intake
