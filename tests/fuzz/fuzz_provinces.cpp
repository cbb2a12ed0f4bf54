// Fuzz target: the province list (models/provinces.yaml), which an administrator extends. Any
// file gives a list or a ConfigError; a loaded list checks addresses.
#include <cstddef>
#include <cstdint>

#include "pipeline/config.h"
#include "stages/provinces.h"
#include "tests/fuzz/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto provinces = intake::Provinces::load(intake::fuzz::as_file(data, size));
    if (provinces.size() == 0) __builtin_trap();
    (void)provinces.ends_address("Số 12, xã Lương Hòa, tỉnh Long An");
  } catch (const intake::ConfigError&) {
  }
  return 0;
}
