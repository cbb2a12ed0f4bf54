// Fuzz target: the barcode sandbox's requests, as its read loop (sandbox_main.cpp) frames them:
// a 16-byte header, then width * height pixels, then the next request. A header is accepted
// only within the limits, and its options survive the round trip through their bits.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <variant>

#include "stages/barcode_sandbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr uint32_t kOptionBits = 1u | 2u | 4u | (3u << 4) | (3u << 6) | 256u;
  while (size >= 16) {
    uint32_t words[4];
    std::memcpy(words, data, sizeof words);
    data += 16, size -= 16;
    const auto header = intake::parse_request_header(words);
    if (std::holds_alternative<intake::BadRequest>(header)) break;  // the sandbox exits
    const auto& h = std::get<intake::RequestHeader>(header);
    if (h.width == 0 || h.height == 0 || h.width > intake::kMaxRequestSide || h.height > intake::kMaxRequestSide ||
        uint64_t(h.width) * h.height > intake::kMaxRequestPixels)
      __builtin_trap();
    if (h.options.bits() != (words[3] & kOptionBits)) __builtin_trap();
    const auto again = intake::DecodeOptions::from_bits(h.options.bits());
    if (again.bits() != h.options.bits()) __builtin_trap();
    const uint64_t pixels = uint64_t(h.width) * h.height;
    if (pixels > size) break;  // the sandbox waits for the rest, then sees EOF
    data += pixels, size -= static_cast<size_t>(pixels);
  }
  return 0;
}
