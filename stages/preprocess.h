// Preprocess stage: decodes the page, turns it upright, straightens it and tells blank pages.
//
// 1. The image header is read first (Leptonica) and images over max_pixels are refused before
//    any decoding; then OpenCV decodes it to 8-bit grey (JPEG EXIF orientation applied).
// 2. Orientation (detect_orientation: true): Tesseract OSD decides 0/90/180/270 when its
//    confidence is high enough; otherwise the page stays as scanned. Off by default: OSD costs a
//    third of a page's preprocessing, and the OCR stage checks the orientation of the pages it
//    cannot read well, which are the only ones a wrong orientation hurts.
// 3. Skew: Leptonica's sweep-and-search on a binarised copy, within +/- max_skew_deg; the page is
//    rotated back with white fill.
// 4. Blank: the share of ink pixels (much darker than the paper, specks removed), away from the
//    borders, under blank_max_ink_ratio. Faint show-through from the other side is not ink.
// The result is page.work (upright, deskewed grey); page.original is dropped.
#pragma once

#include <mutex>
#include <string>

#include "pipeline/stage.h"

namespace tesseract {
class TessBaseAPI;
}

namespace intake {

// The `stages.preprocess` section.
struct PreprocessConfig {
  long long max_pixels = 150'000'000;       // larger images are refused before decoding
  bool detect_orientation = false;          // OSD on every page; off: the ocr stage checks doubtful pages
  double min_orientation_confidence = 1.5;  // below this OSD's answer is not trusted
  double max_skew_deg = 15;                 // deskew search range, +/- degrees
  double blank_max_ink_ratio = 0.0015;      // share of dark pixels (after cleaning) under which a page is blank
  int blank_dark_delta = 70;                // a pixel is ink when this much darker than the paper
};

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
// A JPEG without its end marker, a PNG without IEND, a WebP shorter than its RIFF size: such a
// file may still decode, with its missing part filled in (flagged image_truncated:page=N).
bool looks_cut_short(const std::string& bytes);
// Degrees to turn the image counter-clockwise to straighten it (+: the content leans clockwise).
double estimate_skew_deg(const cv::Mat& grey, double max_deg);
cv::Mat rotate_deg(const cv::Mat& grey, double deg);            // turns the image counter-clockwise by deg
// How much of the page, away from its borders, is ink: pixels darker than `threshold` (dark_delta
// under the paper, less on a low-contrast page; specks removed).
struct Ink {
  double ratio = 0;
  int threshold = 0;
};
Ink measure_ink(const cv::Mat& grey, int dark_delta);
// The page with all but its ink (as measure_ink finds it) made white: the show-through and the
// dust of a blank back go, a line of print stays.
cv::Mat ink_only(const cv::Mat& grey, int threshold);

// Tesseract OSD (an engine loaded with "osd", PSM_OSD_ONLY) on a copy at most 2000 px wide:
// the clockwise turn (0, 90, 180, 270) that makes the page upright, and OSD's confidence. No
// answer (too few characters): 0 with confidence 0.
struct Orientation {
  int rotation = 0;
  double confidence = 0;
};
Orientation detect_orientation(tesseract::TessBaseAPI& osd, const cv::Mat& grey);
// Loads an OSD engine (throws when tesseract-ocr-osd is missing).
void init_osd(tesseract::TessBaseAPI& osd, const std::string& tessdata);
// Held while a Tesseract engine is set up: Init and SetVariable write parameters that Tesseract
// keeps in globals (debug_file is a std::string), so two worker threads starting their engines at
// once would race on them (ThreadSanitizer, intake_web_tests).
std::mutex& tesseract_setup_mutex();
// The image turned clockwise by 0/90/180/270 degrees.
cv::Mat turn_clockwise(const cv::Mat& grey, int rotation);
// The page with its paper brought to one even light level (Leptonica's background normalisation,
// tile by tile): grey print on grey or tinted paper, uneven light and dark scanner borders
// otherwise defeat a global threshold such as Tesseract's Otsu, which then sees no text at all.
cv::Mat flatten_background(const cv::Mat& grey);

}  // namespace intake
