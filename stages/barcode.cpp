#include "stages/barcode.h"

#include <algorithm>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include <spdlog/spdlog.h>

#include "stages/barcode_sandbox.h"

namespace intake {
namespace {

struct SandboxState : WorkerState {
  SandboxState(std::string exe, int timeout_ms) : sandbox(std::move(exe), timeout_ms) {}
  BarcodeSandbox sandbox;
};

bool is_linear(const Barcode& b) {
  for (const char* matrix : {"QRCode", "MicroQRCode", "DataMatrix", "Aztec", "PDF417", "MaxiCode"})
    if (b.format == matrix) return false;
  return true;
}

// Linear symbols OpenCV's locator finds (bar patterns by gradient, in the sandbox, on a copy at
// most 1400 px long: a few milliseconds), as boxes of the working image. A crash there loses no
// symbol: it counts none.
std::vector<cv::Rect> locate_linear(BarcodeSandbox& sandbox, const cv::Mat& work, int page_number) {
  const double scale = std::min(1.0, 1400.0 / std::max(work.cols, work.rows));
  cv::Mat small = work;
  if (scale < 1.0) cv::resize(work, small, {}, scale, scale, cv::INTER_AREA);
  DecodeOptions locate;
  locate.locate = true;
  auto result = sandbox.decode(small, locate);
  std::vector<cv::Rect> out;
  if (auto* found = std::get_if<std::vector<Barcode>>(&result)) {
    for (const auto& b : *found) {
      int x0 = work.cols, y0 = work.rows, x1 = 0, y1 = 0;
      for (std::size_t i = 0; i + 1 < b.position.size(); i += 2) {
        const int x = static_cast<int>(b.position[i] / scale), y = static_cast<int>(b.position[i + 1] / scale);
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
      }
      out.push_back(x1 > x0 && y1 > y0 ? cv::Rect(x0, y0, x1 - x0, y1 - y0) : cv::Rect());
    }
    return out;
  }
  spdlog::warn("page {}: bar code locator failed ({}); unread labels not counted", page_number,
               std::get<SandboxCrash>(result).reason);
  return out;
}

void read_located(BarcodeSandbox& sandbox, PageItem& page);  // below process()

struct Pass {
  cv::Mat image;
  double scale = 1;  // image pixels per working-image pixel
  DecodeOptions options;
};

void merge(std::vector<Barcode>& into, std::vector<Barcode> found, double scale) {
  for (auto& b : found) {
    const bool seen = std::any_of(into.begin(), into.end(),
                                  [&](const Barcode& o) { return o.format == b.format && o.text == b.text; });
    if (seen) continue;
    for (int& v : b.position) v = static_cast<int>(v / scale);
    into.push_back(std::move(b));
  }
}

}  // namespace

std::unique_ptr<WorkerState> BarcodeStage::make_state() const {
  return std::make_unique<SandboxState>(locate_sandbox(config_.sandbox_path), config_.sandbox_timeout_ms);
}

void BarcodeStage::process(PageItem& page, WorkerState* state) const {
  // A page with little ink is read too: a small QR code on a dark background (an ID card scanned
  // alone with the lid open) is little ink, and a page with a symbol is not blank.
  if (page.work.empty()) return;
  auto& sandbox = static_cast<SandboxState&>(*state).sandbox;
  const cv::Mat& work = page.work;

  // 2D symbols several at a time; linear ones one at a time (the sandbox blanks each symbol it
  // found and reads again), because ReadBarcodes in zxing-cpp 1.4.0 aborts on linear symbols.
  auto both = [](const cv::Mat& image, double scale, bool harder, int binarizer) {
    return std::vector<Pass>{{image, scale, {harder, harder, true, binarizer, 2}},
                             {image, scale, {harder, harder, false, binarizer, 1}}};
  };
  std::vector<Pass> passes = both(work, 1.0, config_.try_harder, 0);
  const std::size_t first_round = passes.size();
  if (config_.retry_variants) {
    cv::Mat half, inverted;
    cv::bitwise_not(work, inverted);
    if (work.cols >= 2 && work.rows >= 2) {
      cv::resize(work, half, {}, 0.5, 0.5, cv::INTER_AREA);
      const auto variant = both(half, 0.5, true, 0);
      passes.insert(passes.end(), variant.begin(), variant.end());
    }
    for (auto&& variant : {both(work, 1.0, true, 1), both(inverted, 1.0, false, 0)})
      passes.insert(passes.end(), variant.begin(), variant.end());
  }

  int crashes = 0;
  bool abandoned = false;
  std::string last_crash;
  for (std::size_t i = 0; i < passes.size(); ++i) {
    if (i >= first_round && !page.barcodes.empty()) break;  // retries are for pages where nothing was found
    DecodeOptions options = passes[i].options;
    while (true) {
      auto result = sandbox.decode(passes[i].image, options);
      if (auto* found = std::get_if<std::vector<Barcode>>(&result)) {
        merge(page.barcodes, std::move(*found), passes[i].scale);
        break;
      }
      last_crash = std::get<SandboxCrash>(result).reason;
      if (++crashes >= config_.max_crashes)
        throw std::runtime_error("barcode decoder crashed " + std::to_string(crashes) + " times on this page; last: " +
                                 last_crash);
      // Safer settings: one symbol, then no tryHarder, then give this pass up.
      if (options.multi) options.multi = false;
      else if (options.try_harder) options.try_harder = options.try_rotate = false;
      else {
        abandoned = true;
        break;
      }
    }
  }
  // A crash that a safer retry made up for loses nothing; a pass given up may have lost a symbol.
  if (abandoned) page.flag("barcode_decoder_crashed:page=" + std::to_string(page.number));
  // A label that is there but unreadable still tells what the page is (an envelope) and what the
  // operator must type.
  if (config_.locate_unread && std::none_of(page.barcodes.begin(), page.barcodes.end(), is_linear))
    read_located(sandbox, page);
  if (!page.barcodes.empty() || page.unread_barcodes > 0) page.blank = false;
}

// Linear symbols that are there (OpenCV's locator) but that no decoder read: counted, and each
// read again from a larger copy of where it is: thin bars of a Code 39 rendered from a PDF at
// 200 dpi alias, and cubic upscaling recovers their edges for the decoder.
namespace {
void read_located(BarcodeSandbox& sandbox, PageItem& page) {
  const cv::Mat& work = page.work;
  const auto located = locate_linear(sandbox, work, page.number);
  page.unread_barcodes = static_cast<int>(located.size());
  for (const cv::Rect& box : located) {
    if (box.empty()) continue;
    const int pad = std::max(16, box.height / 2);
    const cv::Rect area =
        (box + cv::Size(2 * pad, 2 * pad) - cv::Point(pad, pad)) & cv::Rect(0, 0, work.cols, work.rows);
    for (const double factor : {2.0, 3.0}) {
      cv::Mat larger;
      cv::resize(work(area), larger, {}, factor, factor, cv::INTER_CUBIC);
      DecodeOptions options{true, true, false, 0, 1};
      auto result = sandbox.decode(larger, options);
      auto* found = std::get_if<std::vector<Barcode>>(&result);
      if (!found || found->empty()) continue;
      for (auto& b : *found)
        for (std::size_t i = 0; i + 1 < b.position.size(); i += 2) {
          b.position[i] = area.x + static_cast<int>(b.position[i] / factor);
          b.position[i + 1] = area.y + static_cast<int>(b.position[i + 1] / factor);
        }
      merge(page.barcodes, std::move(*found), 1.0);
      --page.unread_barcodes;
      break;
    }
  }
}
}  // namespace

}  // namespace intake
