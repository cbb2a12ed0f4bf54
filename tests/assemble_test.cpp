#include "stages/assemble.h"
#include "stages/extract.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace intake {
namespace {

const Catalog& catalog() {
  static const Catalog c = Catalog::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/procedures.yaml");
  return c;
}

PageItem page(int n, const std::string& type, const std::string& text = "") {
  PageItem p;
  p.number = n;
  p.source_file = "scan_" + std::to_string(n) + ".png";
  p.type = type;
  p.text = text;
  p.ocr_confidence = 90;
  p.blank = type == "blank";
  p.procedure_scores = catalog().score(text);
  return p;
}

PageItem envelope(int n, const std::string& tracking, bool valid) {
  PageItem p = page(n, "envelope");
  p.fields["tracking"] = {{"number", tracking}, {"valid", valid}, {"source", "barcode"}};
  p.fields["sender"] = {{"name", "Nguyễn Văn An"}, {"address", "Tân Phú"}, {"phone", "0912345678"}};
  return p;
}

PageItem card(int n, const std::string& id, const std::string& name) {
  PageItem p = page(n, "id_card");
  p.fields["applicant"] = {{"full_name", name}, {"id_number", id}, {"date_of_birth", "1990-03-15"},
                           {"sex", "Nam"},      {"address", "Tân Phú"}, {"source", "id_card_qr"}};
  return p;
}

std::vector<nlohmann::json> assemble(const std::vector<PageItem>& pages) {
  DossierAssembler a(AssembleConfig{}, catalog());
  std::vector<nlohmann::json> out;
  for (const auto& r : a.assemble(pages, {"b1", "2026-11-27T09:30:00+07:00"})) out.push_back(to_json(r));
  return out;
}

}  // namespace

TEST(Assemble, EnvelopesAndSeparatorsStartDossiers) {
  const std::string birth = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỜ KHAI ĐĂNG KÝ KHAI SINH\nngười được khai sinh";
  const std::string business = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH\nvốn kinh doanh";
  std::vector<PageItem> pages{envelope(1, "EE123456785VN", true), page(2, "application_form", birth),
                              card(3, "079090001234", "Nguyễn Văn An"), page(4, "blank"),
                              page(5, "separator"), page(6, "application_form", business),
                              page(7, "supporting_document", "HỢP ĐỒNG THUÊ"), envelope(8, "EE123456789VN", false)};
  const auto records = assemble(pages);
  ASSERT_EQ(records.size(), 3u);
  const auto& d1 = records[0];
  EXPECT_EQ(d1["schema"], "intake.dossier/1");
  EXPECT_EQ(d1["tracking_number"], "EE123456785VN");
  EXPECT_EQ(d1["applicant"]["id_number"], "079090001234");
  EXPECT_EQ(d1["applicant"]["source"], "id_card_qr");
  EXPECT_EQ(d1["procedure"]["id"], "birth_registration");
  EXPECT_EQ(d1["procedure"]["code"], "1.001193");
  EXPECT_EQ(d1["department"], "office");
  EXPECT_EQ(d1["pages"].size(), 4u);  // the blank back belongs to the dossier...
  EXPECT_EQ(d1["documents"].size(), 3u);  // ...but to no document
  EXPECT_FALSE(d1["review"]["required"].get<bool>()) << d1["review"].dump();

  const auto& d2 = records[1];
  EXPECT_EQ(d2["pages"][0]["number"], 6);  // the separator is in no dossier
  EXPECT_TRUE(d2["tracking_number"].is_null());
  EXPECT_EQ(d2["procedure"]["id"], "business_household_registration");
  EXPECT_EQ(d2["department"], "economic");
  EXPECT_TRUE(d2["review"]["required"].get<bool>());

  const auto& d3 = records[2];
  EXPECT_EQ(d3["tracking_number"], "EE123456789VN");
  EXPECT_FALSE(d3["tracking_valid"].get<bool>());
  const auto reasons = d3["review"]["reasons"].dump();
  EXPECT_NE(reasons.find("tracking_number_invalid"), std::string::npos);
  EXPECT_NE(reasons.find("procedure_unknown"), std::string::npos);
  EXPECT_TRUE(d3["procedure"]["id"].is_null());
}

