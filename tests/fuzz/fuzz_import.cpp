// Fuzz target: `intake import`, the JSON Lines of dossiers that came electronically or over the
// counter (tools/intake/report_command.cpp, compiled into this target). The whole command runs:
// each line parsed and checked, then, when all are good, imported into an in-memory store with
// the shipped catalog and calendar, histories replayed through the lifecycle rules. Any file is
// imported or refused (exit 1); no exception may escape.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>

#include "pipeline/config.h"
#include "pipeline/dossier/calendar.h"
#include "stages/classify.h"
#include "stages/sections.h"
#include "tests/fuzz/input_file.h"
#include "tools/intake/report_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const intake::Config config = [] {
    intake::Config c = intake::default_intake_config();
    auto classify = c.section<intake::ClassifyConfig>("classify");
    classify.catalog = INTAKE_SOURCE_DIR "/models/procedures.yaml";
    c.set_section("classify", classify);
    c.calendar = INTAKE_SOURCE_DIR "/configs/calendar.yaml";
    std::cerr.rdbuf(nullptr);  // the command's one message per bad line, thousands a second
    return c;
  }();
  try {
    const int rc = intake::cmd_import(config, ":memory:", intake::fuzz::as_file(data, size));
    if (rc != 0 && rc != 1) __builtin_trap();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_import: exception escaped cmd_import: %s\n", e.what());
    __builtin_trap();
  }
  return 0;
}
