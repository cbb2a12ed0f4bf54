#include "stages/ocr.h"

#include <gtest/gtest.h>

#include <sstream>

#include "pipeline/text.h"
#include "stages/dot_leaders.h"
#include "stages/extract.h"
#include "tests/support/page_render.h"

namespace intake {
namespace {

const std::vector<std::string> kForm{
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn An",
    "Số định danh cá nhân: 079090001234",
    "Ngày, tháng, năm sinh: 15/03/1990",
    "Nơi cư trú: Số 12, thôn Đông, xã Tân Phú",
    "Quan hệ với người được khai sinh: Cha",
};

PageItem ocr(const cv::Mat& image, bool remove_leaders, bool flatten_background = true) {
  OcrConfig config;
  config.remove_dot_leaders = remove_leaders;
  config.flatten_background = flatten_background;
  OcrStage stage(config);
  auto state = stage.make_state();
  PageItem page;
  page.work = image;
  stage.process(page, state.get());
  return page;
}

}  // namespace

TEST(DotLeaders, ErasesLeadersButKeepsVietnameseDotsBelow) {
  const cv::Mat form = testing::render_form(kForm);
  const auto removed = remove_dot_leaders(form);
  EXPECT_EQ(removed.chains, static_cast<int>(kForm.size()));
  // The text itself (with its dots below: "ạ", "ệ") survives: the page without leaders reads the same.
  const auto plain = remove_dot_leaders(testing::render_page(kForm));
  EXPECT_EQ(plain.chains, 0);
  EXPECT_EQ(plain.dots, 0);
}

TEST(Ocr, ReadsVietnameseInNfcWithConfidence) {
  const auto page = ocr(testing::render_page(kForm), true);
  EXPECT_NE(page.text.find("Nguyễn Văn An"), std::string::npos) << page.text;
  EXPECT_NE(page.text.find("TỜ KHAI ĐĂNG KÝ KHAI SINH"), std::string::npos) << page.text;
  ASSERT_TRUE(page.ocr_confidence);
  EXPECT_GT(*page.ocr_confidence, 70);
  EXPECT_GT(page.words.size(), 20u);
}

TEST(Ocr, FieldValuesNextToDottedLeadersReadCorrectly) {
  const auto page = ocr(testing::render_form(kForm), true);
  const auto applicant = extract_applicant_from_form(page.text);
  EXPECT_EQ(applicant["id_number"], "079090001234") << page.text;
  EXPECT_EQ(applicant["date_of_birth"], "1990-03-15") << page.text;
  EXPECT_EQ(applicant["full_name"], "Nguyễn Văn An") << page.text;
}

TEST(Ocr, PagesThatReadPoorlyAreTurnedUprightAndReadAgain) {
  const cv::Mat upright = testing::render_page(kForm);
  const auto straight = ocr(upright, true);
  EXPECT_FALSE(straight.orientation_checked);  // read well at once: no OSD spent on it
  EXPECT_EQ(straight.rotation, 0);
  const std::pair<cv::RotateFlags, int> cases[] = {
      {cv::ROTATE_90_CLOCKWISE, 270}, {cv::ROTATE_180, 180}, {cv::ROTATE_90_COUNTERCLOCKWISE, 90}};
  for (const auto& [flag, expected] : cases) {
    cv::Mat turned;
    cv::rotate(upright, turned, flag);
    const auto page = ocr(turned, true);
    EXPECT_TRUE(page.orientation_checked);
    EXPECT_EQ(page.rotation, expected) << "scanned turned by flag " << flag;
    EXPECT_EQ(page.work.size(), upright.size());
    EXPECT_NE(page.text.find("Nguyễn Văn An"), std::string::npos) << page.text;
  }
}

TEST(Ocr, GreyPrintOnGreyPaperInsideAWhiteBorderIsReadWithThePaperEvenedOut) {
  // An envelope of grey paper (165) printed in dark grey (110), scanned on a white lid: a global
  // threshold falls between lid and paper and the whole envelope turns black.
  const cv::Mat print = testing::render_page(kForm, 34, 1654, 700);
  cv::Mat envelope;
  print.convertTo(envelope, CV_8UC1, (165.0 - 110.0) / 255.0, 110.0);
  cv::Mat scan(1300, 2000, CV_8UC1, cv::Scalar(255));
  envelope.copyTo(scan(cv::Rect(170, 300, envelope.cols, envelope.rows)));

  const auto as_is = ocr(scan, true, false);
  ASSERT_EQ(as_is.text.find("Nguyễn Văn An"), std::string::npos) << "premise: Otsu alone reads it\n" << as_is.text;
  const auto page = ocr(scan, true);
  EXPECT_NE(page.text.find("Nguyễn Văn An"), std::string::npos) << page.text;
  EXPECT_NE(page.text.find("079090001234"), std::string::npos) << page.text;
  EXPECT_EQ(page.rotation, 0);
  EXPECT_EQ(page.work.size(), scan.size());
}

// Words of one OCR line at the given x positions, 30 px high, 12 px per character.
void add_line(std::vector<Word>& words, int line, const std::vector<std::pair<int, std::string>>& cells) {
  for (const auto& [x0, cell] : cells) {
    int x = x0;
    std::istringstream in(cell);
    for (std::string w; in >> w; x += static_cast<int>(w.size()) * 12 + 12)
      words.push_back({w, 90, x, 100 + 50 * line, static_cast<int>(w.size()) * 12, 30, line});
  }
}

TEST(Ocr, SignatureColumnsReadColumnByColumnButTablesAndFieldRowsStayRows) {
  std::vector<Word> words;
  add_line(words, 0, {{100, "Tân Phú, ngày 21 tháng 10 năm 2026"}});
  add_line(words, 1, {{200, "Bên nữ"}, {1000, "Bên nam"}});
  add_line(words, 2, {{150, "(Ký, ghi rõ họ tên)"}, {950, "(Ký, ghi rõ họ tên)"}});
  add_line(words, 3, {{220, "Lr"}});
  add_line(words, 4, {{150, "Huỳnh Quỳnh Giang"}, {950, "Quách Chí Long"}});
  add_line(words, 5, {{100, "Ghi chú: bản sao cấp theo yêu cầu của người đăng ký kết hôn tại xã"}});
  EXPECT_EQ(column_ordered_text(words),
            "Tân Phú, ngày 21 tháng 10 năm 2026\nBên nữ\n(Ký, ghi rõ họ tên)\nLr\nHuỳnh Quỳnh Giang\nBên nam\n"
            "(Ký, ghi rõ họ tên)\nQuách Chí Long\nGhi chú: bản sao cấp theo yêu cầu của người đăng ký kết hôn tại xã\n");

  std::vector<Word> table;  // label, bride, groom: a row of three cells
  add_line(table, 0, {{100, "Họ, chữ đệm, tên"}, {600, "Đinh Thị Huyền"}, {1100, "Huỳnh Hoàng Dũng"}});
  add_line(table, 1, {{100, "Dân tộc"}, {600, "Kinh"}, {1100, "Kinh"}});
  add_line(table, 2, {{100, "Quốc tịch"}, {600, "Việt Nam"}, {1100, "Việt Nam"}});
  add_line(table, 3, {{100, "Nơi cư trú"}, {600, "thôn Phước Thới"}, {1100, "Số 311 đường Lê Hồng Phong"}});
  EXPECT_FALSE(column_ordered_text(table));

  std::vector<Word> fields;  // two fields on a row, twice: a form, not columns
  add_line(fields, 0, {{100, "Năm sinh: 2002"}, {900, "Dân tộc: Kinh"}});
  add_line(fields, 1, {{100, "Nơi đăng ký thường trú: ấp 9, xã An Bình"}});
  add_line(fields, 2, {{100, "Số con trong lần sinh này: 01"}, {900, "Giới tính của con: Nam"}});
  EXPECT_FALSE(column_ordered_text(fields));
}

TEST(Ocr, TidyTextDropsLinesWithNeitherLettersNorDigits) {
  EXPECT_EQ(tidy_ocr_text("Bên nữ   \n_—__—_—_—— __\n\n\n(Ký, ghi rõ họ tên)\n` ~ .\nQuách Thị Hồng\n"),
            "Bên nữ\n\n(Ký, ghi rõ họ tên)\nQuách Thị Hồng");
  EXPECT_EQ(tidy_ocr_text("Số 12\n\n\n\nĐiều 2."), "Số 12\n\nĐiều 2.");
}

TEST(Ocr, BlankPagesAreNotOcred) {
  PageItem page;
  page.blank = true;
  page.work = cv::Mat(100, 100, CV_8UC1, cv::Scalar(255));
  OcrStage stage(OcrConfig{});
  auto state = stage.make_state();
  stage.process(page, state.get());
  EXPECT_TRUE(page.ocr_done);
  EXPECT_TRUE(page.text.empty());
  EXPECT_FALSE(page.ocr_confidence);
}

}  // namespace intake

