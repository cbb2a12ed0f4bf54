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