// Blank pages after a dossier are its backs, but not across a separator sheet: a separator always
// closes the dossier before it (paperless-ngx's patch-code-t-middle samples: a page, the sheet, a
// page read as blank).
TEST(Assemble, ASeparatorClosesTheDossierBeforeItEvenWhenOnlyBlankPagesFollow) {
  const auto records =
      assemble({page(1, "supporting_document", "HỢP ĐỒNG THUÊ"), page(2, "separator"), page(3, "blank")});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["pages"].size(), 1u);
  ASSERT_EQ(records[1]["pages"].size(), 1u);
  EXPECT_EQ(records[1]["pages"][0]["number"], 3);
  EXPECT_TRUE(records[1]["review"]["required"].get<bool>());  // nothing read: an operator looks
  // Without the sheet, the blank page is the back of the page before.
  const auto backs = assemble({page(1, "supporting_document", "HỢP ĐỒNG THUÊ"), page(2, "blank")});
  ASSERT_EQ(backs.size(), 1u);
  EXPECT_EQ(backs[0]["pages"].size(), 2u);
}

// The checks a clerk makes on the applicant: a date of birth that can be one, and the citizen ID's
// sex, century and year against the date of birth and sex read (079 0 90 001234: a man, 1990).
TEST(Assemble, TheCitizenIdIsCheckedAgainstTheDateOfBirthAndSex) {
  const std::string birth = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỜ KHAI ĐĂNG KÝ KHAI SINH\nngười được khai sinh";
  auto reasons_with = [&](const std::function<void(nlohmann::json&)>& change) {
    PageItem c = card(3, "079090001234", "Nguyễn Văn An");
    change(c.fields["applicant"]);
    const auto records = assemble({envelope(1, "EE123456785VN", true), page(2, "application_form", birth), c});
    return std::make_pair(records.at(0)["review"]["reasons"].dump(), records.at(0)["applicant"]);
  };
  auto [agree, a] = reasons_with([](nlohmann::json&) {});
  EXPECT_EQ(agree.find("applicant_"), std::string::npos) << agree;
  auto [later_year, b] = reasons_with([](nlohmann::json& j) { j["date_of_birth"] = "1991-03-15"; });
  EXPECT_NE(later_year.find("applicant_id_number_disagrees_with_date_of_birth"), std::string::npos) << later_year;
  EXPECT_EQ(b["date_of_birth"], "1991-03-15");  // which one is wrong is the operator's to say
  auto [woman, c] = reasons_with([](nlohmann::json& j) { j["sex"] = "Nữ"; });
  EXPECT_NE(woman.find("applicant_id_number_disagrees_with_sex"), std::string::npos) << woman;
  // Born after the dossier arrived: misread, left null and flagged.
  auto [future, d] = reasons_with([](nlohmann::json& j) { j["date_of_birth"] = "2027-01-01"; });
  EXPECT_NE(future.find("applicant_date_of_birth_implausible"), std::string::npos) << future;
  EXPECT_TRUE(d["date_of_birth"].is_null());
  auto [none, e] = reasons_with([](nlohmann::json& j) { j["date_of_birth"] = nullptr; });
  EXPECT_NE(none.find("applicant_date_of_birth_missing"), std::string::npos) << none;
}

TEST(Assemble, AnUnreadableLabelTellsTheOperatorToTypeTheNumber) {
  PageItem torn = page(1, "envelope");
  torn.unread_barcodes = 1;
  const auto records = assemble({torn, page(2, "application_form", "TỜ KHAI ĐĂNG KÝ KHAI SINH")});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0]["tracking_number"].is_null());
  const auto reasons = records[0]["review"]["reasons"].dump();
  EXPECT_NE(reasons.find("tracking_number_missing"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("tracking_barcode_unreadable"), std::string::npos) << reasons;
  EXPECT_EQ(records[0]["pages"][0]["unread_barcodes"], 1);
  // No label at all: only missing.
  const auto bare = assemble({page(1, "envelope"), page(2, "application_form", "TỜ KHAI ĐĂNG KÝ KHAI SINH")});
  EXPECT_EQ(bare[0]["review"]["reasons"].dump().find("tracking_barcode_unreadable"), std::string::npos);
}

