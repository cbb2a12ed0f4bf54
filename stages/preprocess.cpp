#include "stages/preprocess.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>

#include "stages/pix.h"

namespace intake {
namespace {

struct OsdState : WorkerState {
  tesseract::TessBaseAPI api;
};

// Paper brightness: a high percentile of the grey levels (the page is mostly paper).
int paper_level(const cv::Mat& grey) {
  int hist[256] = {};
  for (int y = 0; y < grey.rows; y += 2) {
    const uchar* row = grey.ptr<uchar>(y);
    for (int x = 0; x < grey.cols; x += 2) ++hist[row[x]];
  }
  long total = 0;
  for (int v : hist) total += v;
  long acc = 0;
  for (int v = 0; v < 256; ++v) {
    acc += hist[v];
    if (acc >= total * 0.6) return v;
  }
  return 255;
}

}  // namespace

bool looks_cut_short(const std::string& bytes) {
  std::string_view b(bytes);
  if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) {
    // A JPEG ends with EOI (FF D9); scanners may pad after it with zeros.
    std::size_t end = b.size();
    while (end > 0 && b[end - 1] == '\0') --end;
    return end < 2 || b.substr(end - 2, 2) != std::string_view("\xFF\xD9", 2);
  }
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return b.rfind(std::string_view("IEND\xAE\x42\x60\x82", 8)) == std::string_view::npos;  // at the end: found at once
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    const auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(b[i])); };
    const std::uint64_t declared = (u(4) | u(5) << 8 | u(6) << 16 | u(7) << 24) + 8ull;
    return declared > b.size();
  }
  return false;
}

cv::Mat decode_grey(const std::string& bytes, long long max_pixels) {
  if (bytes.empty()) throw std::runtime_error("empty image");
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(reinterpret_cast<const l_uint8*>(bytes.data()), bytes.size(), &format, &w, &h, &bps, &spp,
                       &cmap) == 0) {
    if (w <= 0 || h <= 0) throw std::runtime_error("image header gives no size");
    if (static_cast<long long>(w) * h > max_pixels)
      throw std::runtime_error("image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, over the limit of " +
                               std::to_string(max_pixels));
  }
  cv::Mat grey;
  try {
    grey = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())),
                        cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception& e) {
    throw std::runtime_error(std::string("image cannot be decoded: ") + e.what());
  }
  if (grey.empty()) throw std::runtime_error("image cannot be decoded (corrupt or unsupported)");
  if (static_cast<long long>(grey.total()) > max_pixels) throw std::runtime_error("image over the pixel limit");
  if (grey.cols < 16 || grey.rows < 16) throw std::runtime_error("image too small to be a page");
  return grey;
}

double estimate_skew_deg(const cv::Mat& grey, double max_deg) {
  cv::Mat small = grey;
  const double scale = std::min(1.0, 1600.0 / std::max(grey.cols, grey.rows));
  if (scale < 1.0) cv::resize(grey, small, {}, scale, scale, cv::INTER_AREA);
  cv::Mat bin;
  cv::threshold(small, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  PixPtr pix8 = pix_from_grey(bin);
  PixPtr pix1(pixThresholdToBinary(pix8.get(), 128));
  if (!pix1) return 0;
  l_float32 angle = 0, conf = 0;
  if (pixFindSkewSweepAndSearch(pix1.get(), &angle, &conf, 2, 1, static_cast<l_float32>(max_deg), 0.5f, 0.01f) != 0)
    return 0;
  if (conf < 2.0f) return 0;  // Leptonica's own threshold for a trustworthy angle
  return -static_cast<double>(angle);  // Leptonica measures the content's turn; we return the correction
}

cv::Mat rotate_deg(const cv::Mat& grey, double deg) {
  if (std::abs(deg) < 0.05) return grey;
  const cv::Point2f center(grey.cols / 2.0f, grey.rows / 2.0f);
  const cv::Mat m = cv::getRotationMatrix2D(center, deg, 1.0);
  cv::Mat out;
  cv::warpAffine(grey, out, m, grey.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(paper_level(grey)));
  return out;
}

namespace {
// Pixels of `smooth` (median-filtered) darker than `threshold`, specks removed.
cv::Mat ink_mask(const cv::Mat& smooth, int threshold) {
  cv::Mat ink = smooth < threshold;
  cv::morphologyEx(ink, ink, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {2, 2}));
  return ink;
}
}  // namespace

