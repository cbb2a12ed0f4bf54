// intake-zxing-sandbox: decodes barcodes for BarcodeSandbox (stages/barcode_sandbox.h) in its
// own process, so that an abort inside zxing-cpp 1.4.0 kills only this process. Reads requests
// on stdin until EOF; writes one response per request on stdout.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include <ZXing/ReadBarcode.h>
#include <ZXing/TextUtfEncoding.h>
#include <nlohmann/json.hpp>

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
  return {{"format", ZXing::ToString(r.format())}, {"text", ZXing::TextUtfEncoding::ToUtf8(r.text())}, {"position", pos}};
}

}  // namespace

int main() {
  std::vector<uint8_t> pixels;
  while (true) {
    uint32_t header[4];
    if (!read_exact(header, sizeof header)) return 0;
    if (header[0] != intake::kSandboxMagic) return 2;
    const uint32_t w = header[1], h = header[2];
    if (w == 0 || h == 0 || w > 30000 || h > 30000 || uint64_t(w) * h > 400'000'000ull) return 3;
    pixels.resize(std::size_t(w) * h);
    if (!read_exact(pixels.data(), pixels.size())) return 4;
    const auto opt = intake::DecodeOptions::from_bits(header[3]);
    ZXing::DecodeHints hints;
    hints.setTryHarder(opt.try_harder).setTryRotate(opt.try_rotate).setBinarizer(static_cast<ZXing::Binarizer>(opt.binarizer));
    const ZXing::ImageView view(pixels.data(), static_cast<int>(w), static_cast<int>(h), ZXing::ImageFormat::Lum);
    nlohmann::json out = nlohmann::json::array();
    if (opt.multi) {
      for (const auto& r : ZXing::ReadBarcodes(view, hints))
        if (r.isValid()) out.push_back(to_json(r));
    } else {
      const auto r = ZXing::ReadBarcode(view, hints);
      if (r.isValid()) out.push_back(to_json(r));
    }
    // Invalid UTF-8 in a payload is replaced (U+FFFD) rather than breaking the response.
    const std::string body = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const auto length = static_cast<uint32_t>(body.size());
    if (!write_exact(&length, sizeof length) || !write_exact(body.data(), body.size())) return 5;
  }
}
