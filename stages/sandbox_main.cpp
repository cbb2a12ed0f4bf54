// intake-zxing-sandbox: decodes (ZXing) and locates (OpenCV) bar codes for BarcodeSandbox
// (stages/barcode_sandbox.h) in its own process, so that an abort inside zxing-cpp 1.4.0 or a
// SIGFPE inside OpenCV's locator kills only this process. Reads requests on stdin until EOF;
// writes one response per request on stdout.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <variant>
#include <vector>

#include <ZXing/ReadBarcode.h>
#include <ZXing/TextUtfEncoding.h>
#include <nlohmann/json.hpp>
#include <opencv2/barcode.hpp>

#include "stages/barcode_sandbox.h"

namespace {

bool read_exact(void* data, std::size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(0, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool write_exact(const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(1, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

nlohmann::json to_json(const ZXing::Result& r) {
  std::vector<int> pos;
  for (const auto& p : r.position()) pos.push_back(p.x), pos.push_back(p.y);
  std::string text = r.text();
  if (text.empty() && !r.bytes().empty()) {
    // 1.4.0 returns no text for some mixed-ECI symbols; the raw bytes are the content (as Latin-1).
    for (const uint8_t b : r.bytes()) {
      if (b < 0x80) text += static_cast<char>(b);
      else text += static_cast<char>(0xC0 | (b >> 6)), text += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return {{"format", ZXing::ToString(r.format())}, {"text", text}, {"position", pos}};
}

// Paints the symbol's bounding box, with a margin, as white.
void blank_out(std::vector<uint8_t>& pixels, int w, int h, const ZXing::Position& pos) {
  int x0 = w, y0 = h, x1 = 0, y1 = 0;
  for (const auto& p : pos) x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  const int margin = std::max(8, std::max(x1 - x0, y1 - y0) / 10);
  // Linear symbols report a thin line: widen across the bars.
  // Wide enough that the rest of the bars cannot be read again as another (short) symbol.
  const int across = std::max(40, std::max(x1 - x0, y1 - y0) * 35 / 100);
  if (y1 - y0 < 16) y0 -= across, y1 += across;
  if (x1 - x0 < 16) x0 -= across, x1 += across;
  x0 = std::max(0, x0 - margin), y0 = std::max(0, y0 - margin);
  x1 = std::min(w - 1, x1 + margin), y1 = std::min(h - 1, y1 + margin);
  for (int y = y0; y <= y1; ++y) std::fill(pixels.begin() + std::size_t(y) * w + x0, pixels.begin() + std::size_t(y) * w + x1 + 1, 255);
}

}  // namespace

int main() {
  std::vector<uint8_t> pixels;
  while (true) {
    uint32_t words[4];
    if (!read_exact(words, sizeof words)) return 0;
    const auto header = intake::parse_request_header(words);
    if (const auto* bad = std::get_if<intake::BadRequest>(&header)) return static_cast<int>(*bad);
    const auto [w, h, opt] = std::get<intake::RequestHeader>(header);
    pixels.resize(std::size_t(w) * h);
    if (!read_exact(pixels.data(), pixels.size())) return 4;
    ZXing::DecodeHints hints;
    hints.setTryHarder(opt.try_harder).setTryRotate(opt.try_rotate).setBinarizer(static_cast<ZXing::Binarizer>(opt.binarizer));
    if (opt.formats == 1) hints.setFormats(ZXing::BarcodeFormat::LinearCodes);
    if (opt.formats == 2) hints.setFormats(ZXing::BarcodeFormat::MatrixCodes);
    const ZXing::ImageView view(pixels.data(), static_cast<int>(w), static_cast<int>(h), ZXing::ImageFormat::Lum);
    nlohmann::json out = nlohmann::json::array();
    if (opt.locate) {
      static cv::barcode::BarcodeDetector locator;
      std::vector<cv::Point2f> corners;
      const cv::Mat image(static_cast<int>(h), static_cast<int>(w), CV_8UC1, pixels.data());
      if (locator.detect(image, corners))
        for (std::size_t i = 0; i + 3 < corners.size(); i += 4) {
          std::vector<int> pos;
          for (std::size_t k = i; k < i + 4; ++k)
            pos.push_back(static_cast<int>(corners[k].x)), pos.push_back(static_cast<int>(corners[k].y));
          out.push_back({{"format", "Unread"}, {"text", ""}, {"position", pos}});
        }
    } else if (opt.multi) {
      for (const auto& r : ZXing::ReadBarcodes(view, hints))
        if (r.isValid()) out.push_back(to_json(r));
    } else {
      // One symbol at a time; each one found is painted over so the next read finds another.
      for (int k = 0; k < 8; ++k) {
        const auto r = ZXing::ReadBarcode(view, hints);
        if (!r.isValid()) break;
        out.push_back(to_json(r));
        blank_out(pixels, static_cast<int>(w), static_cast<int>(h), r.position());
      }
    }
    // Invalid UTF-8 in a payload is replaced (U+FFFD) rather than breaking the response.
    const std::string body = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const auto length = static_cast<uint32_t>(body.size());
    if (!write_exact(&length, sizeof length) || !write_exact(body.data(), body.size())) return 5;
  }
}
