#include "tests/support/page_render.h"

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

namespace intake::testing {
namespace {

cv::Ptr<cv::freetype::FreeType2> font() {
  static cv::Ptr<cv::freetype::FreeType2> ft = [] {
    auto f = cv::freetype::createFreeType2();
    f->loadFontData("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0);
    return f;
  }();
  return ft;
}

cv::Mat draw(const std::vector<std::string>& lines, int font_px, int width, int height, bool leaders) {
  cv::Mat page(height, width, CV_8UC1, cv::Scalar(255));
  cv::Mat bgr;
  cv::cvtColor(page, bgr, cv::COLOR_GRAY2BGR);
  int y = 150;
  for (const auto& line : lines) {
    int baseline = 0;
    const auto size = font()->getTextSize(line, font_px, -1, &baseline);
    font()->putText(bgr, line, {120, y}, font_px, cv::Scalar(0, 0, 0), -1, cv::LINE_AA, true);
    if (leaders) {
      const auto dot = font()->getTextSize(".", font_px, -1, &baseline);
      for (int x = 120 + size.width + dot.width * 2; x < width - 120; x += dot.width * 2)
        font()->putText(bgr, ".", {x, y}, font_px, cv::Scalar(0, 0, 0), -1, cv::LINE_AA, true);
    }
    y += font_px * 2;
  }
  cv::cvtColor(bgr, page, cv::COLOR_BGR2GRAY);
  return page;
}

}  // namespace

cv::Mat render_page(const std::vector<std::string>& lines, int font_px, int width, int height) {
  return draw(lines, font_px, width, height, false);
}

cv::Mat render_form(const std::vector<std::string>& lines, int font_px, int width, int height) {
  return draw(lines, font_px, width, height, true);
}

}  // namespace intake::testing
