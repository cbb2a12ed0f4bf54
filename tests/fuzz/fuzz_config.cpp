// Fuzz target: the pipeline config (configs/*.yaml), which an administrator edits. load_config
// must answer any file with a Config or a ConfigError naming the file and the key.
// Found: a key that is not a plain scalar (`[a]: 1`, corpus/config/nonscalar-key) escaped as
// YAML::BadConversion; an agency code of 60,000 characters overflowed std::regex's recursion
// (crash-regex-recursion-agency-code). Anything but a ConfigError now ends the run.
#include <cstddef>
#include <cstdint>


#include "pipeline/config.h"
#include "stages/sections.h"
#include "tests/fuzz/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const intake::Config c = intake::load_intake_config(intake::fuzz::as_file(data, size));
    for (const auto& name : c.stages)
      if (c.runtime.at(name).workers < 1 || c.runtime.at(name).endpoint.empty()) __builtin_trap();
  } catch (const intake::ConfigError&) {
  }
  return 0;
}
