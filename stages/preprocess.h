// Preprocess stage: decodes the page, turns it upright, straightens it and tells blank pages.
//
// 1. The image header is read first (Leptonica) and images over max_pixels are refused before
//    any decoding; then OpenCV decodes it to 8-bit grey (JPEG EXIF orientation applied).
// 2. Orientation: Tesseract OSD decides 0/90/180/270 when its confidence is high enough;
//    otherwise the page stays as scanned.
// 3. Skew: Leptonica's sweep-and-search on a binarised copy, within +/- max_skew_deg; the page is
//    rotated back with white fill.
// 4. Blank: the share of ink pixels (much darker than the paper, specks removed), away from the
//    borders, under blank_max_ink_ratio. Faint show-through from the other side is not ink.
// The result is page.work (upright, deskewed grey); page.original is dropped.
#pragma once

#include "pipeline/config.h"
#include "pipeline/stage.h"

namespace intake {

class PreprocessStage : public Stage {
 public:
  explicit PreprocessStage(PreprocessConfig config, std::string tessdata = {})
      : config_(config), tessdata_(std::move(tessdata)) {}
  std::string_view name() const override { return "preprocess"; }
  std::unique_ptr<WorkerState> make_state() const override;
  void process(PageItem& page, WorkerState* state) const override;

 private:
  PreprocessConfig config_;
  std::string tessdata_;
};

// Building blocks, exposed for tests.
cv::Mat decode_grey(const std::string& bytes, long long max_pixels);  // throws with the reason
// Degrees to turn the image counter-clockwise to straighten it (+: the content leans clockwise).
double estimate_skew_deg(const cv::Mat& grey, double max_deg);
cv::Mat rotate_deg(const cv::Mat& grey, double deg);            // turns the image counter-clockwise by deg
double ink_ratio(const cv::Mat& grey, int dark_delta);

}  // namespace intake