TEST(Assemble, ContinuationPagesStayInOneDocument) {
  const std::string p1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỜ KHAI ĐĂNG KÝ KẾT HÔN\nBên nữ Bên nam";
  const std::string p2 = "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật\nđăng ký kết hôn";
  const auto records = assemble({envelope(1, "RR987654326VN", true), page(2, "application_form", p1),
                                 page(3, "application_form", p2), page(4, "application_form", p1)});
  ASSERT_EQ(records.size(), 1u);
  const auto& docs = records[0]["documents"];
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[1]["pages"], nlohmann::json({2, 3}));
  EXPECT_EQ(docs[2]["pages"], nlohmann::json({4}));
}

TEST(Assemble, AFormsUntitledLaterPagesContinueItButAttachedDocumentsDoNot) {
  const std::string form = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỜ KHAI ĐĂNG KÝ KẾT HÔN\nBên nữ Bên nam";
  const auto records = assemble({envelope(1, "RR987654326VN", true), page(2, "application_form", form),
                                 page(3, "blank"),
                                 page(4, "supporting_document", "II. THÔNG TIN CỦA NGƯỜI KHAI THAY (nếu có)\nHọ và tên"),
                                 page(5, "supporting_document", "II. XÁC NHẬN CỦA ỦY BAN NHÂN DÂN CẤP XÃ\nTrang 2/2"),
                                 page(6, "supporting_document", "ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ\nGIẤY XÁC NHẬN"),
                                 page(7, "supporting_document", "HỢP ĐỒNG THUÊ MẶT BẰNG\nBên cho thuê"),
                                 page(8, "supporting_document", "Điều 2. Thời hạn thuê 24 tháng")});
  ASSERT_EQ(records.size(), 1u);
  const auto& pages = records[0]["pages"];
  EXPECT_EQ(pages[3]["type"], "application_form");
  EXPECT_EQ(pages[4]["type"], "application_form");
  EXPECT_EQ(pages[5]["type"], "supporting_document");  // an issuer's header: its own document
  EXPECT_EQ(pages[6]["type"], "supporting_document");  // a title of its own
  EXPECT_EQ(pages[7]["type"], "supporting_document");  // follows a supporting page
  const auto& docs = records[0]["documents"];
  ASSERT_EQ(docs.size(), 4u) << docs.dump();
  EXPECT_EQ(docs[1]["pages"], nlohmann::json({2, 4, 5}));
}

TEST(Assemble, ConflictingIdNumbersAreFlaggedAndUnreadablePagesListed) {
  PageItem form = page(2, "application_form", "TỜ KHAI ĐĂNG KÝ KHAI TỬ\nngười đã chết\nngày chết");
  form.fields["applicant"] = {{"full_name", "Võ Thị Mai"}, {"id_number", "080070009999"}, {"source", "ocr"}};
  PageItem broken = page(4, "supporting_document");
  broken.type.reset();
  broken.error = "ingest: not a readable PDF";
  const auto records = assemble({envelope(1, "EE123456785VN", true), form, card(3, "080070001357", "Võ Thị Mai"), broken});
  ASSERT_EQ(records.size(), 1u);
  const auto reasons = records[0]["review"]["reasons"].dump();
  EXPECT_NE(reasons.find("applicant_id_mismatch"), std::string::npos);
  EXPECT_NE(reasons.find("page_unreadable:page=4"), std::string::npos);
  EXPECT_EQ(records[0]["applicant"]["id_number"], "080070001357");
  EXPECT_TRUE(records[0]["pages"][3]["type"].is_null());
}

}  // namespace intake