Ink measure_ink(const cv::Mat& grey, int dark_delta) {
  const int mx = grey.cols / 20, my = grey.rows / 20;
  cv::Mat inner = grey(cv::Rect(mx, my, grey.cols - 2 * mx, grey.rows - 2 * my));
  cv::Mat smooth;
  cv::medianBlur(inner, smooth, 3);
  // Ink is dark_delta darker than the paper, or on a low-contrast page (tinted paper, faded
  // print) less: 45% of the way to the darkest strokes, but never closer to the paper than 25
  // levels, so show-through and noise stay paper.
  const int paper = paper_level(smooth);
  int hist[256] = {};
  for (int y = 0; y < smooth.rows; y += 2) {
    const uchar* row = smooth.ptr<uchar>(y);
    for (int x = 0; x < smooth.cols; x += 2) ++hist[row[x]];
  }
  long total = 0, acc = 0;
  for (int v : hist) total += v;
  int strokes = 0;  // the darkest 0.2%
  while (strokes < 255 && (acc += hist[strokes]) * 1000 < total * 2) ++strokes;
  const int delta = std::clamp(static_cast<int>(0.45 * (paper - strokes)), 25, dark_delta);
  const int threshold = std::max(0, paper - delta);
  const cv::Mat ink = ink_mask(smooth, threshold);
  return {static_cast<double>(cv::countNonZero(ink)) / static_cast<double>(ink.total()), threshold};
}

cv::Mat ink_only(const cv::Mat& grey, int threshold) {
  cv::Mat smooth;
  cv::medianBlur(grey, smooth, 3);
  cv::Mat out(grey.size(), CV_8UC1, cv::Scalar(255));
  grey.copyTo(out, ink_mask(smooth, threshold));
  return out;
}

std::mutex& tesseract_setup_mutex() {
  static std::mutex m;
  return m;
}

void init_osd(tesseract::TessBaseAPI& osd, const std::string& tessdata) {
  std::lock_guard lock(tesseract_setup_mutex());
  if (osd.Init(tessdata.empty() ? nullptr : tessdata.c_str(), "osd", tesseract::OEM_TESSERACT_ONLY) != 0)
    throw std::runtime_error("cannot load Tesseract's osd model (package tesseract-ocr-osd)");
  osd.SetPageSegMode(tesseract::PSM_OSD_ONLY);
  osd.SetVariable("debug_file", "/dev/null");
}

Orientation detect_orientation(tesseract::TessBaseAPI& osd, const cv::Mat& grey) {
  cv::Mat small = grey;
  const double scale = std::min(1.0, 2000.0 / std::max(grey.cols, grey.rows));
  if (scale < 1.0) cv::resize(grey, small, {}, scale, scale, cv::INTER_AREA);
  PixPtr pix = pix_from_grey(small);
  osd.SetImage(pix.get());
  osd.SetSourceResolution(std::max(70, static_cast<int>(small.cols / 8.27)));
  int orient_deg = 0;
  float orient_conf = 0, script_conf = 0;
  const char* script = nullptr;
  Orientation o;
  if (osd.DetectOrientationScript(&orient_deg, &orient_conf, &script, &script_conf))
    o = {(360 - orient_deg) % 360, orient_conf};
  osd.Clear();
  return o;
}

cv::Mat flatten_background(const cv::Mat& grey) {
  PixPtr pix = pix_from_grey(grey);
  PixPtr flat(pixBackgroundNormSimple(pix.get(), nullptr, nullptr));
  if (!flat) return grey.clone();  // Leptonica refuses images smaller than its tiles
  return grey_from_pix(flat.get());
}

cv::Mat turn_clockwise(const cv::Mat& grey, int rotation) {
  cv::Mat out;
  switch (rotation) {
    case 90: cv::rotate(grey, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 180: cv::rotate(grey, out, cv::ROTATE_180); return out;
    case 270: cv::rotate(grey, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return grey;
  }
}

std::unique_ptr<WorkerState> PreprocessStage::make_state() const {
  auto state = std::make_unique<OsdState>();
  if (config_.detect_orientation) init_osd(state->api, tessdata_);
  return state;
}

void PreprocessStage::process(PageItem& page, WorkerState* state) const {
  cv::Mat grey = decode_grey(page.original, config_.max_pixels);
  // It decoded, but partly: what is missing (the lower part, as a rule) was filled in grey.
  if (looks_cut_short(page.original)) page.flag("image_truncated:page=" + std::to_string(page.number));
  page.width = grey.cols;
  page.height = grey.rows;
  page.original.clear();

  const Ink ink = measure_ink(grey, config_.blank_dark_delta);
  page.blank = ink.ratio < config_.blank_max_ink_ratio;
  if (page.blank) {
    page.ink_threshold = ink.threshold;
    page.work = grey;
    return;
  }

  if (config_.detect_orientation) {
    const Orientation o = detect_orientation(static_cast<OsdState&>(*state).api, grey);
    page.orientation_checked = true;
    page.orientation_confidence = o.confidence;
    if (o.confidence >= config_.min_orientation_confidence) page.rotation = o.rotation;
    grey = turn_clockwise(grey, page.rotation);
  }
  page.skew_deg = estimate_skew_deg(grey, config_.max_skew_deg);
  page.work = rotate_deg(grey, page.skew_deg);
}

}  // namespace intake