namespace intake {

// A page preprocess called blank (little ink) is read by its ink alone: faint show-through from
// the other side does not make it a page, one dark line of print does.
TEST(Ocr, ABlankBackWithShowThroughStaysBlankButOneLineOfPrintMakesAPage) {
  cv::Mat back(2339, 1654, CV_8UC1, cv::Scalar(244));
  cv::Mat ghost = testing::render_page(kForm);
  cv::flip(ghost, ghost, 1);
  back.setTo(214, ghost < 128);  // the front's text, mirrored and faint
  OcrStage stage(OcrConfig{});
  auto state = stage.make_state();
  auto read = [&](const cv::Mat& image) {
    PageItem page;
    page.blank = true;
    page.ink_threshold = 200;  // as preprocess measures it: 244 - 44
    page.work = image;
    stage.process(page, state.get());
    return page;
  };
  const PageItem blank = read(back);
  EXPECT_TRUE(blank.blank);
  EXPECT_TRUE(blank.text.empty()) << blank.text;

  cv::Mat line = back.clone();
  cv::Mat print = testing::render_page({"Trang 3 của hồ sơ: bản sao giấy khai sinh"});
  line.setTo(30, print < 128);
  const PageItem page = read(line);
  EXPECT_FALSE(page.blank);
  EXPECT_NE(page.text.find("hồ sơ"), std::string::npos) << page.text;
}

}  // namespace intake
