// Fuzz target: the procedure catalog (models/procedures.yaml), which an administrator edits.
// Any file gives a catalog or a ConfigError; a loaded catalog scores text.
#include <cstddef>
#include <cstdint>

#include "pipeline/config.h"
#include "pipeline/dossier/catalog.h"
#include "tests/fuzz/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto catalog = intake::Catalog::load(intake::fuzz::as_file(data, size));
    if (catalog.procedures().empty()) __builtin_trap();
    for (const auto& p : catalog.procedures())
      if (catalog.find(p.id) == nullptr || catalog.departments().count(p.department) == 0) __builtin_trap();
    (void)catalog.score("TỜ KHAI ĐĂNG KÝ KHAI SINH\nNơi sinh: Bệnh viện huyện");
  } catch (const intake::ConfigError&) {
  }
  return 0;
}
