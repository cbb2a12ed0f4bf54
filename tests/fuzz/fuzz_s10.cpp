// Fuzz target: S10 parsing of barcode and OCR text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stages/s10.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto id = intake::s10::normalize(in)) {
    if (id->size() != 13) __builtin_trap();
    (void)intake::s10::valid(*id);
  }
  if (size < 4096)
    for (const auto& c : intake::s10::find_in_text(in))
      if (!intake::s10::normalize(c)) __builtin_trap();
  return 0;
}
