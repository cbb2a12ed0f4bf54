#include "stages/classify.h"

#include "pipeline/error.h"

#include <fstream>

#include <gtest/gtest.h>

namespace intake {
namespace {

const ClassifyStage& stage() {
  static const ClassifyStage s(
      ClassifyConfig{}, Catalog::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/procedures.yaml"),
      ClassifyWeights::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/classify.yaml"));
  return s;
}

std::filesystem::path weights_file(const std::string& name, const std::string& yaml) {
  const auto dir = std::filesystem::temp_directory_path() / "intake-classify-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name) << yaml;
  return dir / name;
}

std::string shipped_weights() {
  std::ifstream in(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/classify.yaml");
  return std::string(std::istreambuf_iterator<char>(in), {});
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

// Why a page got its type is kept with it: each signal and its weight.
TEST(Classify, EvidenceSaysWhyAPageGotItsType) {
  const auto envelope =
      classify("Người gửi: Trần Văn B\nNgười nhận: UBND xã\nBƯU CHÍNH", {{"Code128", "EE123456785VN", {}}}, 2200, 1100);
  ASSERT_EQ(envelope.type, "envelope");
  std::vector<std::string> signals;
  double total = 0;
  for (const auto& e : envelope.evidence) signals.push_back(e.signal), total += e.weight;
  EXPECT_EQ(signals, (std::vector<std::string>{"envelope.s10_barcode", "envelope.postal_word", "envelope.sender_label",
                                               "envelope.recipient_label", "envelope.landscape"}));
  EXPECT_EQ(total, 4 + 1 + 2 + 2 + 1);
  const auto motto =
      classify("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nNgười gửi: A\nbưu chính");
  EXPECT_EQ(motto.type, "supporting_document");
  EXPECT_NE(std::find(motto.evidence.begin(), motto.evidence.end(), Evidence{"envelope.vetoed_by_national_motto", 0}),
            motto.evidence.end());
  for (const auto& e : motto.evidence) EXPECT_NE(e.signal, "envelope.sender_label");
}

// The weights are data: a changed weight changes the decision, and a bad file says where.
TEST(Classify, WeightsComeFromTheirFileAndAreChecked) {
  std::string heavier = shipped_weights();
  heavier.replace(heavier.find("sender_label: 2"), 15, "sender_label: 9");
  const ClassifyStage tuned(ClassifyConfig{},
                            Catalog::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/procedures.yaml"),
                            ClassifyWeights::load(weights_file("heavier.yaml", heavier)));
  PageItem p;
  p.text = "Người gửi: Lê Thị C";
  p.width = 1654, p.height = 2339;
  stage().process(p, nullptr);
  EXPECT_EQ(p.type, "supporting_document");
  tuned.process(p, nullptr);
  EXPECT_EQ(p.type, "envelope");

  auto error_of = [](const std::string& yaml) {
    try {
      ClassifyWeights::load(weights_file("bad.yaml", yaml));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string negative = shipped_weights();
  negative.replace(negative.find("landscape: 1"), 12, "landscape: -1");
  EXPECT_NE(error_of(negative).find("bad.yaml: 'envelope.landscape' must be a weight"), std::string::npos);
  EXPECT_NE(error_of(shipped_weights() + "\nbogus: 1\n").find("'bogus' is not a known setting"), std::string::npos);
  std::string missing = shipped_weights();
  const auto line = missing.find("  form_statement: 2");
  missing.erase(line, missing.find('\n', line) - line + 1);
  EXPECT_NE(error_of(missing).find("'application_form.form_statement'"), std::string::npos);
}

}  // namespace intake
