// Fuzz target: the ID-card QR payload parser sees untrusted bytes from any QR code on a page.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stages/citizen_id_qr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto result = intake::citizen_id::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (auto* card = std::get_if<intake::citizen_id::Card>(&result)) {
    if (card->id_number.size() != 12 || card->date_of_birth.size() != 10) __builtin_trap();
  }
  return 0;
}
