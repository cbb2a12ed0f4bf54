#include "stages/assemble.h"

#include <functional>

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