namespace intake {
namespace {

// A page as the OCR stage leaves it: each line of `lines` a line of words, each word read with
// `confidence` except those listed in `doubtful` (word -> confidence).
PageItem read_page(int n, const std::string& type, const std::vector<std::string>& lines, double confidence = 95,
                   const std::map<std::string, double>& doubtful = {}) {
  PageItem p = page(n, type);
  int y = 100;
  for (std::size_t l = 0; l < lines.size(); ++l, y += 40) {
    std::istringstream in(lines[l]);
    int x = 100;
    for (std::string w; in >> w; x += 20 + 14 * static_cast<int>(w.size())) {
      const auto d = doubtful.find(w);
      p.words.push_back({w, static_cast<float>(d == doubtful.end() ? confidence : d->second), x, y,
                         14 * static_cast<int>(w.size()), 30, static_cast<int>(l)});
    }
    p.text += lines[l] + "\n";
  }
  p.procedure_scores = catalog().score(p.text);
  return p;
}

const Provinces& provinces() {
  static const Provinces p = Provinces::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/provinces.yaml");
  return p;
}

// The envelope and form of one dossier, through the real extract stage and the assembler.
DossierRecord through_extract(std::vector<PageItem> pages, AssembleConfig config = {}) {
  const ExtractStage extract(provinces(),
                             Surnames::load(std::filesystem::path(INTAKE_SOURCE_DIR) / "models/surnames.yaml"));
  for (auto& p : pages) extract.process(p, nullptr);
  DossierAssembler a(config, catalog());
  auto records = a.assemble(pages, {"b1", "2026-11-27T09:30:00+07:00"});
  EXPECT_EQ(records.size(), 1u);
  return records.at(0);
}

const std::vector<std::string> kForm = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                                        "Họ, chữ đệm, tên người yêu cầu: Trần Thị Lụa",
                                        "Số định danh cá nhân: 080185002468",
                                        "Ngày, tháng, năm sinh: 05/05/1985",
                                        "Giới tính: Nữ",
                                        "người được khai sinh"};

std::vector<std::string> envelope_lines(const std::string& sender) {
  return {"Người gửi: " + sender, "Địa chỉ: Số 12, thôn Đông, xã Tân Phú, tỉnh Long An", "Điện thoại: 0912 345 678",
          "Người nhận: UBND xã Tân Phú"};
}

}  // namespace

// Each value says where it came from: the page, the label it followed, the words it was read
// from with their boxes, and a confidence no higher than its least sure word's.
TEST(Evidence, EachValueKeepsItsPageLabelWordsAndTheLeastSureWordsConfidence) {
  const auto r = through_extract({read_page(1, "envelope", envelope_lines("Trần Thị Lụa"), 96, {{"0912", 71}}),
                                  read_page(2, "application_form", kForm, 93, {{"Lụa", 64}})});
  const auto& phone = r.evidence.at("sender.phone");
  EXPECT_EQ(phone.source, "ocr");
  EXPECT_EQ(phone.page, 1);
  EXPECT_EQ(phone.label, "Điện thoại");
  ASSERT_EQ(phone.words.size(), 3u);  // "0912 345 678"
  EXPECT_EQ(phone.words[0].text, "0912");
  EXPECT_GT(phone.words[0].x, 100);  // after the label's words
  EXPECT_DOUBLE_EQ(phone.confidence, 0.71);
  const auto& name = r.evidence.at("applicant.full_name");
  EXPECT_EQ(name.page, 2);
  EXPECT_EQ(name.label, "Họ, chữ đệm, tên người yêu cầu");
  ASSERT_EQ(name.words.size(), 3u);
  EXPECT_EQ(name.words[2].text, "Lụa");
  // Read twice, on the envelope and on the form, the same: as sure as the surer reading (two OCR
  // readings in one typeface err together; no more than that).
  EXPECT_DOUBLE_EQ(name.confidence, 0.96);
  EXPECT_NE(std::find(name.checks.begin(), name.checks.end(), "agrees:envelope"), name.checks.end());
  EXPECT_NE(std::find(name.checks.begin(), name.checks.end(), "vietnamese_name"), name.checks.end());
  const auto& id = r.evidence.at("applicant.id_number");
  EXPECT_NE(std::find(id.checks.begin(), id.checks.end(), "citizen_id_province"), id.checks.end());
  EXPECT_NE(std::find(id.checks.begin(), id.checks.end(), "agrees:date_of_birth"), id.checks.end());
  EXPECT_FALSE(r.evidence.count("tracking_number")) << "no value, no evidence";
  // The record keeps it through JSON, and one from before evidence was kept still reads.
  EXPECT_EQ(dossier_from_json(to_json(r)), r);
  auto old = to_json(r);
  old.erase("evidence");
  EXPECT_TRUE(dossier_from_json(old).evidence.empty());
}

