#include "stages/preprocess.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <gtest/gtest.h>

#include "tests/support/page_render.h"

namespace intake {
namespace {

cv::Mat text_page() {
  std::vector<std::string> lines;
  for (int i = 0; i < 14; ++i)
    lines.push_back("Ủy ban nhân dân xã Tân Phú tiếp nhận hồ sơ số " + std::to_string(100 + i) + " của công dân.");
  return testing::render_page(lines);
}

std::string png(const cv::Mat& m) {
  std::vector<uchar> buf;
  cv::imencode(".png", m, buf);
  return std::string(buf.begin(), buf.end());
}

PageItem run(const cv::Mat& image) {
  PreprocessConfig config;
  config.detect_orientation = true;
  PreprocessStage stage(config);
  auto state = stage.make_state();
  PageItem page;
  page.original = png(image);
  stage.process(page, state.get());
  return page;
}

}  // namespace

TEST(Preprocess, SkewIsMeasuredWithTheRightSign) {
  const cv::Mat page = text_page();
  for (double deg : {-6.0, -2.0, 3.0, 8.0}) {
    const cv::Mat turned = rotate_deg(page, deg);  // counter-clockwise by deg
    const double found = estimate_skew_deg(turned, 15);
    EXPECT_NEAR(found, -deg, 0.6) << "turned " << deg;
  }
  EXPECT_NEAR(estimate_skew_deg(page, 15), 0.0, 0.3);
}

TEST(Preprocess, StraightensASkewedPage) {
  const auto page = run(rotate_deg(text_page(), 5.0));
  EXPECT_NEAR(page.skew_deg, -5.0, 0.6);
  EXPECT_EQ(page.rotation, 0);
  EXPECT_FALSE(page.blank);
  EXPECT_NEAR(estimate_skew_deg(page.work, 15), 0.0, 0.6);
  EXPECT_TRUE(page.original.empty());
}

TEST(Preprocess, TurnsPagesUpright) {
  const cv::Mat upright = text_page();
  const std::pair<cv::RotateFlags, int> cases[] = {
      {cv::ROTATE_90_CLOCKWISE, 270}, {cv::ROTATE_180, 180}, {cv::ROTATE_90_COUNTERCLOCKWISE, 90}};
  for (const auto& [flag, expected] : cases) {
    cv::Mat turned;
    cv::rotate(upright, turned, flag);
    const auto page = run(turned);
    EXPECT_EQ(page.rotation, expected) << "scanned turned by flag " << flag;
    EXPECT_EQ(page.work.size(), upright.size());
  }
  EXPECT_EQ(run(upright).rotation, 0);
}

TEST(Preprocess, BlankPagesWithShowThroughAndNoiseAreBlank) {
  cv::Mat paper(2339, 1654, CV_8UC1, cv::Scalar(244));
  cv::Mat ghost = text_page();
  cv::flip(ghost, ghost, 1);
  paper.setTo(226, ghost < 128);  // faint mirrored text from the other side
  cv::Mat noise(paper.size(), CV_8SC1);
  cv::randn(noise, 0, 5);
  cv::add(paper, noise, paper, cv::noArray(), CV_8U);
  const PageItem blank = run(paper);
  EXPECT_TRUE(blank.blank);
  // Its ink alone, what OCR reads of a blank page, is clean paper: the show-through is gone.
  ASSERT_GT(blank.ink_threshold, 0);
  EXPECT_LT(blank.ink_threshold, 226);
  cv::Mat ink = ink_only(blank.work, blank.ink_threshold);
  EXPECT_LT(cv::countNonZero(ink < 255), static_cast<int>(ink.total() / 10000));
  // Grey text on tinted paper, 60 levels apart (under the 70 a pixel needs on white paper): content.
  cv::Mat tinted = text_page();
  tinted.setTo(190, tinted >= 128);
  tinted.setTo(130, tinted < 128);
  EXPECT_FALSE(run(tinted).blank);
  EXPECT_FALSE(run(testing::render_page({"Một dòng chữ ngắn: Tân Phú, ngày 20 tháng 11 năm 2026"})).blank);
}

TEST(Preprocess, RefusesCorruptAndHugeImagesWithAReason) {
  PreprocessStage stage(PreprocessConfig{});
  auto state = stage.make_state();
  PageItem corrupt;
  corrupt.original = png(text_page()).substr(0, 300);
  EXPECT_THROW(stage.process(corrupt, state.get()), std::runtime_error);

  PreprocessConfig small;
  small.max_pixels = 1000 * 1000;
  PreprocessStage strict(small);
  auto strict_state = strict.make_state();
  PageItem huge;
  huge.original = png(text_page());
  try {
    strict.process(huge, strict_state.get());
    FAIL() << "a page over max_pixels was decoded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("over the limit"), std::string::npos) << e.what();
  }
}

}  // namespace intake
