// Fuzz target: the working-day calendar (configs/calendar.yaml), which an administrator edits
// every year. Any file gives a calendar or a ConfigError; a loaded calendar answers due dates.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "pipeline/config.h"
#include "pipeline/dossier/calendar.h"
#include "tests/fuzz/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto calendar = intake::WorkingCalendar::load(intake::fuzz::as_file(data, size));
    if (calendar.cutoff_minutes() < 0 || calendar.cutoff_minutes() >= 24 * 60) __builtin_trap();
    for (const char* at : {"2026-02-13T14:59", "2026-12-31T15:00", "2000-01-01T00:00", "2100-12-31T23:59"}) {
      const auto due = calendar.due_date(at, 20);
      if (const auto* d = std::get_if<intake::Date>(&due); d && !d->ok()) __builtin_trap();
    }
  } catch (const intake::ConfigError&) {
  }
  return 0;
}