// Held-out standard seed 7001: "Đặng Như Xuân" read "Bang Như Xuan" on the envelope and on the
// form alike (one typeface, the same marks lost), so the two readings agreed. "Bang" is no family
// name: both are doubtful, under the threshold, flagged; a listed family name is not.
TEST(Evidence, ANameThatBeginsWithNoFamilyNameIsDoubtfulEvenWhenTwoReadingsAgree) {
  AssembleConfig config;
  config.field_confidence = {{"sender.name", 0.8}, {"applicant.full_name", 0.8}};
  auto form = kForm;
  form[2] = "Họ, chữ đệm, tên người yêu cầu: Bang Như Xuan";
  const auto r = through_extract(
      {read_page(1, "envelope", envelope_lines("Bang Như Xuan")), read_page(2, "application_form", form)}, config);
  EXPECT_LE(r.evidence.at("applicant.full_name").confidence, 0.5);
  EXPECT_LE(r.evidence.at("sender.name").confidence, 0.5);
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"field_unsure:applicant.full_name"}),
            r.reasons.end());
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"field_unsure:sender.name"}), r.reasons.end());
  form[2] = "Họ, chữ đệm, tên người yêu cầu: Đặng Như Xuân";
  const auto right = through_extract(
      {read_page(1, "envelope", envelope_lines("ĐẶNG NHƯ XUÂN")), read_page(2, "application_form", form)}, config);
  const auto& checks = right.evidence.at("applicant.full_name").checks;
  EXPECT_NE(std::find(checks.begin(), checks.end(), "known_surname"), checks.end());
  EXPECT_TRUE(std::none_of(right.reasons.begin(), right.reasons.end(), [](const ReviewReason& x) {
    return x.code() == "field_unsure";
  })) << to_json(right)["review"].dump();
}

// Held-out hard seed 7001: "xa Long Phước" for "xã Long Phước" went straight through. A unit word
// that lost its marks before a name says OCR dropped marks in the address: doubtful, flagged.
TEST(Evidence, AnAddressWhoseUnitWordLostItsMarksIsDoubtful) {
  AssembleConfig config;
  config.field_confidence = {{"sender.address", 0.8}};
  auto with_address = [&](const std::string& address) {
    return through_extract(
        {read_page(1, "envelope", {"Người gửi: Lê Văn Hùng", "Địa chỉ: " + address, "Người nhận: UBND xã Tân Phú"}),
         read_page(2, "application_form", kForm)},
        config);
  };
  const auto bare = with_address("ấp 6, xa Long Phước, huyện Bến Lức, tỉnh Long An");
  EXPECT_EQ(bare.sender.address, "ấp 6, xa Long Phước, huyện Bến Lức, tỉnh Long An") << "kept, flagged";
  EXPECT_NE(std::find(bare.reasons.begin(), bare.reasons.end(), ReviewReason{"field_unsure:sender.address"}),
            bare.reasons.end());
  const auto marked = with_address("ấp 6, xã Long Phước, huyện Bến Lức, tỉnh Long An");
  EXPECT_EQ(std::find(marked.reasons.begin(), marked.reasons.end(), ReviewReason{"field_unsure:sender.address"}),
            marked.reasons.end());
  const auto& checks = marked.evidence.at("sender.address").checks;
  EXPECT_NE(std::find(checks.begin(), checks.end(), "unit_words"), checks.end());
}

