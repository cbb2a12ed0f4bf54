#include "stages/classify.h"

#include <gtest/gtest.h>

namespace intake {
namespace {

const ClassifyStage& stage() {
  static const ClassifyStage s(ClassifyConfig{},
                               Catalog::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/procedures.yaml"));
  return s;
}

PageItem classify(const std::string& text, std::vector<Barcode> barcodes = {}, int w = 1654, int h = 2339) {
  PageItem p;
  p.text = text;
  p.barcodes = std::move(barcodes);
  p.width = w;
  p.height = h;
  stage().process(p, nullptr);
  return p;
}

}  // namespace

TEST(Classify, PageTypesFromTheirEvidence) {
  EXPECT_EQ(classify("Người gửi: Lê Thị Hoa\nNgười nhận: UBND xã", {{"Code128", "RR987654326VN", {}}}, 1803, 1276).type,
            "envelope");
  EXPECT_EQ(classify("Người gửi: Lê Thị Hoa\nĐịa chỉ: Tân An\nNgười nhận: UBND xã", {}, 1803, 1276).type, "envelope");
  EXPECT_EQ(classify("", {{"Code128", "PATCHT", {}}}).type, "separator");
  EXPECT_EQ(classify("CĂN CƯỚC CÔNG DÂN", {{"QRCode", "079090001234||Nguyễn Văn An|15031990|Nam|Tân Phú|10082021", {}}}).type,
            "id_card");
  EXPECT_EQ(classify("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nTỜ KHAI ĐĂNG KÝ KHAI SINH").type,
            "application_form");
  EXPECT_EQ(classify("Chúng tôi cam đoan những lời khai trên đây là đúng sự thật.\nĐề nghị Ủy ban nhân dân xã Tân Phú "
                     "đăng ký kết hôn cho chúng tôi.").type,
            "application_form");  // a form's continuation page
  EXPECT_EQ(classify("HỢP ĐỒNG THUÊ MẶT BẰNG\nBên cho thuê: Huỳnh Văn Lợi\nThời hạn thuê: 24 tháng").type,
            "supporting_document");
  EXPECT_EQ(classify("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nGIẤY CHỨNG MINH NHÂN DÂN\n"
                     "Số 274230140\nHọ tên: CHÂU GIA BẢO").type,
            "id_card");  // the older card, no QR code
  EXPECT_EQ(classify("Dân tộc: Kinh. Tôn giáo: Không\nDẤU VẾT RIÊNG VÀ DỊ HÌNH\nNGÓN TRỎ TRÁI  NGÓN TRỎ PHẢI").type,
            "id_card");  // its back
  // The label's barcode unreadable, the sender's block smudged: the item number and the post's
  // words in the text still make it an envelope.
  EXPECT_EQ(classify("See eenee PARRARSS\nBƯU CHÍNH\nEE165960035VN\nKL: 270g").type, "envelope");
  EXPECT_EQ(classify("BƯU GỬI ĐẢM BẢO\nBƯU CHÍNH VIỆT NAM").type, "envelope");
  PageItem blank;
  blank.blank = true;
  stage().process(blank, nullptr);
  EXPECT_EQ(blank.type, "blank");
}

TEST(Classify, AReceiptSlipNamingThePostIsNotAnEnvelope) {
  // The slip cites the incoming item's number and the post; scanned with an outbound envelope
  // (intake dispatch) it must not start a group of its own.
  const auto slip = classify(
      "UBND XÃ TÂN PHÚ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nBỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ Độc lập - Tự do - Hạnh phúc\n"
      "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\nMã hồ sơ: 000.00.00.H38-260213-0001\n"
      "4. Thời gian nhận hồ sơ: 15 giờ 00 phút, ngày 13 tháng 02 năm 2026, qua dịch vụ bưu chính (số hiệu bưu gửi "
      "EE123456785VN).\n6. Hình thức nhận kết quả: qua dịch vụ bưu chính công ích, gửi về địa chỉ người gửi: Nguyễn Văn An",
      {{"QRCode", "000.00.00.H38-260213-0001", {}}, {"Code128", "000.00.00.H38-260213-0001", {}}}, 1240, 1754);
  EXPECT_EQ(slip.type, "supporting_document");
}

TEST(Classify, AnEnvelopeWhoseTextAndLabelAreUnreadableIsStillAnEnvelope) {
  // A bad black-and-white scan: the address lines are gone, the label is located but unread.
  auto envelope = [](int unread) {
    PageItem p = classify("feet emery\nBUU CHINH\n4\nBUU GUT PAM BAO", {}, 2741, 1966);
    p.unread_barcodes = unread;
    stage().process(p, nullptr);
    return p;
  };
  EXPECT_EQ(envelope(0).type, "supporting_document");
  EXPECT_EQ(envelope(1).type, "envelope");
  // A certificate whose dotted leaders look like bars to the locator stays a document.
  PageItem certificate = classify("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nGIẤY CHỨNG SINH\n"
                                  "Họ và tên mẹ: Từ Thị Hằng");
  certificate.unread_barcodes = 1;
  stage().process(certificate, nullptr);
  EXPECT_EQ(certificate.type, "supporting_document");
}

TEST(Classify, AGarbageQrCodeDoesNotMakeAnIdCard) {
  const auto p = classify("Một trang có mã QR lạ", {{"QRCode", "https://example.org/?a=1|2|3|4|5|6", {}}});
  EXPECT_EQ(p.type, "supporting_document");
}

TEST(Classify, ProcedureScoresComeFromTheCatalog) {
  const auto p = classify("TỜ KHAI ĐĂNG KÝ KHAI TỬ\nHọ, chữ đệm, tên người đã chết: Võ Văn Tư\nNgày chết: 18/11/2026");
  ASSERT_TRUE(p.procedure_scores.count("death_registration"));
  for (const auto& [id, score] : p.procedure_scores)
    if (id != "death_registration") {
      EXPECT_LT(score, p.procedure_scores.at("death_registration"));
    }
}

}  // namespace intake