// "Lụa" on the form, "Lua" on the envelope (OCR lost the dot below): the silent error. A
// form against an envelope cannot say which is right: flagged. The ID card's QR code can.
TEST(Evidence, ANameDifferingOnlyInAccentsIsFlaggedOrTakesTheQrCodesAccents) {
  const auto form = read_page(2, "application_form", kForm);
  const auto r = through_extract({read_page(1, "envelope", envelope_lines("Trần Thị Lua")), form});
  EXPECT_EQ(r.sender.name, "Trần Thị Lua");
  EXPECT_EQ(r.applicant.full_name, "Trần Thị Lụa");
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"sender_name_disagrees_with_applicant"}),
            r.reasons.end());

  PageItem c = card(3, "080185002468", "Trần Thị Lụa");
  c.fields["applicant"]["date_of_birth"] = "1985-05-05";
  c.fields["applicant"]["sex"] = "Nữ";
  c.barcodes.push_back({"QRCode", "080185002468||Trần Thị Lụa|05051985|Nữ|Tân Phú|01012021", {}});
  const auto q = through_extract({read_page(1, "envelope", envelope_lines("Trần Thị Lua")), form, c});
  EXPECT_EQ(q.applicant.source, "id_card_qr");
  EXPECT_EQ(q.sender.name, "Trần Thị Lụa");
  const auto& e = q.evidence.at("sender.name");
  EXPECT_NE(std::find(e.checks.begin(), e.checks.end(), "accents_from:id_card_qr"), e.checks.end());
  EXPECT_EQ(std::find(q.reasons.begin(), q.reasons.end(), ReviewReason{"sender_name_disagrees_with_applicant"}),
            q.reasons.end());

  // Someone else posting for the applicant: no comparison, no flag.
  const auto other = through_extract({read_page(1, "envelope", envelope_lines("Lê Văn Hùng")), form});
  EXPECT_EQ(std::find(other.reasons.begin(), other.reasons.end(), ReviewReason{"sender_name_disagrees_with_applicant"}),
            other.reasons.end());
}

// A value less sure than its field's threshold (configs/: assemble.field_confidence) is flagged;
// the threshold is data, and a field without one is not.
TEST(Evidence, AValueBelowItsFieldsThresholdIsFlaggedUnsure) {
  AssembleConfig config;
  config.field_confidence = {{"sender.phone", 0.8}, {"applicant.id_number", 0.5}};
  const auto r = through_extract({read_page(1, "envelope", envelope_lines("Lê Văn Hùng"), 96, {{"345", 62}}),
                                  read_page(2, "application_form", kForm, 93, {{"080185002468", 55}})},
                                 config);
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"field_unsure:sender.phone"}), r.reasons.end());
  EXPECT_EQ(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"field_unsure:applicant.id_number"}),
            r.reasons.end());
  EXPECT_EQ(r.sender.phone, "0912345678") << "flagged, not dropped";
}

// Standard seed 1's last silent error: the phone's label "SĐT" read "SBT", so the number was not
// taken and nothing said so. A phone-shaped value after a label one letter off is taken, as
// doubtful as that makes it: below the phone's threshold, flagged.
TEST(Evidence, APhoneAfterAMisreadLabelIsTakenAndFlaggedUnsure) {
  AssembleConfig config;
  config.field_confidence = {{"sender.phone", 0.7}};
  const auto r =
      through_extract({read_page(1, "envelope",
                                 {"Người gửi: Lê Văn Hùng", "Địa chỉ: Số 12, thôn Đông, xã Tân Phú, tỉnh Long An",
                                  "SBT: 0865 926 175", "Người nhận: UBND xã Tân Phú"}),
                       read_page(2, "application_form", kForm)},
                      config);
  EXPECT_EQ(r.sender.phone, "0865926175");
  EXPECT_LE(r.evidence.at("sender.phone").confidence, 0.5);
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), ReviewReason{"field_unsure:sender.phone"}), r.reasons.end());
  // A label that is nothing like it ("STK", a bank account) is not a phone's.
  const auto bank =
      through_extract({read_page(1, "envelope", {"Người gửi: Lê Văn Hùng", "STK: 0865 926 175", "Người nhận: UBND xã"}),
                       read_page(2, "application_form", kForm)});
  EXPECT_FALSE(bank.sender.phone);
}

}  // namespace intake
